import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnownAlbumIds } from '../../../lib/albums/known-ids.js';
import { type AlbumStore, createAlbumStore } from '../../../lib/albums/store.js';
import { type CourseAlbumStore, createCourseAlbumStore } from '../../../lib/course/store.js';
import { receivedCoverKey } from '../../../lib/covers/keys.js';
import { type DataApiDatabase, openDataApiDatabase, testEngines } from '../../support/data-api-database.js';

const image = { size: 881, contentType: 'image/png', width: 160, height: 160 } as const;

describe.each(await testEngines())("the course's albums on $name", ({ engine, available }) => {
  let database: DataApiDatabase | undefined;
  let albums: AlbumStore;
  let courseAlbums: CourseAlbumStore;
  const itIf = available ? it : it.skip;

  beforeAll(async () => {
    if (!available) return;
    database = await openDataApiDatabase(engine);
    albums = createAlbumStore(database.db);
    courseAlbums = createCourseAlbumStore(database.db);
  });
  afterAll(() => database?.close());

  itIf(
    'stores an album with its year as sent and a ready cover, found by its course id or UUID',
    async () => {
      const albumId = randomUUID();
      const key = receivedCoverKey(albumId);
      const created = await courseAlbums.create(
        albumId,
        { artist: 'Sex Pistols', title: 'Never Mind The Bollocks!', year: 1977, yearText: ' 1977' },
        { key, status: 'ready', eTag: 'r', ...image },
      );
      expect(created).toEqual({
        albumId,
        seq: expect.any(Number),
        artist: 'Sex Pistols',
        title: 'Never Mind The Bollocks!',
        year: ' 1977',
      });
      expect(await courseAlbums.profile({ seq: created.seq })).toEqual(created);
      expect(await courseAlbums.profile({ albumId })).toEqual(created);
      expect(await albums.get(albumId)).toMatchObject({
        year: 1977,
        owner: null,
        coverKey: key,
        cover: { status: 'ready', ...image, upload: { key, status: 'ready' } },
      });
    },
  );

  itIf('stores an album whose cover was refused without one, and a year that is no number', async () => {
    const albumId = randomUUID();
    const key = receivedCoverKey(albumId);
    const created = await courseAlbums.create(
      albumId,
      { artist: 'A', title: 'T', year: null, yearText: 'bye' },
      { key, status: 'rejected', reason: 'not an image' },
    );
    expect(created.year).toBe('bye');
    const stored = await albums.get(albumId);
    expect(stored?.coverKey).toBeUndefined();
    expect(stored?.cover).toEqual({
      status: 'rejected',
      reason: 'not an image',
      upload: { key, status: 'rejected', reason: 'not an image' },
    });
  });

  itIf(
    "shows an album of the album API with its integer year as text, and finds nothing that isn't",
    async () => {
      const { albumId } = await albums.create(
        { artist: 'Nina Simone', title: 'Pastel Blues', year: 1965 },
        'nina',
      );
      expect(await courseAlbums.profile({ albumId })).toMatchObject({ albumId, year: '1965' });
      expect(await courseAlbums.profile({ albumId: randomUUID() })).toBeUndefined();
      expect(await courseAlbums.profile({ seq: 900_000_000 })).toBeUndefined();
      expect(await courseAlbums.idOf({ seq: 900_000_000 })).toBeUndefined();
      expect(await courseAlbums.idOf({ albumId: randomUUID() })).toBeUndefined();
    },
  );

  itIf(
    'finds the UUID of an album by either id, remembered in the memo it shares with the album store',
    async () => {
      const known = createKnownAlbumIds();
      const db = (database as DataApiDatabase).db;
      const store = createCourseAlbumStore(db, { known });
      const { albumId } = await albums.create({ artist: 'A', title: 'T', year: 2001 }, 'a');
      const seq = (await courseAlbums.profile({ albumId }))?.seq ?? 0;
      expect(await store.idOf({ seq })).toBe(albumId);
      expect([known.has(albumId), known.idOfSeq(seq)]).toEqual([true, albumId]);
      expect(await createAlbumStore(db, { known }).exists(albumId)).toBe(true);
      // Deleted by its owner in another container: this one still finds it, and the consumer drops what follows.
      await albums.remove(albumId, () => undefined);
      expect(await store.idOf({ seq })).toBe(albumId);
      expect(await store.idOf({ albumId })).toBe(albumId);
      expect(await createCourseAlbumStore(db).idOf({ seq })).toBeUndefined();
    },
  );
});
