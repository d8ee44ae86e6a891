import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CoverStore } from '../../../lib/covers/store.js';
import { createCoverVerifier } from '../../../lib/covers/verification.js';
import { png } from '../../support/images.js';

type VerifierDeps = Parameters<typeof createCoverVerifier>[0];
type Verdict = Parameters<VerifierDeps['uploads']['recordVerdict']>[2];
type Recorded = Awaited<ReturnType<VerifierDeps['uploads']['recordVerdict']>>;

const albumId = '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5';
const uploadKey = `covers/${albumId}/1764100000000-9b2c0a1f`;
const MAX_BYTES = 64 * 1024;

/** The bucket, in memory: what the verifier reads, copies and removes. */
function bucket() {
  const objects = new Map<string, { bytes: Uint8Array; eTag: string; contentType?: string }>();
  const eTagOf = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex');
  const covers = {
    async readStart(key, length) {
      const object = objects.get(key);
      return (
        object && { size: object.bytes.length, eTag: object.eTag, bytes: object.bytes.subarray(0, length) }
      );
    },
    async put(key, bytes, contentType) {
      objects.set(key, { bytes, eTag: eTagOf(bytes), contentType });
      return { eTag: eTagOf(bytes) };
    },
    async remove(key) {
      objects.delete(key);
    },
  } as Pick<CoverStore, 'readStart' | 'put' | 'remove'> as CoverStore;
  const upload = (key: string, bytes: Uint8Array) => {
    objects.set(key, { bytes, eTag: eTagOf(bytes) });
    return `"${eTagOf(bytes)}"`;
  };
  return { covers, objects, upload, keys: () => [...objects.keys()].sort() };
}

/**
 * The album's side of a verdict, as the database answers it: `answer` says what recording this verdict
 * found (the SQL that decides it has its own tests against the Data API).
 */
function album(answer: (verdict: Verdict) => Recorded) {
  const verdicts: Verdict[] = [];
  const uploads = {
    async recordVerdict(id: string, key: string, verdict: Verdict) {
      expect([id, key]).toEqual([albumId, uploadKey]);
      verdicts.push(verdict);
      return answer(verdict);
    },
  } as unknown as VerifierDeps['uploads'];
  return { uploads, verdicts };
}

const pendingAlbum = (replacedKey?: string) =>
  album((verdict) => ({
    found: true,
    applied: true,
    shownKey: verdict.status === 'ready' ? verdict.shownKey : undefined,
    replacedKey,
  }));
const quiet = { info: () => undefined, warn: () => undefined };

describe('cover verification', () => {
  it('makes a decoded image the cover: a copy with its verified type is shown, the upload removed', async () => {
    const { covers, upload, objects, keys } = bucket();
    const cover = png(40, 30);
    const eTag = upload(uploadKey, cover);
    const { uploads, verdicts } = pendingAlbum(`shown-covers/${albumId}/older`);
    objects.set(`shown-covers/${albumId}/older`, { bytes: png(1, 1), eTag: 'old' });
    const verify = createCoverVerifier({ uploads, covers, maxBytes: MAX_BYTES, log: quiet });

    expect(await verify(uploadKey, eTag)).toBe('ready');
    const [verdict] = verdicts;
    expect(verdict).toMatchObject({
      status: 'ready',
      eTag: eTag.replaceAll('"', ''),
      size: cover.length,
      contentType: 'image/png',
      width: 40,
      height: 30,
    });
    const shownKey = verdict?.status === 'ready' ? verdict.shownKey : '';
    expect(shownKey).toMatch(new RegExp(`^shown-covers/${albumId}/`));
    // Only the copy is left: the upload and the cover it replaced are gone.
    expect(keys()).toEqual([shownKey]);
    expect(objects.get(shownKey)).toMatchObject({ bytes: cover, contentType: 'image/png' });
  });

  it('rejects what does not decode as an image, with the reason, and keeps no copy of it', async () => {
    const { covers, upload, keys } = bucket();
    const eTag = upload(uploadKey, Buffer.from('<html><script>alert(1)</script></html>'));
    const { uploads, verdicts } = pendingAlbum();
    const verify = createCoverVerifier({ uploads, covers, maxBytes: MAX_BYTES, log: quiet });

    expect(await verify(uploadKey, eTag)).toBe('rejected');
    expect(verdicts).toEqual([expect.objectContaining({ status: 'rejected', reason: expect.any(String) })]);
    expect(keys()).toEqual([]);
  });

  it('rejects an upload over the size limit, however good an image it is', async () => {
    const { covers, upload, keys } = bucket();
    const eTag = upload(
      uploadKey,
      png(
        300,
        300,
        new Uint8Array(300 * 300 * 4).map((_, i) => (i * 7919) % 251),
      ),
    );
    const { uploads, verdicts } = pendingAlbum();
    const verify = createCoverVerifier({ uploads, covers, maxBytes: 1_000, log: quiet });

    expect(await verify(uploadKey, eTag)).toBe('rejected');
    expect(verdicts).toEqual([
      expect.objectContaining({ status: 'rejected', reason: 'larger than 1000 bytes' }),
    ]);
    expect(keys()).toEqual([]);
  });

  it('changes nothing when the upload was judged already (a repeated event): the cover shown stays', async () => {
    const { covers, upload, keys } = bucket();
    const eTag = upload(uploadKey, png(8, 8));
    const first = pendingAlbum();
    await createCoverVerifier({ uploads: first.uploads, covers, maxBytes: MAX_BYTES, log: quiet })(
      uploadKey,
      eTag,
    );
    const shown = keys();
    // The same object again, as a second delivery of its event would find it.
    upload(uploadKey, png(8, 8));
    const judgedAlready = album(() => ({ found: true, applied: false, shownKey: shown[0] }));
    const verify = createCoverVerifier({
      uploads: judgedAlready.uploads,
      covers,
      maxBytes: MAX_BYTES,
      log: quiet,
    });

    expect(await verify(uploadKey, eTag)).toBe('unchanged');
    expect(keys()).toEqual(shown);
  });

  it('leaves a newer cover shown when an older upload is judged late, and removes its copy', async () => {
    const { covers, upload, objects, keys } = bucket();
    const newer = `shown-covers/${albumId}/1764100009999-aaaaaaaa-e1`;
    objects.set(newer, { bytes: png(2, 2), eTag: 'e1' });
    const eTag = upload(uploadKey, png(8, 8));
    const { uploads } = album(() => ({ found: true, applied: false, shownKey: newer }));
    const verify = createCoverVerifier({ uploads, covers, maxBytes: MAX_BYTES, log: quiet });

    expect(await verify(uploadKey, eTag)).toBe('superseded');
    expect(keys()).toEqual([newer]);
  });

  it('leaves the judging to the replacement when the object the event names was replaced, or is gone', async () => {
    const { covers, upload, keys } = bucket();
    const { uploads, verdicts } = pendingAlbum();
    const verify = createCoverVerifier({ uploads, covers, maxBytes: MAX_BYTES, log: quiet });
    const firstETag = upload(uploadKey, png(8, 8));
    upload(uploadKey, png(9, 9));

    expect(await verify(uploadKey, firstETag)).toBe('stale');
    expect(await verify(`covers/${albumId}/1764100000001-00000000`)).toBe('stale');
    expect(verdicts).toEqual([]);
    expect(keys()).toEqual([uploadKey]);
  });

  it('judges whatever object is there when no event names one (the sweeper)', async () => {
    const { covers, upload } = bucket();
    upload(uploadKey, png(8, 8));
    const { uploads } = pendingAlbum();
    const verify = createCoverVerifier({ uploads, covers, maxBytes: MAX_BYTES, log: quiet });
    expect(await verify(uploadKey)).toBe('ready');
  });

  it('removes an object that belongs to no album: a key no upload form makes, or an album deleted meanwhile', async () => {
    const { covers, upload, keys } = bucket();
    const stray = upload('covers/not-an-album.png', png(8, 8));
    const eTag = upload(uploadKey, png(8, 8));
    const { uploads } = album(() => ({ found: false, applied: false }));
    const verify = createCoverVerifier({ uploads, covers, maxBytes: MAX_BYTES, log: quiet });

    expect(await verify('covers/not-an-album.png', stray)).toBe('ignored');
    expect(await verify(uploadKey, eTag)).toBe('ignored');
    // Neither the upload nor the copy made for the deleted album is left.
    expect(keys()).toEqual([]);
  });

  it('keeps a cover stored at its upload key while it is the one shown', async () => {
    const { covers, upload, keys } = bucket();
    const legacyKey = `covers/${albumId}`;
    const eTag = upload(legacyKey, png(8, 8));
    const uploads = {
      recordVerdict: async () => ({ found: true, applied: false, shownKey: legacyKey }),
    } as unknown as VerifierDeps['uploads'];
    const verify = createCoverVerifier({ uploads, covers, maxBytes: MAX_BYTES, log: quiet });

    expect(await verify(legacyKey, eTag)).toBe('superseded');
    expect(keys()).toEqual([legacyKey]);
  });
});
