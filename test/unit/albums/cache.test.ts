import { describe, expect, it } from 'vitest';
import {
  albumCacheKey,
  cachedAlbumStore,
  invalidatingAlbumStore,
  invalidatingCoverUploads,
} from '../../../lib/albums/cache.js';
import type { AlbumStore, StoredAlbum } from '../../../lib/albums/store.js';
import { type CacheStore, createMemoryCacheStore } from '../../../lib/cache/store.js';
import { loadAlbumCacheConfig } from '../../../lib/config.js';
import { DOWNLOAD_MIN_VALID_SECONDS } from '../../../lib/covers/store.js';
import type { CoverUploads, CoverVerdict } from '../../../lib/covers/uploads.js';
import type { ReviewCounts } from '../../../lib/schemas.js';

const albumId = '6f1c0a52-4d2b-4c2e-9a0b-3f3e1b2c4d5e';
const ready: StoredAlbum = {
  albumId,
  artist: 'Nina Simone',
  title: 'Pastel Blues',
  year: 1965,
  createdAt: '2026-01-01T00:00:00.000Z',
  owner: 'local|nina',
  cover: { status: 'ready', contentType: 'image/png', size: 881, width: 160, height: 160 },
  reviews: { likes: 1, dislikes: 0 },
  coverKey: `covers/${albumId}/0000000000001-aaaaaaaa`,
};
const verdict: CoverVerdict = { eTag: 'e', status: 'rejected', reason: 'not an image' };

/** The database side: a store and counts that answer from variables, counting what they are asked. */
function database(album: StoredAlbum | undefined) {
  const calls = { get: 0, counts: 0 };
  let stored = album;
  let counts: ReviewCounts = album?.reviews ?? { likes: 0, dislikes: 0 };
  const store = {
    get: async () => {
      calls.get++;
      await new Promise((resolve) => setImmediate(resolve));
      return stored && { ...stored, reviews: counts };
    },
    update: async () => stored,
    remove: async () => stored,
  } as unknown as AlbumStore;
  return {
    store,
    calls,
    readCounts: async () => {
      calls.counts++;
      return stored && counts;
    },
    change: (next: Partial<StoredAlbum>) => {
      stored = stored && { ...stored, ...next };
    },
    review: (next: ReviewCounts) => {
      counts = next;
    },
  };
}

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const silent = { warn: () => undefined };

function cached(db: ReturnType<typeof database>, cache: CacheStore, time = clock(), ttlSeconds = 10) {
  return cachedAlbumStore(db.store, {
    cache,
    ttlSeconds,
    countsTtlMs: 1_000,
    maxEntries: 100,
    readCounts: db.readCounts,
    log: silent,
    now: time.now,
  });
}

const failingCache: CacheStore = {
  get: () => Promise.reject(new Error('ECONNREFUSED')),
  set: () => Promise.reject(new Error('ECONNREFUSED')),
  delete: () => Promise.reject(new Error('ECONNREFUSED')),
};

describe('cachedAlbumStore', () => {
  it('reads an album once, then serves it without the database while its counts are fresh', async () => {
    const db = database(ready);
    const albums = cached(db, createMemoryCacheStore({ maxEntries: 100 }));
    expect(await albums.lookup(albumId)).toEqual({ album: ready, source: 'database' });
    expect(await albums.lookup(albumId)).toEqual({ album: ready, source: 'cache' });
    expect(db.calls).toEqual({ get: 1, counts: 0 });
  });

  it('reads the counts again once they are older than their lifetime, and only them', async () => {
    const time = clock();
    const db = database(ready);
    const albums = cached(db, createMemoryCacheStore({ maxEntries: 100, now: time.now }), time);
    await albums.get(albumId);
    db.review({ likes: 5, dislikes: 2 });
    time.advance(1_000);
    expect(await albums.lookup(albumId)).toMatchObject({
      album: { reviews: { likes: 5, dislikes: 2 } },
      source: 'cache',
    });
    expect(db.calls).toEqual({ get: 1, counts: 1 });
  });

  it('reads the album again once its entry expires: a cover change shows within the TTL', async () => {
    const time = clock();
    const db = database(ready);
    const albums = cached(db, createMemoryCacheStore({ maxEntries: 100, now: time.now }), time);
    await albums.get(albumId);
    db.change({ cover: { status: 'ready', contentType: 'image/gif', size: 10, width: 1, height: 1 } });
    time.advance(9_999);
    expect((await albums.get(albumId))?.cover.contentType).toBe('image/png');
    time.advance(1);
    expect((await albums.get(albumId))?.cover.contentType).toBe('image/gif');
  });

  it('keeps no album whose cover is pending, since its verdict is awaited', async () => {
    const db = database({ ...ready, cover: { status: 'pending' }, coverKey: undefined });
    const albums = cached(db, createMemoryCacheStore({ maxEntries: 100 }));
    await albums.get(albumId);
    expect((await albums.lookup(albumId)).source).toBe('database');
    expect(db.calls.get).toBe(2);
  });

  it('shares one database read among concurrent misses', async () => {
    const db = database(ready);
    const albums = cached(db, createMemoryCacheStore({ maxEntries: 100 }));
    const found = await Promise.all(Array.from({ length: 20 }, () => albums.get(albumId)));
    expect(found.every((album) => album?.title === 'Pastel Blues')).toBe(true);
    expect(db.calls.get).toBe(1);
  });

  it('keeps and shares nothing with a TTL of 0', async () => {
    const db = database(ready);
    const albums = cached(db, createMemoryCacheStore({ maxEntries: 100 }), clock(), 0);
    await albums.get(albumId);
    await Promise.all([albums.get(albumId), albums.get(albumId)]);
    expect(db.calls.get).toBe(3);
  });

  it('reads the database when the cache fails, and tells no one but the log', async () => {
    const db = database(ready);
    const albums = cached(db, failingCache);
    expect(await albums.lookup(albumId)).toEqual({ album: ready, source: 'database' });
    expect(await albums.get(albumId)).toEqual(ready);
    expect(db.calls.get).toBe(2);
  });

  it('answers undefined for an unknown album and remembers nothing of it', async () => {
    const db = database(undefined);
    const albums = cached(db, createMemoryCacheStore({ maxEntries: 100 }));
    expect(await albums.get(albumId)).toBeUndefined();
    expect(await albums.get(albumId)).toBeUndefined();
    expect(db.calls.get).toBe(2);
  });

  it('stores the metadata and cover state without the counts', async () => {
    const cache = createMemoryCacheStore({ maxEntries: 100 });
    await cached(database(ready), cache).get(albumId);
    const { reviews: _reviews, ...metadata } = ready;
    expect(await cache.get(albumCacheKey(albumId))).toEqual(metadata);
  });
});

/** Cover uploads whose verdicts take effect or not, as `applied` says. */
const uploads = (applied: boolean) =>
  ({ recordVerdict: async () => ({ found: true, applied }) }) as unknown as CoverUploads;

describe('invalidatingAlbumStore', () => {
  it('removes the album from the cache once its details are changed, or it is removed', async () => {
    const cache = createMemoryCacheStore({ maxEntries: 100 });
    const db = database(ready);
    const albums = invalidatingAlbumStore(db.store, { cache, log: silent });
    await cached(db, cache).get(albumId);
    await albums.update(albumId, { title: 'Wild Is the Wind' }, () => undefined);
    expect(await cache.get(albumCacheKey(albumId))).toBeUndefined();
    await cached(db, cache).get(albumId);
    await albums.remove(albumId, () => undefined);
    expect(await cache.get(albumCacheKey(albumId))).toBeUndefined();
  });
});

describe('invalidatingCoverUploads', () => {
  it('removes the album from the cache once a verdict that changed it is recorded', async () => {
    const cache = createMemoryCacheStore({ maxEntries: 100 });
    await cached(database(ready), cache).get(albumId);
    await invalidatingCoverUploads(uploads(true), { cache, log: silent }).recordVerdict(
      albumId,
      'covers/x',
      verdict,
    );
    expect(await cache.get(albumCacheKey(albumId))).toBeUndefined();
  });

  it('keeps the album cached when the verdict changed nothing', async () => {
    const cache = createMemoryCacheStore({ maxEntries: 100 });
    await cached(database(ready), cache).get(albumId);
    await invalidatingCoverUploads(uploads(false), { cache, log: silent }).recordVerdict(
      albumId,
      'covers/x',
      verdict,
    );
    expect(await cache.get(albumCacheKey(albumId))).toBeDefined();
  });

  it('still records the verdict when the cache cannot be reached, and says so', async () => {
    const warnings: string[] = [];
    const recorded = await invalidatingCoverUploads(uploads(true), {
      cache: failingCache,
      log: { warn: (message: string) => void warnings.push(message) },
    }).recordVerdict(albumId, 'covers/x', verdict);
    expect(recorded).toEqual({ found: true, applied: true });
    expect(warnings).toEqual([expect.stringContaining('old state shows until it expires')]);
  });
});

describe('loadAlbumCacheConfig', () => {
  it('defaults to 10 s of metadata and 1 s of counts in memory, 0 turning the cache off', () => {
    expect(loadAlbumCacheConfig({})).toEqual({
      ttlSeconds: 10,
      countsTtlMs: 1_000,
      maxEntries: 10_000,
      redisUrl: undefined,
      redisConnectTimeoutMs: 300,
      redisCommandTimeoutMs: 100,
    });
    expect(loadAlbumCacheConfig({ ALBUM_CACHE_TTL_SECONDS: '0', REDIS_URL: 'redis://h:6379' })).toMatchObject(
      {
        ttlSeconds: 0,
        redisUrl: 'redis://h:6379',
      },
    );
    expect(() => loadAlbumCacheConfig({ ALBUM_CACHE_ENTRIES: '0' })).toThrow(/ALBUM_CACHE_ENTRIES/);
    expect(() => loadAlbumCacheConfig({ ALBUM_COUNTS_TTL_MS: '60001' })).toThrow(/from 0 to 60000/);
  });

  it('caps how long HTTP caches keep an album below how long its cover URL stays valid', () => {
    const longest = loadAlbumCacheConfig({ ALBUM_COUNTS_TTL_MS: '60000' }).countsTtlMs / 1000;
    expect(longest).toBeLessThan(DOWNLOAD_MIN_VALID_SECONDS);
  });
});
