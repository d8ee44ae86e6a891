import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlbumStore, createAlbumStore } from '../../../lib/albums/store.js';
import { createCourseAlbumStore } from '../../../lib/course/store.js';
import { coverUploadKey, receivedCoverKey, shownCoverKey } from '../../../lib/covers/keys.js';
import { type CoverUploads, type CoverVerdict, createCoverUploads } from '../../../lib/covers/uploads.js';
import { type DataApiDatabase, openDataApiDatabase, testEngines } from '../../support/data-api-database.js';

const image = { size: 881, contentType: 'image/png', width: 160, height: 160 } as const;
const ready = (key: string, eTag = 'e1'): CoverVerdict => ({
  eTag,
  shownKey: shownCoverKey(key, eTag),
  status: 'ready',
  ...image,
});
const rejected = (reason = 'not an image'): CoverVerdict => ({ eTag: 'e0', status: 'rejected', reason });
const inFiveMinutes = () => new Date(Date.now() + 300_000);
const at = (ms: number) => new Date(ms);

describe.each(await testEngines())('cover uploads on $name', ({ engine, available }) => {
  let database: DataApiDatabase | undefined;
  let albums: AlbumStore;
  let uploads: CoverUploads;
  const itIf = available ? it : it.skip;

  beforeAll(async () => {
    if (!available) return;
    database = await openDataApiDatabase(engine);
    albums = createAlbumStore(database.db);
    uploads = createCoverUploads(database.db);
  });
  afterAll(() => database?.close());

  /** A new album, and a form issued for one upload of its cover at `issuedAt`. */
  const albumWithUpload = async (issuedAt = new Date()) => {
    const album = await albums.create({ artist: 'Nina Simone', title: 'Pastel Blues', year: 1965 }, 'nina');
    const key = coverUploadKey(album.albumId, issuedAt);
    expect(await uploads.issue(album.albumId, key, inFiveMinutes())).toBe(true);
    return { albumId: album.albumId, key };
  };

  itIf('issues a form only for an album that exists, and lists it pending until dropped', async () => {
    const missing = randomUUID();
    expect(await uploads.issue(missing, coverUploadKey(missing), inFiveMinutes())).toBe(false);
    const { albumId, key } = await albumWithUpload();
    const pending = await uploads.pending(new Date(Date.now() + 1_000), 1_000);
    expect(pending).toContainEqual({ albumId, key, issuedAt: expect.any(Date), expiresAt: expect.any(Date) });
    expect(await uploads.pending(new Date(0), 1_000)).toEqual([]);
    await uploads.drop(key);
    expect(
      (await uploads.pending(new Date(Date.now() + 1_000), 1_000)).map((upload) => upload.key),
    ).not.toContain(key);
  });

  itIf('lists pending uploads oldest first, at most as many as asked', async () => {
    // Issued in 1970 by their own clock: no other test's uploads are that old.
    const issuedAt = [3_000, 1_000, 2_000];
    const keys: string[] = [];
    for (const ms of issuedAt) {
      const album = await albums.create({ artist: 'A', title: 'T', year: 2001 }, 'nina');
      const key = coverUploadKey(album.albumId, at(ms));
      await createCoverUploads((database as DataApiDatabase).db, () => at(ms)).issue(
        album.albumId,
        key,
        at(ms + 1),
      );
      keys.push(key);
    }
    const pending = await uploads.pending(at(10_000), 100);
    expect(pending.map((upload) => upload.key)).toEqual([keys[1], keys[2], keys[0]]);
    expect(pending.map((upload) => upload.issuedAt.getTime())).toEqual([1_000, 2_000, 3_000]);
    expect(await uploads.pending(at(10_000), 2)).toHaveLength(2);
    expect(await uploads.pending(at(2_000), 100)).toHaveLength(1);
  });

  itIf('shows a ready upload once, and a repeated verdict on it changes nothing', async () => {
    const { albumId, key } = await albumWithUpload();
    const verdict = ready(key);
    const shownKey = shownCoverKey(key, 'e1');
    expect(await uploads.recordVerdict(albumId, key, verdict)).toEqual({
      found: true,
      applied: true,
      shownKey,
      replacedKey: undefined,
    });
    const album = await albums.get(albumId);
    expect(album?.coverKey).toBe(shownKey);
    expect(album?.cover).toEqual({ status: 'ready', ...image, upload: { key, status: 'ready' } });
    expect(await uploads.recordVerdict(albumId, key, verdict)).toEqual({
      found: true,
      applied: false,
      shownKey,
    });
    expect(await uploads.recordVerdict(albumId, key, ready(key, 'e2'))).toMatchObject({
      applied: false,
      shownKey,
    });
  });

  itIf('replaces the cover shown with a newer upload, and names the one replaced', async () => {
    const { albumId, key: first } = await albumWithUpload(at(Date.now() - 1_000));
    await uploads.recordVerdict(albumId, first, ready(first));
    const second = coverUploadKey(albumId);
    await uploads.issue(albumId, second, inFiveMinutes());
    expect(await uploads.recordVerdict(albumId, second, ready(second))).toEqual({
      found: true,
      applied: true,
      shownKey: shownCoverKey(second, 'e1'),
      replacedKey: shownCoverKey(first, 'e1'),
    });
  });

  itIf('keeps a newer cover shown when an older upload is judged late', async () => {
    const { albumId, key: newer } = await albumWithUpload();
    const older = coverUploadKey(albumId, at(Date.now() - 60_000));
    await uploads.issue(albumId, older, inFiveMinutes());
    await uploads.recordVerdict(albumId, newer, ready(newer));
    expect(await uploads.recordVerdict(albumId, older, ready(older))).toEqual({
      found: true,
      applied: false,
      shownKey: shownCoverKey(newer, 'e1'),
    });
    expect((await albums.get(albumId))?.coverKey).toBe(shownCoverKey(newer, 'e1'));
  });

  itIf('records a rejection with its reason, and a ready cover stays shown through one', async () => {
    const { albumId, key } = await albumWithUpload(at(Date.now() - 1_000));
    expect(await uploads.recordVerdict(albumId, key, rejected())).toMatchObject({
      found: true,
      applied: true,
    });
    expect((await albums.get(albumId))?.cover).toEqual({
      status: 'rejected',
      reason: 'not an image',
      upload: { key, status: 'rejected', reason: 'not an image' },
    });
    const good = coverUploadKey(albumId, at(Date.now() - 500));
    await uploads.issue(albumId, good, inFiveMinutes());
    await uploads.recordVerdict(albumId, good, ready(good));
    const bad = coverUploadKey(albumId);
    await uploads.issue(albumId, bad, inFiveMinutes());
    expect(await uploads.recordVerdict(albumId, bad, rejected('too large'))).toMatchObject({
      applied: true,
      shownKey: shownCoverKey(good, 'e1'),
    });
    expect((await albums.get(albumId))?.cover).toMatchObject({
      status: 'ready',
      upload: { key: bad, status: 'rejected', reason: 'too large' },
    });
  });

  itIf('judges nothing for an album that does not exist, or a form never issued', async () => {
    const missing = randomUUID();
    const key = coverUploadKey(missing);
    expect(await uploads.recordVerdict(missing, key, ready(key))).toEqual({ found: false, applied: false });
    const { albumId } = await albumWithUpload();
    const unissued = coverUploadKey(albumId);
    expect(await uploads.recordVerdict(albumId, unissued, ready(unissued))).toEqual({
      found: true,
      applied: false,
      shownKey: undefined,
    });
  });

  itIf('shows an upload in place of a cover received with the album, whatever their times', async () => {
    const albumId = randomUUID();
    const received = receivedCoverKey(albumId, at(Date.now() + 60_000));
    await createCourseAlbumStore((database as DataApiDatabase).db).create(
      albumId,
      { artist: 'A', title: 'T', year: 2001, yearText: '2001' },
      { key: received, status: 'ready', eTag: 'r', ...image },
    );
    const upload = coverUploadKey(albumId);
    await uploads.issue(albumId, upload, inFiveMinutes());
    expect(await uploads.recordVerdict(albumId, upload, ready(upload))).toEqual({
      found: true,
      applied: true,
      shownKey: shownCoverKey(upload, 'e1'),
      replacedKey: received,
    });
  });
});
