import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnownAlbumIds } from '../../../lib/albums/known-ids.js';
import { type AlbumStore, createAlbumStore } from '../../../lib/albums/store.js';
import { createCoverUploads } from '../../../lib/covers/uploads.js';
import { ForbiddenError, ValidationError } from '../../../lib/errors.js';
import { type DataApiDatabase, openDataApiDatabase, testEngines } from '../../support/data-api-database.js';

const allow = () => undefined;
const refuse = () => {
  throw new ForbiddenError('not yours');
};

describe.each(await testEngines())('the album store on $name', ({ engine, available }) => {
  let database: DataApiDatabase | undefined;
  let albums: AlbumStore;
  const itIf = available ? it : it.skip;
  /** An owner of this test's own, so listings by owner see only what the test stored. */
  const owner = () => `owner-${randomUUID()}`;

  beforeAll(async () => {
    if (!available) return;
    database = await openDataApiDatabase(engine);
    albums = createAlbumStore(database.db);
  });
  afterAll(() => database?.close());

  itIf('stores an album with a pending cover, no counts, and reads it back as stored', async () => {
    const created = await albums.create({ artist: 'Nina Simone', title: 'Pastel Blues', year: 1965 }, 'nina');
    expect(created).toEqual({
      albumId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      artist: 'Nina Simone',
      title: 'Pastel Blues',
      year: 1965,
      owner: 'nina',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      cover: { status: 'pending' },
      reviews: { likes: 0, dislikes: 0 },
    });
    expect(await albums.get(created.albumId)).toEqual(created);
    expect(await albums.get(randomUUID())).toBeUndefined();
  });

  itIf('stores an album and its first upload together, issued by its clock', async () => {
    const issuedAt = new Date('2001-01-01T00:00:00Z');
    const store = createAlbumStore((database as DataApiDatabase).db, { now: () => issuedAt });
    const expiresAt = new Date(issuedAt.getTime() + 300_000);
    const { album, uploadKey } = await store.createWithUpload(
      { artist: 'A', title: 'T', year: 2001 },
      'a',
      expiresAt,
    );
    expect(uploadKey).toMatch(new RegExp(`^covers/${album.albumId}/0978307200000-[0-9a-f]{8}$`));
    expect(await store.get(album.albumId)).toEqual(album);
    const pending = await createCoverUploads((database as DataApiDatabase).db).pending(
      new Date(issuedAt.getTime() + 1),
      100,
    );
    expect(pending).toContainEqual({ albumId: album.albumId, key: uploadKey, issuedAt, expiresAt });
  });

  itIf('changes only the fields given, and nothing when the guard refuses', async () => {
    const { albumId } = await albums.create(
      { artist: 'Nina Simone', title: 'Pastel Blues', year: 1965 },
      'nina',
    );
    const changed = await albums.update(albumId, { title: 'Wild Is the Wind' }, allow);
    expect(changed).toMatchObject({ artist: 'Nina Simone', title: 'Wild Is the Wind', year: 1965 });
    await expect(albums.update(albumId, { year: 1966 }, refuse)).rejects.toBeInstanceOf(ForbiddenError);
    expect((await albums.get(albumId))?.year).toBe(1965);
    expect(await albums.update(randomUUID(), { year: 1966 }, allow)).toBeUndefined();
  });

  itIf('removes an album the guard allows, with what it left in other tables', async () => {
    const { album, uploadKey } = await albums.createWithUpload(
      { artist: 'A', title: 'T', year: 2001 },
      'a',
      new Date(Date.now() + 300_000),
    );
    await expect(albums.remove(album.albumId, refuse)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await albums.get(album.albumId)).toBeDefined();
    expect(await albums.remove(album.albumId, allow)).toEqual(album);
    expect(await albums.get(album.albumId)).toBeUndefined();
    const pending = await createCoverUploads((database as DataApiDatabase).db).pending(
      new Date(Date.now() + 1_000),
      1_000,
    );
    expect(pending.map((upload) => upload.key)).not.toContain(uploadKey);
    expect(await albums.remove(album.albumId, allow)).toBeUndefined();
  });

  itIf('says whether an album exists, remembering a yes until this container removes it', async () => {
    const known = createKnownAlbumIds();
    const store = createAlbumStore((database as DataApiDatabase).db, { known });
    const other = createAlbumStore((database as DataApiDatabase).db);
    const { albumId } = await store.create({ artist: 'A', title: 'T', year: 2001 }, 'a');
    expect(await store.exists(randomUUID())).toBe(false);
    expect(await store.exists(albumId)).toBe(true);
    expect(known.has(albumId)).toBe(true);
    await other.remove(albumId, allow); // another container's removal: this one still remembers
    expect(await store.exists(albumId)).toBe(true);
    const { albumId: mine } = await store.create({ artist: 'A', title: 'T', year: 2001 }, 'a');
    await store.exists(mine);
    await store.remove(mine, allow);
    expect(await store.exists(mine)).toBe(false);
  });

  itIf('lists in creation order either way, by artist (any case) and owner, page by page', async () => {
    const me = owner();
    const stored = [];
    for (const artist of ['Björk', 'Low', 'björk', 'Björk']) {
      stored.push(await albums.create({ artist, title: 'T', year: 2001 }, me));
    }
    await albums.create({ artist: 'Björk', title: 'T', year: 2001 }, owner());
    const ids = (items: Array<{ albumId: string }>) => items.map((album) => album.albumId);
    const [a, b, c, d] = ids(stored);

    const mine = await albums.list({ owner: me });
    expect(ids(mine.items)).toEqual([a, b, c, d]);
    expect(mine.nextCursor).toBeNull();
    expect(ids((await albums.list({ owner: me, order: 'newest' })).items)).toEqual([d, c, b, a]);
    expect(ids((await albums.list({ owner: me, artist: 'BJÖRK' })).items)).toEqual([a, c, d]);

    const first = await albums.list({ owner: me, limit: 3, order: 'newest' });
    expect(ids(first.items)).toEqual([d, c, b]);
    const rest = await albums.list({ owner: me, limit: 3, order: 'newest', cursor: first.nextCursor ?? '' });
    expect([ids(rest.items), rest.nextCursor]).toEqual([[a], null]);
    const everyone = await albums.list({ artist: 'björk', limit: 1000 });
    expect(everyone.items.length).toBeGreaterThanOrEqual(4);
  });

  itIf('refuses a cursor it did not issue, or one from the other order', async () => {
    const me = owner();
    for (let i = 0; i < 2; i++) await albums.create({ artist: 'A', title: 'T', year: 2001 }, me);
    const { nextCursor } = await albums.list({ owner: me, limit: 1 });
    await expect(albums.list({ owner: me, cursor: nextCursor ?? '', order: 'newest' })).rejects.toThrow(
      /other order/,
    );
    await expect(albums.list({ cursor: 'bm90IGEgY3Vyc29y' })).rejects.toBeInstanceOf(ValidationError);
  });
});
