import { coverKeyPrefixes } from '../covers/keys.js';
import type { CoverStore } from '../covers/store.js';
import { ForbiddenError, NotFoundError, PreconditionFailedError, ValidationError } from '../errors.js';
import { matchHolds } from '../http/conditional.js';
import type { AlbumChanges } from '../schemas.js';
import { albumTag } from './api.js';
import type { AlbumStore, StoredAlbum } from './store.js';

/** A change a signed-in user asks for: who they are, and the album they name. */
interface Request {
  albumId: string;
  /** The caller's `sub`. */
  caller: string;
}

export interface AlbumOwnership {
  /**
   * Throws unless `caller` owns the album: {@link NotFoundError} when there is none, {@link ForbiddenError}
   * when it is someone else's or the course contract's (which has no owner).
   */
  requireOwner(request: Request): Promise<StoredAlbum>;
  /**
   * Changes the album's artist, title or year for its owner. With `ifMatch` (the request's `If-Match`), only
   * while the album's entity tag still matches it ({@link PreconditionFailedError} otherwise); the check and
   * the change happen with the album locked, so of two changes made from the same tag one wins.
   */
  update(request: Request & { changes: AlbumChanges; ifMatch?: string }): Promise<StoredAlbum>;
  /**
   * Deletes the album for its owner: its row, votes, reviews and counts at once, then every cover object
   * under its prefix. Resolves to how many cover objects were removed.
   */
  remove(request: Request): Promise<{ coversRemoved: number }>;
}

/** Why a user may not change an album, or undefined when they may. */
function refusal(album: StoredAlbum, caller: string): string | undefined {
  if (album.owner === null) {
    return `Album ${album.albumId} was created through the course API and has no owner: it cannot be changed`;
  }
  return album.owner === caller ? undefined : `Album ${album.albumId} belongs to another user`;
}

const guardOwner = (caller: string) => (album: StoredAlbum) => {
  const reason = refusal(album, caller);
  if (reason) throw new ForbiddenError(reason);
};

const notFound = (albumId: string) => new NotFoundError(`Album ${albumId} does not exist`);

/**
 * The rules of owning an album: only its creator changes or deletes it, and a change may be made
 * conditional on the version the client saw. `albums` should forget cached copies of what it changes
 * (see `invalidatingAlbumStore`).
 *
 * @example
 * const owners = createAlbumOwnership({ albums, covers });
 * const album = await owners.update({ albumId, caller: callerOf(event), changes: { title: 'Wild Is the Wind' } });
 */
export function createAlbumOwnership(deps: {
  albums: AlbumStore;
  covers: Pick<CoverStore, 'presignDownload' | 'removeAll'>;
}): AlbumOwnership {
  return {
    async requireOwner({ albumId, caller }) {
      const album = await deps.albums.get(albumId);
      if (!album) throw notFound(albumId);
      guardOwner(caller)(album);
      return album;
    },

    async update({ albumId, caller, changes, ifMatch }) {
      if (Object.keys(changes).length === 0) {
        throw new ValidationError('Invalid album changes: give at least one of artist, title and year', [
          { field: 'album', message: 'must change at least one of artist, title and year' },
        ]);
      }
      const updated = await deps.albums.update(albumId, changes, async (current) => {
        guardOwner(caller)(current);
        if (!matchHolds(ifMatch, await albumTag(current, deps.covers))) {
          throw new PreconditionFailedError(
            `Album ${albumId} has changed since the version whose ETag If-Match gives: read it again`,
          );
        }
      });
      if (!updated) throw notFound(albumId);
      return updated;
    },

    async remove({ albumId, caller }) {
      const removed = await deps.albums.remove(albumId, guardOwner(caller));
      if (!removed) throw notFound(albumId);
      // After the row, so a failure here leaves objects nobody can reach rather than an album whose covers
      // are gone; an upload still under way may land later, and then its verification finds no album.
      let coversRemoved = 0;
      for (const prefix of coverKeyPrefixes(albumId)) coversRemoved += await deps.covers.removeAll(prefix);
      return { coversRemoved };
    },
  };
}
