import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Album } from '../../lib/schemas.js';
import { jsonAs } from '../support/auth.js';
import { coverJudged, coversBucket, shownCoverBytes, type Upload, uploadCover } from '../support/covers.js';
import { FUZZ_SEED, replayLine } from '../support/fuzz-seed.js';
import { gif, jpeg, png, webp } from '../support/images.js';
import { eventually, type SharedStack, sharedStack } from '../support/stack.js';

/**
 * Property: a cover upload built to carry a script (an image header or a whole image with markup after
 * it, a header claiming a decompression bomb, SVG, HTML), whatever type it declares, is rejected and never
 * served. Then the attacks on the upload form itself: a form used twice, and a Content-Type with a line
 * break. Seeded, so a failure replays.
 */

const UPLOADS = 24;
const IN_FLIGHT = 4;

let stack: SharedStack;
let covers: ReturnType<typeof coversBucket>;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const webpImage = await webp(16, 16);

function pngHeader(width: number, height: number): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set([8, 2, 0, 0, 0], 8);
  const typed = Buffer.concat([Buffer.from('IHDR'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(13);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([PNG_SIGNATURE, length, typed, crc]);
}

const script = fc.constantFrom(
  '<html><script>alert(1)</script></html>',
  '<script>fetch("/albums").then(r=>r.text()).then(alert)</script>',
  '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
  '<img src=x onerror=alert(1)>',
);
const dimension = fc.integer({ min: 1, max: 200_000 });

/** A file that must never become a cover, described for the failure report. */
const hostileCover: fc.Arbitrary<{ what: string; bytes: Buffer }> = fc.oneof(
  fc
    .tuple(dimension, dimension)
    .map(([w, h]) => ({ what: `33-byte PNG header claiming ${w}×${h}`, bytes: pngHeader(w, h) })),
  fc.tuple(fc.integer({ min: 1, max: 64 }), script).map(([side, text]) => ({
    what: `PNG header ${side}×${side} then markup`,
    bytes: Buffer.concat([pngHeader(side, side), Buffer.from(text)]),
  })),
  fc.tuple(fc.constantFrom('png', 'jpeg', 'gif', 'webp'), script).map(([format, text]) => ({
    what: `a whole ${format} then markup after its end`,
    bytes: Buffer.concat([
      { png: png(8, 8), jpeg: jpeg(8, 8), gif: gif(8, 8), webp: webpImage }[format],
      Buffer.from(text),
    ]),
  })),
  fc
    .tuple(fc.constantFrom('GIF89a', 'GIF87a', '\xff\xd8\xff\xe0', 'RIFF\x20\x00\x00\x00WEBP'), script)
    .map(([magic, text]) => ({
      what: `${JSON.stringify(magic)} then markup`,
      bytes: Buffer.from(`${magic}${text}`, 'latin1'),
    })),
  script.map((text) => ({ what: 'markup alone', bytes: Buffer.from(text) })),
);
const declaredType = fc.constantFrom('image/png', 'image/svg+xml', 'image/gif', 'image/jpeg', 'image/webp');

const api = (path: string, init?: RequestInit) => fetch(`${stack.apiUrl}${path}`, init);

async function createAlbum(): Promise<{ albumId: string; upload: Upload }> {
  const response = await api('/albums', {
    method: 'POST',
    headers: await jsonAs(stack),
    body: JSON.stringify({ artist: 'Hostile', title: 'Covers', year: 2001 }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { albumId: string; upload: Upload };
}

const getAlbum = async (albumId: string) => (await (await api(`/albums/${albumId}`)).json()) as Album;

/** Sends one hostile cover with a fresh album's form and throws, describing it, unless it ends rejected and unseen. */
async function expectRejected(cover: { what: string; bytes: Buffer }, contentType: string): Promise<void> {
  const problem = (what: string) =>
    new Error(`${what}: ${cover.what} declared ${contentType} (${cover.bytes.length} bytes)`);
  const { albumId, upload } = await createAlbum();
  const sent = await uploadCover(upload, cover.bytes, contentType);
  if (sent.status !== 204) throw problem(`S3 answered ${sent.status}, not 204`);
  const album = await coverJudged(stack.apiUrl, albumId, upload.key);
  if (album.cover.status !== 'rejected' || album.cover.url !== undefined) {
    throw problem(`Not rejected: ${JSON.stringify(album.cover)}`);
  }
  await covers.removed(upload.key).catch(() => {
    throw problem('The rejected object is still in the bucket');
  });
}

beforeAll(async () => {
  stack = await sharedStack();
  covers = coversBucket(stack);
});

afterAll(async () => {
  covers?.s3.destroy();
});

describe('hostile covers', () => {
  it(`are rejected and never served, whatever type they declare (seed ${FUZZ_SEED})`, {
    timeout: 600_000,
  }, async () => {
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(hostileCover, declaredType), { minLength: IN_FLIGHT, maxLength: IN_FLIGHT }),
          async (batch) => {
            await Promise.all(batch.map(([cover, contentType]) => expectRejected(cover, contentType)));
          },
        ),
        { seed: FUZZ_SEED, numRuns: Math.ceil(UPLOADS / IN_FLIGHT), endOnFailure: true, verbose: 1 },
      );
    } catch (error) {
      throw new Error(
        `${replayLine('test/fuzz/hostile-covers.test.ts')}\n${(error as Error).message}\n${
          ((error as Error).cause as Error | undefined)?.message ?? ''
        }`,
      );
    }
  });

  it('lets a form used a second time change nothing: the cover it delivered stays shown, byte for byte', {
    timeout: 120_000,
  }, async () => {
    const { albumId, upload } = await createAlbum();
    const first = png(12, 12);
    expect((await uploadCover(upload, first)).status).toBe(204);
    const judged = await coverJudged(stack.apiUrl, albumId, upload.key);
    expect(judged.cover.status).toBe('ready');

    // The form is still within its five minutes: S3 takes both objects, and neither may change the album.
    for (const [bytes, contentType] of [
      [Buffer.from('<html><script>alert(1)</script></html>'), 'image/png'],
      [png(30, 30), 'image/png'],
    ] as const) {
      expect((await uploadCover(upload, bytes, contentType)).status).toBe(204);
      await eventually(
        async () => ((await covers.stored(upload.key)) ? undefined : true),
        30_000,
        'the object sent with a used form to be removed',
      );
      const album = await getAlbum(albumId);
      expect(album.cover).toMatchObject({
        status: 'ready',
        width: 12,
        height: 12,
        upload: { key: upload.key, status: 'ready' },
      });
      expect(await shownCoverBytes(album)).toEqual(first);
    }
  });

  it('refuses a Content-Type with a line break: by the local S3 on any form, by the policy of a typed one', async () => {
    const { albumId, upload } = await createAlbum();
    const injected = await uploadCover(upload, png(5, 5), 'image/png\r\nX-Evil: 1');
    expect(injected.status).toBe(400);
    expect(await injected.text()).toContain('<Code>InvalidArgument</Code>');

    const response = await api(`/albums/${albumId}/cover?contentType=image/png`, {
      method: 'POST',
      headers: await jsonAs(stack),
    });
    expect(response.status).toBe(201);
    const typed = (await response.json()) as Upload;
    expect(typed.fields['Content-Type']).toBe('image/png');
    const policy = JSON.parse(Buffer.from(typed.fields.Policy ?? '', 'base64').toString()) as {
      conditions: unknown[];
    };
    expect(policy.conditions).toContainEqual(['eq', '$Content-Type', 'image/png']);
    expect(JSON.stringify(policy.conditions)).not.toContain('starts-with');
    const post = (contentType: string) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(typed.fields)) {
        form.append(name, name === 'Content-Type' ? contentType : value);
      }
      form.append('file', new Blob([new Uint8Array(png(5, 5))], { type: 'image/png' }), 'cover');
      return fetch(typed.url, { method: 'POST', body: form });
    };
    for (const contentType of ['image/png\r\nX-Evil: 1', 'image/png; charset=x', 'image/svg+xml']) {
      const refused = await post(contentType);
      expect(refused.status, contentType).toBeGreaterThanOrEqual(400);
      expect(await refused.text()).toMatch(/<Code>(InvalidArgument|AccessDenied)<\/Code>/);
    }
    expect(await covers.stored(upload.key)).toBe(false);
    expect(await covers.stored(typed.key)).toBe(false);
    expect((await post('image/png')).status).toBe(204);
    expect((await coverJudged(stack.apiUrl, albumId, typed.key)).cover.status).toBe('ready');

    const unknownType = await api(`/albums/${albumId}/cover?contentType=image/svg%2Bxml`, {
      method: 'POST',
      headers: await jsonAs(stack),
    });
    expect(unknownType.status).toBe(400);
  });
});
