import { describe, expect, it } from 'vitest';
import { whereRef } from '../../../lib/course/album-ref.js';

describe('whereRef', () => {
  it('picks an album by its course id', () => {
    expect(whereRef({ seq: 7 })).toEqual({ where: 'seq = :seq', params: { seq: 7 } });
  });

  it('picks an album by its UUID, sent as a typed UUID', () => {
    const albumId = '6f1c0a52-4d2b-4c2e-9a0b-3f3e1b2c4d5e';
    const { where, params } = whereRef({ albumId });
    expect(where).toBe('album_id = :albumId');
    expect(params).toEqual({ albumId: { value: albumId, typeHint: 'UUID' } });
  });
});
