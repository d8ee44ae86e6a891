import { createLruCache } from './lru.js';

/**
 * A key-value cache behind the domain's cache-aside reads. Any call may reject when the cache is out of
 * reach: callers treat that as a miss and read their source instead.
 */
export interface CacheStore {
  get<V>(key: string): Promise<V | undefined>;
  /** Stores `value` for `ttlSeconds`; values must survive a round trip through JSON. */
  set<V>(key: string, value: V, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * A cache in this container's memory, bounded to `maxEntries` (least recently used out first). Values are
 * kept as given, not copied: callers must not change what they store or read.
 *
 * @example
 * const cache = createMemoryCacheStore({ maxEntries: 10_000 });
 * await cache.set('album:v1:6f1c…', album, 10);
 */
export function createMemoryCacheStore(options: { maxEntries: number; now?: () => number }): CacheStore {
  const entries = createLruCache<unknown>(options);
  return {
    get: async <V>(key: string) => entries.get(key) as V | undefined,
    set: async (key, value, ttlSeconds) => entries.set(key, value, ttlSeconds * 1000),
    delete: async (key) => entries.delete(key),
  };
}
