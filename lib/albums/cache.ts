import type { Logger } from '@aws-lambda-powertools/logger';
import { createLruCache } from '../cache/lru.js';
import { connectRedisCacheStore } from '../cache/redis.js';
import { type CacheStore, createMemoryCacheStore } from '../cache/store.js';
import type { AlbumCacheConfig } from '../config.js';
import type { CoverUploads } from '../covers/uploads.js';
import type { ReviewCounts } from '../schemas.js';
import type { AlbumStore, StoredAlbum } from './store.js';

/** What the cache keeps of an album: everything but the review counts, which change with every review. */
export type CachedAlbum = Omit<StoredAlbum, 'reviews'>;

/** Where {@link CachedAlbumStore.lookup} found the album's metadata and cover state. */
export type AlbumSource = 'cache' | 'database';

export interface CachedAlbumStore extends AlbumStore {
  /** As {@link AlbumStore.get}, also telling whether the metadata came from the cache. */
  lookup(albumId: string): Promise<{ album: StoredAlbum | undefined; source: AlbumSource }>;
}

export interface AlbumCacheOptions {
  /** Where the metadata and cover state are kept; its failures are misses. */
  cache: CacheStore;
  /** How long an album's metadata and cover state may be served from the cache; 0 turns caching off. */
  ttlSeconds: number;
  /** How long this container may reuse an album's review counts before reading them again; 0: never. */
  countsTtlMs: number;
  /** Most albums whose counts this container keeps. */
  maxEntries: number;
  /** The current counts of an album, or undefined when there is none: one statement. */
  readCounts(albumId: string): Promise<ReviewCounts | undefined>;
  log: Pick<Logger, 'warn'>;
  /** Injected for tests; defaults to the wall clock, in milliseconds. */
  now?: () => number;
}

/** The cache entry of an album; versioned, so a deploy that changes its shape reads none of the old ones. */
export const albumCacheKey = (albumId: string) => `album:v1:${albumId}`;

/**
 * Cache-aside reads of albums over any {@link AlbumStore}: `get` serves an album's metadata and cover state
 * from `cache` for up to `ttlSeconds`, and its review counts from this container's memory for up to
 * `countsTtlMs`, reading each from the database when it is missing, stale, or the cache fails (a cache
 * failure is never an error). A change to the album deletes its entry once the database has it (see
 * {@link invalidatingAlbumStore} and {@link invalidatingCoverUploads}): in a shared cache that shows the
 * change to every container at once; a cache in memory is this container's alone, and there a change made
 * by another function shows within `ttlSeconds`. An album whose cover is still
 * `pending` is not kept, since its creator is about to upload one and polls for the verdict. Concurrent
 * misses for one album share one database read. A TTL of 0 turns all of this off. Every other verb goes
 * straight to the store.
 *
 * @example
 * const albums = cachedAlbumStore(createAlbumStore(db), {
 *   cache: createMemoryCacheStore({ maxEntries: 10_000 }), ttlSeconds: 10, countsTtlMs: 1_000,
 *   maxEntries: 10_000, readCounts: ledger.counts, log: logger });
 * const { album, source } = await albums.lookup(albumId);
 */
export function cachedAlbumStore(store: AlbumStore, options: AlbumCacheOptions): CachedAlbumStore {
  const now = options.now ?? Date.now;
  const counts = createLruCache<ReviewCounts>({ maxEntries: options.maxEntries, now });
  const loading = new Map<string, Promise<StoredAlbum | undefined>>();
  const countsLoading = new Map<string, Promise<ReviewCounts | undefined>>();

  const cached = async (albumId: string): Promise<CachedAlbum | undefined> => {
    try {
      return await options.cache.get<CachedAlbum>(albumCacheKey(albumId));
    } catch {
      return undefined; // the cache logs its outages; the database answers
    }
  };

  const keep = (album: StoredAlbum) => {
    counts.set(album.albumId, album.reviews, options.countsTtlMs);
    if (album.cover.status === 'pending') return;
    const { reviews: _reviews, ...metadata } = album;
    // Not awaited: the response need not wait for the cache, and a failed write is only a later miss.
    options.cache
      .set<CachedAlbum>(albumCacheKey(album.albumId), metadata, options.ttlSeconds)
      .catch(() => undefined);
  };

  const load = (albumId: string) =>
    once(loading, albumId, async () => {
      const album = await store.get(albumId);
      if (album) keep(album);
      return album;
    });

  const currentCounts = (albumId: string) =>
    counts.get(albumId) ??
    once(countsLoading, albumId, async () => {
      const read = await options.readCounts(albumId);
      if (read) counts.set(albumId, read, options.countsTtlMs);
      return read;
    });

  const lookup: CachedAlbumStore['lookup'] = async (albumId) => {
    // Off means off: every read is the store's own, none shared.
    if (options.ttlSeconds === 0) return { album: await store.get(albumId), source: 'database' };
    const metadata = await cached(albumId);
    if (metadata) {
      const reviews = await currentCounts(albumId);
      // Missing counts mean the album is gone (its owner deleted it): the entry is not to be trusted.
      if (reviews) return { album: { ...metadata, reviews }, source: 'cache' };
    }
    return { album: await load(albumId), source: 'database' };
  };

  return {
    ...invalidatingAlbumStore(store, options),
    lookup,
    get: async (albumId) => (await lookup(albumId)).album,
  };
}

/**
 * Removes an album's entry from `cache`. A shared cache then shows the album's change at once; a cache in
 * this container's memory only forgets its own copy (other containers' copies expire with their TTL). If
 * the removal fails, the entry lives out its TTL, and that is logged.
 */
const forgetter =
  (options: Pick<AlbumCacheOptions, 'cache' | 'log'>) =>
  (albumId: string): Promise<void> =>
    options.cache.delete(albumCacheKey(albumId)).catch((error: unknown) => {
      options.log.warn('Could not remove an album from the cache; its old state shows until it expires', {
        albumId,
        error,
      });
    });

/**
 * An {@link AlbumStore} that removes an album from `cache` once a change to it is recorded (new details,
 * its removal), for the functions that change albums.
 *
 * @example
 * const owners = createAlbumOwnership({ albums: invalidatingAlbumStore(createAlbumStore(db), { cache, log }), covers });
 */
export function invalidatingAlbumStore(
  store: AlbumStore,
  options: Pick<AlbumCacheOptions, 'cache' | 'log'>,
): AlbumStore {
  const forget = forgetter(options);
  return {
    ...store,
    async update(albumId, changes, guard) {
      const updated = await store.update(albumId, changes, guard);
      if (updated) await forget(albumId);
      return updated;
    },
    async remove(albumId, guard) {
      const removed = await store.remove(albumId, guard);
      if (removed) await forget(albumId);
      return removed;
    },
  };
}

/**
 * {@link CoverUploads} that remove an album from `cache` once a verdict on its cover took effect, for the
 * functions that judge covers.
 *
 * @example
 * const verify = createCoverVerifier({ uploads: invalidatingCoverUploads(createCoverUploads(db), { cache, log }), … });
 */
export function invalidatingCoverUploads(
  uploads: CoverUploads,
  options: Pick<AlbumCacheOptions, 'cache' | 'log'>,
): CoverUploads {
  const forget = forgetter(options);
  return {
    ...uploads,
    async recordVerdict(albumId, key, verdict) {
      const recorded = await uploads.recordVerdict(albumId, key, verdict);
      if (recorded.applied) await forget(albumId);
      return recorded;
    },
  };
}

/** Runs `read` for `key` unless a run for it is under way, whose result it then shares. */
function once<T>(underWay: Map<string, Promise<T>>, key: string, read: () => Promise<T>): Promise<T> {
  const running = underWay.get(key);
  if (running) return running;
  const started = read().finally(() => underWay.delete(key));
  underWay.set(key, started);
  return started;
}

/**
 * The album cache the configuration names: Redis or Valkey when `redisUrl` is set, this container's memory
 * otherwise (the Redis client is then never loaded).
 *
 * @example
 * const cache = connectAlbumCache(loadAlbumCacheConfig(), logger);
 */
export function connectAlbumCache(config: AlbumCacheConfig, log: AlbumCacheOptions['log']): CacheStore {
  return config.redisUrl
    ? connectRedisCacheStore({
        url: config.redisUrl,
        connectTimeoutMs: config.redisConnectTimeoutMs,
        commandTimeoutMs: config.redisCommandTimeoutMs,
        log,
      })
    : createMemoryCacheStore({ maxEntries: config.maxEntries });
}
