import { describe, expect, it, vi } from 'vitest';
import { createKnownAlbumIds } from '../../../lib/albums/known-ids.js';

describe('the known album ids', () => {
  it('remembers an album seen stored, with its course id when read with it, until it is forgotten', () => {
    const known = createKnownAlbumIds();
    expect(known.has('a')).toBe(false);
    known.remember('a');
    known.remember('b', 2);
    expect([known.has('a'), known.has('b'), known.idOfSeq(2), known.idOfSeq(1)]).toEqual([
      true,
      true,
      'b',
      undefined,
    ]);
    known.forget('a');
    expect(known.has('a')).toBe(false);
  });

  it('keeps at most its limit, dropping the least recently used id rather than every one', () => {
    const known = createKnownAlbumIds({ maxEntries: 3 });
    for (const [seq, id] of ['a', 'b', 'c'].entries()) known.remember(id, seq);
    expect(known.has('a')).toBe(true); // b is now the least recently used
    known.remember('d', 3);
    expect(['a', 'b', 'c', 'd'].map((id) => known.has(id))).toEqual([true, false, true, true]);
    expect([known.idOfSeq(0), known.idOfSeq(3)]).toEqual([undefined, 'd']);
  });

  it('never lets an id expire with time', () => {
    vi.useFakeTimers();
    try {
      const known = createKnownAlbumIds({ maxEntries: 1 });
      known.remember('a', 1);
      vi.setSystemTime(Date.now() + 10 * 365 * 24 * 3_600_000);
      expect([known.has('a'), known.idOfSeq(1)]).toEqual([true, 'a']);
    } finally {
      vi.useRealTimers();
    }
  });
});
