export interface LruCacheOptions {
  /** The most entries kept; adding one more evicts the least recently used. */
  maxEntries: number;
  /** Injected for tests; defaults to the wall clock, in milliseconds. */
  now?: () => number;
}

/** A bounded map whose entries also expire. */
export interface LruCache<V> {
  /** The value stored under `key` if it has not expired; reading it makes it the most recently used. */
  get(key: string): V | undefined;
  /** Stores `value` for `ttlMs` milliseconds, evicting the least recently used entry when full. */
  set(key: string, value: V, ttlMs: number): void;
  delete(key: string): void;
  readonly size: number;
}

/**
 * A least-recently-used cache with a lifetime per entry, kept in this container's memory. A `Map` keeps
 * insertion order, so moving an entry to the end on each read makes the first key the least recently used.
 *
 * @example
 * const counts = createLruCache<ReviewCounts>({ maxEntries: 10_000 });
 * counts.set(albumId, { likes: 3, dislikes: 1 }, 1_000);
 * counts.get(albumId); // the counts, for the next second
 */
export function createLruCache<V>(options: LruCacheOptions): LruCache<V> {
  if (!(Number.isSafeInteger(options.maxEntries) && options.maxEntries > 0)) {
    throw new RangeError('maxEntries must be a positive integer');
  }
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      entries.delete(key);
      if (entry.expiresAt <= now()) return undefined;
      entries.set(key, entry);
      return entry.value;
    },
    set(key, value, ttlMs) {
      entries.delete(key);
      if (ttlMs <= 0) return;
      if (entries.size >= options.maxEntries) {
        const eldest = entries.keys().next();
        if (!eldest.done) entries.delete(eldest.value);
      }
      entries.set(key, { value, expiresAt: now() + ttlMs });
    },
    delete(key) {
      entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
