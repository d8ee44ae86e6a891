import { describe, expect, it } from 'vitest';
import { createLruCache } from '../../../lib/cache/lru.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('createLruCache', () => {
  it('gives back what was stored until its lifetime ends, then nothing', () => {
    const time = clock();
    const cache = createLruCache<string>({ maxEntries: 10, now: time.now });
    cache.set('a', 'first', 1_000);
    time.advance(999);
    expect(cache.get('a')).toBe('first');
    time.advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('evicts the least recently used entry when full, reading counting as use', () => {
    const cache = createLruCache<number>({ maxEntries: 3 });
    cache.set('a', 1, 60_000);
    cache.set('b', 2, 60_000);
    cache.set('c', 3, 60_000);
    expect(cache.get('a')).toBe(1); // b is now the least recently used
    cache.set('d', 4, 60_000);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([1, 3, 4]);
    expect(cache.size).toBe(3);
  });

  it('replaces an entry in place, with its new lifetime, without evicting another', () => {
    const time = clock();
    const cache = createLruCache<number>({ maxEntries: 2, now: time.now });
    cache.set('a', 1, 1_000);
    cache.set('b', 2, 1_000);
    cache.set('a', 10, 5_000);
    time.advance(2_000);
    expect(cache.get('a')).toBe(10);
    expect(cache.get('b')).toBeUndefined();
  });

  it('keeps nothing for a lifetime of zero, and forgets what is deleted', () => {
    const cache = createLruCache<number>({ maxEntries: 2 });
    cache.set('a', 1, 0);
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 2, 1_000);
    cache.delete('b');
    expect(cache.get('b')).toBeUndefined();
  });

  it('refuses a bound that is not a positive integer', () => {
    expect(() => createLruCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});
