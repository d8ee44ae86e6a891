import { describe, expect, it } from 'vitest';
import { albumCacheControl } from '../../../lib/http/cache-control.js';

describe('albumCacheControl', () => {
  it('lets any cache reuse an album for as many whole seconds as its counts are reused', () => {
    expect(albumCacheControl(1_000)).toBe('public, max-age=1');
    expect(albumCacheControl(2_999)).toBe('public, max-age=2');
  });

  it('has every copy checked first when counts are read on every request, or kept under a second', () => {
    expect(albumCacheControl(0)).toBe('no-cache');
    expect(albumCacheControl(999)).toBe('no-cache');
  });
});
