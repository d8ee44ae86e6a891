import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  albumIdOfCoverKey,
  coverKeyPrefixes,
  coverUploadKey,
  receivedCoverKey,
  shownCoverKey,
} from '../../../lib/covers/keys.js';

const albumId = '6f1c0a52-4d2b-4c2e-9a0b-3f3e1b2c4d5e';
const at = (ms: number) => new Date(ms);

describe('the covers key scheme', () => {
  it('gives each upload its own key under covers/{album}, sorting in the order they were issued', () => {
    const first = coverUploadKey(albumId, at(1_764_100_000_000));
    const second = coverUploadKey(albumId, at(1_764_100_000_001));
    expect(first).toMatch(new RegExp(`^covers/${albumId}/1764100000000-[0-9a-f]{8}$`));
    expect(coverUploadKey(albumId, at(1_764_100_000_000))).not.toBe(first);
    expect([second, first].sort()).toEqual([first, second]);
    // Zero-padded: an early time still sorts before a later one.
    expect(coverUploadKey(albumId, at(5)) < coverUploadKey(albumId, at(10))).toBe(true);
  });

  it('keeps a cover the API received outside covers/, which the bucket notifies', () => {
    const key = receivedCoverKey(albumId, at(1_764_100_000_000));
    expect(key).toMatch(new RegExp(`^received-covers/${albumId}/1764100000000-[0-9a-f]{8}$`));
    expect(albumIdOfCoverKey(key)).toBeUndefined();
  });

  it('shows a verified upload from a copy named by the upload and its ETag, after older schemes’ keys', () => {
    const upload = coverUploadKey(albumId, at(1_764_100_000_000));
    const shown = shownCoverKey(upload, '"9b2cf535f27731c9"');
    expect(shown).toBe(`shown-covers/${upload.slice('covers/'.length)}-9b2cf535f27731c9`);
    expect(shownCoverKey(upload, 'a/b\r\nc')).toBe(`shown-covers/${upload.slice('covers/'.length)}-abc`);
    const later = shownCoverKey(coverUploadKey(albumId, at(1_764_100_000_001)), '0');
    expect(shown < later).toBe(true);
    expect(`covers/${albumId}` < shown && receivedCoverKey(albumId) < shown).toBe(true);
  });

  it('finds the album of an upload key, or of a legacy cover key, and of nothing else', () => {
    expect(albumIdOfCoverKey(coverUploadKey(albumId))).toBe(albumId);
    expect(albumIdOfCoverKey(`covers/${albumId}`)).toBe(albumId);
    for (const key of [
      `covers/${albumId}/`,
      `covers/${albumId}/123-abcdefgh`,
      `covers/${albumId.toUpperCase()}/1764100000000-9b2c4e1a`,
      `shown-covers/${albumId}/1764100000000-9b2c4e1a-e`,
      `covers/../${albumId}`,
      'covers/not-a-uuid',
    ]) {
      expect(albumIdOfCoverKey(key), key).toBeUndefined();
    }
  });

  it('names every object of an album, and none of another album, by its prefixes', () => {
    const prefixes = coverKeyPrefixes(albumId);
    const upload = coverUploadKey(albumId);
    const mine = [upload, `covers/${albumId}`, shownCoverKey(upload, 'e')];
    for (const key of mine)
      expect(
        prefixes.some((prefix) => key.startsWith(prefix)),
        key,
      ).toBe(true);
    const other = randomUUID();
    const upload2 = coverUploadKey(other);
    for (const key of [upload2, shownCoverKey(upload2, 'e'), receivedCoverKey(albumId)]) {
      expect(
        prefixes.some((prefix) => key.startsWith(prefix)),
        key,
      ).toBe(false);
    }
  });
});
