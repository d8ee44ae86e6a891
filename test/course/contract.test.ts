import { randomBytes, randomUUID } from 'node:crypto';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CourseAlbumCreated,
  CourseAlbumInfo,
  CourseError,
  CourseReviewCounts,
} from '../../lib/course/contract.js';
import type { Album } from '../../lib/schemas.js';
import { courseOpenApiDocument } from '../../openapi/course-document.js';
import { signedInAs } from '../support/auth.js';
import { coversBucket, shownCoverBytes } from '../support/covers.js';
import { png } from '../support/images.js';
import { courseOperation, expectCourseResponse } from '../support/openapi.js';
import { eventually, type SharedStack, sharedStack } from '../support/stack.js';
import { nativeAlbum } from './albums.js';

let stack: SharedStack;
let base: string;
let covers: ReturnType<typeof coversBucket>;

beforeAll(async () => {
  stack = await sharedStack();
  base = `${stack.apiUrl}/cs6650/`;
  covers = coversBucket(stack);
});

afterAll(async () => {
  covers?.s3.destroy();
});

/** The album as the album API shows it right now. */
const albumNow = async (albumId: string) =>
  (await (await fetch(`${stack.apiUrl}/albums/${albumId}`)).json()) as Album;

/**
 * Asserts the status, that the body is exactly the contract's schema for it, and that the course OpenAPI
 * document lists that status for the route (given as the document names it) with that body.
 */
async function expectContract(response: Response, status: number, schema: TSchema) {
  expect(response.status).toBe(status);
  const body = await expectCourseResponse(...courseOperation(response.url), response);
  expect(Value.Check(schema, body), JSON.stringify(body)).toBe(true);
  return body;
}

interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer | string;
}

/** A multipart body built byte by byte, as the course's Java client writes it. */
function multipart(parts: Part[], { boundary = `----Boundary${randomUUID()}`, newline = '\r\n' } = {}) {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `Content-Disposition: form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    const type = part.contentType ? `${newline}Content-Type: ${part.contentType}` : '';
    chunks.push(Buffer.from(`--${boundary}${newline}${disposition}${type}${newline}${newline}`));
    chunks.push(Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data));
    chunks.push(Buffer.from(newline));
  }
  chunks.push(Buffer.from(`--${boundary}--${newline}`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

const postAlbum = (parts: Part[], options?: Parameters<typeof multipart>[1]) => {
  const { body, contentType } = multipart(parts, options);
  return fetch(`${base}albums`, { method: 'POST', headers: { 'content-type': contentType }, body });
};

const javaProfile = (artist: string, title: string, year: string, newline = '\n') =>
  `class AlbumsProfile {${newline}    artist: ${artist}${newline}    title: ${title}${newline}    year: ${year}${newline}}`;

// A real PNG (the cover is judged by decoding it) carrying every byte value, so anything that treats the
// image as text shows up as a changed byte.
const image = png(
  16,
  16,
  undefined,
  Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(3000)]),
);
const imagePart = (data: Buffer = image): Part => ({
  name: 'image',
  filename: 'nmtb.png',
  contentType: 'application/octet-stream',
  data,
});

describe('the CS6650 album store contract', () => {
  it.each([
    [
      'JSON, year as a string',
      JSON.stringify({ artist: 'Sex Pistols', title: 'Never Mind The Bollocks!', year: '1977' }),
      '1977',
    ],
    [
      'JSON, year as a number',
      JSON.stringify({ artist: 'Sex Pistols', title: 'Never Mind The Bollocks!', year: 1977 }),
      '1977',
    ],
    [
      'JSON, year as any text',
      JSON.stringify({ artist: 'Sex Pistols', title: 'Never Mind The Bollocks!', year: 'bye' }),
      'bye',
    ],
    ['the Java client text', javaProfile('Sex Pistols', 'Never Mind The Bollocks!', '1977'), '1977'],
    [
      'the Java client text with CRLF and extra spaces',
      `  ${javaProfile('Sex Pistols ', 'Never Mind The Bollocks!', ' 1977', '\r\n')}  \r\n`,
      ' 1977',
    ],
  ])('creates an album from a profile sent as %s, and serves it back', async (_form, profile, year) => {
    const created = await expectContract(
      await postAlbum([imagePart(), { name: 'profile', data: profile }]),
      200,
      CourseAlbumCreated,
    );
    expect(created.imageSize).toBe(String(image.length));

    const info = await expectContract(await fetch(`${base}albums/${created.albumID}`), 200, CourseAlbumInfo);
    expect(info).toEqual({ artist: 'Sex Pistols', title: 'Never Mind The Bollocks!', year });
  });

  it('stores the image byte for byte as the album cover', async () => {
    const title = `Cover ${randomUUID()}`;
    const created = await expectContract(
      await postAlbum(
        [
          {
            name: 'profile',
            contentType: 'application/json',
            data: JSON.stringify({ artist: 'A', title, year: '2001' }),
          },
          imagePart(),
        ],
        { newline: '\r\n' },
      ),
      200,
      CourseAlbumCreated,
    );
    expect(created.albumID).toMatch(/^[1-9][0-9]*$/);
    const { albumId } = await nativeAlbum(stack.apiUrl, 'A', title);
    // Judged as it was received: ready on the first read, with no verification to wait for.
    const album = await albumNow(albumId);
    expect(album.cover).toMatchObject({
      status: 'ready',
      contentType: 'image/png',
      size: image.length,
      upload: { status: 'ready' },
    });
    expect(album.cover.upload?.key).toMatch(new RegExp(`^received-covers/${albumId}/\\d{13}-[0-9a-f]{8}$`));
    expect(await shownCoverBytes(album)).toEqual(image);
  });

  it('rejects an image that is not one as it is received, says why, and stores nothing', async () => {
    const title = `Not a cover ${randomUUID()}`;
    await expectContract(
      await postAlbum([
        imagePart(Buffer.from('GIF87 but not really an image')),
        { name: 'profile', data: JSON.stringify({ artist: 'A', title, year: '2001' }) },
      ]),
      200,
      CourseAlbumCreated,
    );
    const album = await albumNow((await nativeAlbum(stack.apiUrl, 'A', title)).albumId);
    const reason = 'not a JPEG, PNG, WebP or GIF image';
    expect(album.cover).toMatchObject({ status: 'rejected', reason, upload: { status: 'rejected', reason } });
    expect(album.cover.url).toBeUndefined();
    expect(await covers.stored(album.cover.upload?.key ?? '')).toBe(false);
  });

  it('keeps a cover received with the album: the album has no owner, so the native API may not replace it', async () => {
    const title = `Kept ${randomUUID()}`;
    await postAlbum([
      imagePart(),
      { name: 'profile', data: JSON.stringify({ artist: 'A', title, year: '2001' }) },
    ]);
    const { albumId } = await nativeAlbum(stack.apiUrl, 'A', title);
    const before = await albumNow(albumId);
    const received = before.cover.upload?.key ?? '';
    expect(await covers.stored(received)).toBe(true);

    const refused = await fetch(`${stack.apiUrl}/albums/${albumId}/cover`, {
      method: 'POST',
      headers: await signedInAs(stack),
    });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ message: expect.any(String) });
    expect((await albumNow(albumId)).cover).toEqual(before.cover);
    expect(await covers.stored(received)).toBe(true);
  });

  it.each([
    ['no image part', [{ name: 'profile', data: JSON.stringify({ artist: 'A', title: 'T', year: '2001' }) }]],
    ['no profile part', [imagePart()]],
    [
      'an empty image',
      [
        imagePart(Buffer.alloc(0)),
        { name: 'profile', data: JSON.stringify({ artist: 'A', title: 'T', year: '2001' }) },
      ],
    ],
    ['a profile that is neither form', [imagePart(), { name: 'profile', data: 'artist=A&title=T' }]],
    [
      'a profile missing its title',
      [imagePart(), { name: 'profile', data: javaProfile('A', '', '1999').replace(/\s*title:.*\n/, '\n') }],
    ],
    [
      'an empty year',
      [imagePart(), { name: 'profile', data: JSON.stringify({ artist: 'A', title: 'T', year: '' }) }],
    ],
    [
      'a year that is not text',
      [imagePart(), { name: 'profile', data: JSON.stringify({ artist: 'A', title: 'T', year: null }) }],
    ],
    [
      'an image over the size limit',
      [
        imagePart(Buffer.alloc(5 * 1024 * 1024 + 1, 7)),
        { name: 'profile', data: JSON.stringify({ artist: 'A', title: 'T', year: '2001' }) },
      ],
    ],
  ] as Array<[string, Part[]]>)('answers 400 with a msg for %s', async (_case, parts) => {
    const error = await expectContract(await postAlbum(parts), 400, CourseError);
    expect(error.msg.length).toBeGreaterThan(0);
  });

  it('answers 400 for a body that is not multipart', async () => {
    const response = await fetch(`${base}albums`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await expectContract(response, 400, CourseError);
  });

  it.each(['abc', '0', '01', '-1', '1.0', '999999999', '9'.repeat(30), 'not%20an%20id', randomUUID()])(
    'answers 404 for %s, an id that names no album',
    async (id) => {
      const missing = await expectContract(await fetch(`${base}albums/${id}`), 404, CourseError);
      expect(missing).toEqual({ msg: 'Key not found' });
    },
  );

  it('takes likes and dislikes with 201 and counts them as strings', async () => {
    const { albumID } = await expectContract(
      await postAlbum([
        imagePart(),
        { name: 'profile', data: JSON.stringify({ artist: 'A', title: 'Reviewed', year: 2010 }) },
      ]),
      200,
      CourseAlbumCreated,
    );
    for (const likeornot of ['like', 'like', 'dislike']) {
      const response = await fetch(`${base}review/${likeornot}/${albumID}`, { method: 'POST' });
      expect(response.status).toBe(201);
    }
    const counts = await eventually(async () => {
      const body = await expectContract(await fetch(`${base}review/${albumID}`), 200, CourseReviewCounts);
      return body.likes === '2' && body.dislikes === '1' ? body : undefined;
    });
    expect(counts).toEqual({ likes: '2', dislikes: '1' });
  });

  it('answers 400 for a bad likeornot and 404 for an id that names no album', async () => {
    await expectContract(
      await fetch(`${base}review/love/${randomUUID()}`, { method: 'POST' }),
      400,
      CourseError,
    );
    await expectContract(await fetch(`${base}review/like/abc`, { method: 'POST' }), 404, CourseError);
    await expectContract(await fetch(`${base}review/like/999999999`, { method: 'POST' }), 404, CourseError);
    await expectContract(
      await fetch(`${base}review/like/${randomUUID()}`, { method: 'POST' }),
      404,
      CourseError,
    );
    await expectContract(await fetch(`${base}review/${randomUUID()}`), 404, CourseError);
    await expectContract(await fetch(`${base}review/x`), 404, CourseError);
  });
});

describe('the course OpenAPI description', () => {
  it('is served beside the album API docs, with its own viewer', async () => {
    const served = await (await fetch(`${stack.apiUrl}/docs/cs6650.json`)).json();
    expect(served).toEqual(JSON.parse(JSON.stringify(courseOpenApiDocument)));
    expect(Object.keys(served.paths).sort()).toEqual([
      '/albums',
      '/albums/{albumID}',
      '/review/{albumID}',
      '/review/{likeornot}/{albumID}',
    ]);
    const page = await fetch(`${stack.apiUrl}/docs/cs6650`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain("url: '/docs/cs6650.json'");
    expect(html).toContain('href="/docs"');
    expect(await (await fetch(`${stack.apiUrl}/docs`)).text()).toContain('href="/docs/cs6650"');
  });

  it('has schemas a JSON Schema validator compiles, and every reference resolves', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const text = JSON.stringify(courseOpenApiDocument);
    for (const [, name] of text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) {
      expect(courseOpenApiDocument.components.schemas).toHaveProperty(name as string);
    }
    for (const schema of Object.values(courseOpenApiDocument.components.schemas)) {
      expect(() => ajv.compile(schema)).not.toThrow();
    }
  });
});
