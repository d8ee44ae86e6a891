import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { CreatedAlbum } from '../../lib/schemas.js';

/** Creates an album by `artist` through `POST /albums`, a fresh title each time, and returns what the API answered. */
export async function createAlbum(apiUrl: string, artist: string): Promise<CreatedAlbum> {
  const response = await fetch(`${apiUrl}/albums`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ artist, title: `Take ${randomUUID()}`, year: 2020 }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as CreatedAlbum;
}
