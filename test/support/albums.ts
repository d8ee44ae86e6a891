import { randomUUID } from 'node:crypto';
import type { LocalStack } from '@album-service/local';
import { expect } from 'vitest';
import type { CreatedAlbum } from '../../lib/schemas.js';
import { jsonAs, TEST_USER } from './auth.js';

/**
 * Creates an album by `artist` through `POST /albums` as the named local user ({@link TEST_USER} unless given), a
 * fresh title each time, and returns what the API answered.
 */
export async function createAlbum(
  stack: Pick<LocalStack, 'apiUrl' | 'auth'>,
  artist: string,
  user = TEST_USER,
): Promise<CreatedAlbum> {
  const response = await fetch(`${stack.apiUrl}/albums`, {
    method: 'POST',
    headers: await jsonAs(stack, user),
    body: JSON.stringify({ artist, title: `Take ${randomUUID()}`, year: 2020 }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as CreatedAlbum;
}
