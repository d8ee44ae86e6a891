import { describe, expect, it } from 'vitest';
import { createAlbumWithReceivedCover } from '../../../lib/course/albums.js';
import type { CourseAlbumStore, ReceivedCover } from '../../../lib/course/store.js';
import type { CoverStore } from '../../../lib/covers/store.js';
import { png } from '../../support/images.js';

const newAlbum = { artist: 'A', title: 'T', year: 2001, yearText: '2001' };
const silent = { info: () => undefined };

/** The two stores, failing where asked, recording what was written and removed. */
function stores(fail: { put?: boolean; insert?: boolean } = {}) {
  const objects = new Map<string, Uint8Array>();
  const rows: ReceivedCover[] = [];
  const covers = {
    put: async (key: string, bytes: Uint8Array) => {
      if (fail.put) throw new Error('S3 is unavailable');
      objects.set(key, bytes);
      return { eTag: 'etag-1' };
    },
    remove: async (key: string) => {
      objects.delete(key);
    },
  } as unknown as CoverStore;
  const albums = {
    create: async (albumId: string, _album: unknown, cover: ReceivedCover) => {
      if (fail.insert) throw new Error('the database is unavailable');
      rows.push(cover);
      return { albumId, seq: rows.length, artist: 'A', title: 'T', year: '2001' };
    },
  } as unknown as CourseAlbumStore;
  return { albums, covers, objects, rows };
}

describe('creating a course album with the cover it came with', () => {
  it('stores a ready cover under received-covers/ and the album naming it, with the object’s version', async () => {
    const { albums, covers, objects, rows } = stores();
    const image = png(20, 10);
    const album = await createAlbumWithReceivedCover({ albums, covers, log: silent }, newAlbum, image);
    expect(rows).toEqual([
      {
        key: expect.stringMatching(new RegExp(`^received-covers/${album.albumId}/\\d{13}-[0-9a-f]{8}$`)),
        status: 'ready',
        eTag: 'etag-1',
        size: image.length,
        contentType: 'image/png',
        width: 20,
        height: 10,
      },
    ]);
    expect([...objects.keys()]).toEqual([rows[0]?.key]);
  });

  it('stores no object for an image it rejects, only the album with the reason', async () => {
    const { albums, covers, objects, rows } = stores();
    await createAlbumWithReceivedCover({ albums, covers, log: silent }, newAlbum, Buffer.from('text'));
    expect(rows).toEqual([
      { key: expect.stringMatching(/^received-covers\//), status: 'rejected', reason: expect.any(String) },
    ]);
    expect(objects.size).toBe(0);
  });

  it('removes the stored cover again when the album cannot be stored, and fails', async () => {
    const { albums, covers, objects } = stores({ insert: true });
    await expect(
      createAlbumWithReceivedCover({ albums, covers, log: silent }, newAlbum, png(4, 4)),
    ).rejects.toThrow('the database is unavailable');
    expect(objects.size).toBe(0);
  });

  it('stores no album when its cover cannot be stored', async () => {
    const { albums, covers, rows } = stores({ put: true });
    await expect(
      createAlbumWithReceivedCover({ albums, covers, log: silent }, newAlbum, png(4, 4)),
    ).rejects.toThrow('S3 is unavailable');
    expect(rows).toEqual([]);
  });
});
