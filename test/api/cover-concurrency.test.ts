import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { jsonAs } from '../support/auth.js';
import { coverJudged, shownCoverBytes, type Upload, uploadCover } from '../support/covers.js';
import { png } from '../support/images.js';
import { type SharedStack, sharedStack } from '../support/stack.js';

// Covers used to be lost only under concurrency: the verifier an upload triggers ran before the album row
// existed and deleted the object. These runs interleave creation, upload and verification many times over.
const COURSE_ALBUMS = 200;
const NATIVE_ALBUMS = 100;
const IN_FLIGHT = 16;

let stack: SharedStack;

beforeAll(async () => {
  stack = await sharedStack();
});

/** Runs `task` for 0..count-1 with at most `limit` in flight, collecting results in order. */
async function inParallel<T>(
  count: number,
  limit: number,
  task: (index: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

/** A real PNG made unique by random pixels, so a cover served for the wrong album would show. */
const uniqueImage = () => png(32, 32, randomBytes(32 * 32 * 3));

/** Creates an album through the course contract; returns its native id, found by its artist, unique here. */
async function courseCreate(image: Buffer, index: number): Promise<string> {
  const artist = `Concurrent course ${index}`;
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'cover.png');
  form.append('profile', JSON.stringify({ artist, title: 'Course', year: '2001' }));
  const response = await fetch(`${stack.apiUrl}/cs6650/albums`, { method: 'POST', body: form });
  expect(response.status, await response.clone().text()).toBe(200);
  const listed = await fetch(`${stack.apiUrl}/albums?artist=${encodeURIComponent(artist)}`);
  const { items } = (await listed.json()) as { items: Array<{ albumId: string }> };
  expect(items).toHaveLength(1);
  return (items[0] as { albumId: string }).albumId;
}

async function nativeCreateAndUpload(image: Buffer): Promise<{ albumId: string; key: string }> {
  const response = await fetch(`${stack.apiUrl}/albums`, {
    method: 'POST',
    headers: await jsonAs(stack),
    body: JSON.stringify({ artist: 'Concurrent', title: 'Native', year: 2002 }),
  });
  expect(response.status, await response.clone().text()).toBe(201);
  const { albumId, upload } = (await response.json()) as { albumId: string; upload: Upload };
  const uploaded = await uploadCover(upload, image);
  expect(uploaded.status, await uploaded.clone().text()).toBeLessThan(300);
  return { albumId, key: upload.key };
}

describe('covers under concurrency', () => {
  it(`keeps every cover of ${COURSE_ALBUMS} course and ${NATIVE_ALBUMS} native albums created ${IN_FLIGHT} at a time`, async () => {
    // A 503 here once came from the API front on a busy machine: what the stack said, beyond the functions'
    // own INFO lines, tells why.
    onTestFailed(() => {
      const said = readFileSync(stack.logFile, 'utf8')
        .split('\n')
        .filter((line) => !line.includes('"level":"INFO"'));
      console.error(`What the stack said last:\n${said.slice(-40).join('\n')}`);
    });
    const images = Array.from({ length: COURSE_ALBUMS + NATIVE_ALBUMS }, uniqueImage);
    const created = await inParallel(COURSE_ALBUMS + NATIVE_ALBUMS, IN_FLIGHT, async (index) => {
      const image = images[index] as Buffer;
      return index < COURSE_ALBUMS
        ? { albumId: await courseCreate(image, index), key: undefined }
        : await nativeCreateAndUpload(image);
    });

    const lost: string[] = [];
    await inParallel(created.length, IN_FLIGHT, async (index) => {
      const { albumId, key } = created[index] as { albumId: string; key?: string };
      const album = await coverJudged(stack.apiUrl, albumId, key, 60_000);
      const intact =
        album.cover.status === 'ready' && (await shownCoverBytes(album)).equals(images[index] as Buffer);
      if (!intact) lost.push(`${albumId}: ${JSON.stringify(album.cover)}`);
    });
    expect(lost).toEqual([]);
  }, 300_000);
});
