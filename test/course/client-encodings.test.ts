import { randomBytes, randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CourseAlbumCreated,
  CourseAlbumInfo,
  CourseReviewAccepted,
  CourseReviewCounts,
} from '../../lib/course/contract.js';
import { coverJudged, shownCoverBytes } from '../support/covers.js';
import { png } from '../support/images.js';
import { courseOperation, expectCourseResponse, expectDocumentedResponse } from '../support/openapi.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import { nativeAlbum } from './albums.js';

/**
 * What real course clients put on the wire, replayed byte for byte: each request is written to a socket as
 * the client writes it (request line, headers in its order, a multipart body built the way its library
 * builds one), so nothing in between normalises it. Each must be answered as the contract says, and store
 * what the client meant.
 */

let stack: TestStack;
let port: number;
let host: string;

beforeAll(async () => {
  stack = await startTestStack();
  const url = new URL(stack.apiUrl);
  port = Number(url.port);
  host = `${url.hostname}:${port}`;
});

afterAll(async () => {
  await stack?.stop();
});

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Writes `head` (request line and headers, as text) and `body` to a fresh connection and reads one response.
 * With `awaitContinue` the body waits for the server's `100 Continue`, as curl's does after `Expect:`.
 */
function sendRaw(
  head: string,
  body: Buffer = Buffer.alloc(0),
  { awaitContinue = false } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    let bodySent = !awaitContinue;
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(head);
      if (!awaitContinue) socket.write(body);
    });
    const tryParse = (ended: boolean) => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine = '', ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(statusLine.split(' ')[1]);
      if (status === 100) {
        received = received.subarray(end + 4);
        if (!bodySent) {
          bodySent = true;
          socket.write(body);
        }
        tryParse(ended);
        return;
      }
      const headers = Object.fromEntries(
        lines.map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
        }),
      );
      const length = headers['content-length'];
      const rest = received.subarray(end + 4);
      if (length !== undefined ? rest.length >= Number(length) : ended) {
        socket.destroy();
        resolve({ status, headers, body: length !== undefined ? rest.subarray(0, Number(length)) : rest });
      }
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      tryParse(false);
    });
    socket.on('end', () => tryParse(true));
  });
}

/** The request head as text: the request line, then each header as given, in order. */
const requestHead = (method: string, path: string, headers: Array<[string, string | number]>) =>
  `${method} ${path} HTTP/1.1\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`;

/**
 * Asserts a course response: its status, a JSON body of exactly the contract's schema, and that the course
 * OpenAPI document lists both for the route.
 */
async function expectCourse(path: string, response: RawResponse, status: number, schema: TSchema) {
  expect(response.status, response.body.toString()).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  const body = await expectCourseResponse(
    ...courseOperation(path),
    new Response(new Uint8Array(response.body), { status, headers: response.headers }),
  );
  expect(Value.Check(schema, body), JSON.stringify(body)).toBe(true);
  return body;
}

// A real PNG (so its cover becomes ready) carrying every byte value, so anything that treats the image as
// text changes some byte.
const image = png(
  12,
  12,
  undefined,
  Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(2048)]),
);

/** An image read into a string and written back out: every byte from 0x80 up becomes U+FFFD. */
const throughText = (bytes: Buffer) =>
  Buffer.concat(
    [...bytes].map((byte) => (byte < 0x80 ? Buffer.from([byte]) : Buffer.from('\ufffd', 'utf8'))),
  );

/** The text the generated Java client sends for its `AlbumsProfile` model: its toString(). */
const javaProfile = (artist: string, title: string, year: string) =>
  `class AlbumsProfile {\n    artist: ${artist}\n    title: ${title}\n    year: ${year}\n}`;

interface Part {
  headers: Array<[string, string | number]>;
  data: Buffer;
}

/** A part whose headers are exactly those given, in order. */
const part = (headers: Array<[string, string | number]>, data: Buffer | string): Part => ({
  headers,
  data: Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'),
});

/**
 * The body most libraries write: `--boundary CRLF headers CRLF CRLF data CRLF` per part, then the closing
 * delimiter. Go's mime/multipart writes the CRLF before each delimiter rather than after each part, which
 * gives the same bytes.
 */
function multipartBody(boundary: string, parts: Part[]): Buffer {
  const chunks = parts.flatMap(({ headers, data }) => [
    Buffer.from(`--${boundary}\r\n${headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')}\r\n`),
    data,
    Buffer.from('\r\n'),
  ]);
  return Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]);
}

/** The generated okhttp client: Content-Length on every part (okhttp's MultipartBody writes one for each). */
function okhttpPart(name: string, data: Buffer | string, contentType?: string, filename?: string): Part {
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  return part(
    [
      ['Content-Disposition', `form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}`],
      ...(contentType ? ([['Content-Type', contentType]] as Array<[string, string]>) : []),
      ['Content-Length', bytes.length],
    ],
    bytes,
  );
}

/** POST albums as the generated Java client (swagger-codegen, okhttp) sends it. */
function okhttpCreate(parts: Part[]) {
  const boundary = randomUUID();
  const body = multipartBody(boundary, parts);
  const head = requestHead('POST', '/cs6650/albums', [
    ['Accept', 'application/json'],
    ['Content-Type', `multipart/form-data; boundary=${boundary}`],
    ['Content-Length', body.length],
    ['Host', host],
    ['Connection', 'Keep-Alive'],
    ['Accept-Encoding', 'gzip'],
    ['User-Agent', 'Swagger-Codegen/1.0.0/java'],
  ]);
  return sendRaw(head, body);
}

/** The headers Java's HttpClient adds to every request on an http URL while it hopes for HTTP/2. */
const h2cUpgrade: Array<[string, string]> = [
  ['Connection', 'Upgrade, HTTP2-Settings'],
  ['HTTP2-Settings', 'AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA'],
  ['Upgrade', 'h2c'],
];

const javaHttpClient = (method: string, path: string, body: Buffer = Buffer.alloc(0), contentType?: string) =>
  sendRaw(
    requestHead(method, path, [
      ...h2cUpgrade,
      ...(method === 'GET' ? [] : ([['Content-Length', body.length]] as Array<[string, number]>)),
      ['Host', host],
      ['User-Agent', 'Java-http-client/17.0.9'],
      ...(contentType ? ([['Content-Type', contentType]] as Array<[string, string]>) : []),
    ]),
    body,
  );

const courseGet = (path: string) =>
  sendRaw(
    requestHead('GET', path, [
      ['Host', host],
      ['Accept', '*/*'],
    ]),
  );

/** Asserts a create answered 200 with the next course id and the size received; returns the id. */
async function expectCreated(response: RawResponse, size: number): Promise<string> {
  const created = await expectCourse('/cs6650/albums', response, 200, CourseAlbumCreated);
  expect(created.albumID).toMatch(/^[1-9][0-9]*$/);
  expect(created.imageSize).toBe(String(size));
  return created.albumID;
}

/** Asserts the course GET gives the profile back exactly, and returns the album as our own API shows it. */
async function expectStored(albumID: string, profile: { artist: string; title: string; year: string }) {
  const path = `/cs6650/albums/${albumID}`;
  expect(await expectCourse(path, await courseGet(path), 200, CourseAlbumInfo)).toEqual(profile);
  const native = await nativeAlbum(stack.apiUrl, profile.artist, profile.title);
  // Our own API shows it as its document says, whatever the year's text.
  const shown = await fetch(`${stack.apiUrl}/albums/${native.albumId}`);
  expect(await expectDocumentedResponse('GET', '/albums/{albumId}', shown)).toMatchObject({
    artist: profile.artist,
    title: profile.title,
    year: native.year,
  });
  // The same album by its UUID, through the course API too.
  const byUuid = `/cs6650/albums/${native.albumId}`;
  expect(await expectCourse(byUuid, await courseGet(byUuid), 200, CourseAlbumInfo)).toEqual(profile);
  return native;
}

/** Asserts the cover became ready, the very bytes sent. */
async function expectReadyCover(albumId: string, bytes: Buffer) {
  const album = await coverJudged(stack.apiUrl, albumId);
  expect(album.cover).toMatchObject({ status: 'ready', contentType: 'image/png', size: bytes.length });
  expect(await shownCoverBytes(album)).toEqual(bytes);
}

const title = (client: string) => `Never Mind The Bollocks! (${client} ${randomUUID().slice(0, 8)})`;

describe('the generated Java client (okhttp)', () => {
  it('gets albumID 1 for the first album, and GETs a fixed albums/1 after its POSTs', async () => {
    const first = { artist: 'Sex Pistols', title: title('okhttp first'), year: 'bye' };
    const second = { artist: 'Sex Pistols', title: title('okhttp second'), year: 'bye' };
    const ids: string[] = [];
    for (const profile of [first, second]) {
      const response = await okhttpCreate([
        okhttpPart('image', image, 'application/octet-stream', 'nmtb.png'),
        okhttpPart('profile', javaProfile(profile.artist, profile.title, profile.year)),
      ]);
      ids.push(await expectCreated(response, image.length));
    }
    expect(ids).toEqual(['1', '2']);
    await expectStored('1', first);
    const native = await expectStored('2', second);
    expect(native.year).toBeNull();
    await expectReadyCover(native.albumId, image);
  });

  it.each([
    ['no content type on the image, the profile typed text/plain', undefined, 'text/plain; charset=utf-8'],
    ['an image/png image, the profile with no type', 'image/png', undefined],
  ])('takes %s', async (_case, imageType, profileType) => {
    const profile = { artist: 'Sex Pistols', title: title('okhttp'), year: '1977' };
    const response = await okhttpCreate([
      okhttpPart('profile', javaProfile(profile.artist, profile.title, profile.year), profileType),
      okhttpPart('image', image, imageType, 'nmtb.png'),
    ]);
    const albumID = await expectCreated(response, image.length);
    const native = await expectStored(albumID, profile);
    expect(native.year).toBe(1977);
    await expectReadyCover(native.albumId, image);
  });

  it('takes a JSON profile typed application/json', async () => {
    const profile = { artist: 'Sex Pistols', title: title('okhttp json'), year: '1977 (remaster)' };
    const response = await okhttpCreate([
      okhttpPart('image', image, 'application/octet-stream', 'nmtb.png'),
      okhttpPart('profile', JSON.stringify(profile), 'application/json; charset=utf-8'),
    ]);
    const native = await expectStored(await expectCreated(response, image.length), profile);
    expect(native.year).toBeNull();
  });
});

describe('the generated Go client', () => {
  it('takes its multipart: the profile field first, as JSON, then the file', async () => {
    const profile = { artist: 'Sex Pistols', title: title('go'), year: 'bye' };
    const boundary = randomBytes(30).toString('hex');
    const body = multipartBody(boundary, [
      part([['Content-Disposition', 'form-data; name="profile"']], JSON.stringify(profile)),
      part(
        [
          ['Content-Disposition', 'form-data; name="image"; filename="nmtb.png"'],
          ['Content-Type', 'application/octet-stream'],
        ],
        image,
      ),
    ]);
    const response = await sendRaw(
      requestHead('POST', '/cs6650/albums', [
        ['Host', host],
        ['User-Agent', 'OpenAPI-Generator/1.0.0/go'],
        ['Content-Length', body.length],
        ['Accept', 'application/json'],
        ['Content-Type', `multipart/form-data; boundary=${boundary}`],
        ['Accept-Encoding', 'gzip'],
      ]),
      body,
    );
    const native = await expectStored(await expectCreated(response, image.length), profile);
    await expectReadyCover(native.albumId, image);
  });
});

describe("Java's HttpClient on an http URL (Upgrade: h2c)", () => {
  it('is answered over HTTP/1.1 on every route, and counts its reviews exactly', async () => {
    const profile = { artist: 'Sex Pistols', title: title('java.net.http'), year: '1977' };
    // Hand-written by the client: no space before boundary, as many Java examples write it.
    const boundary = `----JavaHttpClient${randomBytes(8).toString('hex')}`;
    const body = multipartBody(boundary, [
      part(
        [
          ['Content-Disposition', 'form-data; name="image"; filename="nmtb.png"'],
          ['Content-Type', 'application/octet-stream'],
        ],
        image,
      ),
      part(
        [
          ['Content-Disposition', 'form-data; name="profile"'],
          ['Content-Type', 'application/json'],
        ],
        JSON.stringify(profile),
      ),
    ]);
    const created = await javaHttpClient(
      'POST',
      '/cs6650/albums',
      body,
      `multipart/form-data;boundary=${boundary}`,
    );
    const albumID = await expectCreated(created, image.length);

    const path = `/cs6650/albums/${albumID}`;
    expect(await expectCourse(path, await javaHttpClient('GET', path), 200, CourseAlbumInfo)).toEqual(
      profile,
    );

    for (const likeornot of ['like', 'like', 'dislike', 'like']) {
      const reviewPath = `/cs6650/review/${likeornot}/${albumID}`;
      await expectCourse(reviewPath, await javaHttpClient('POST', reviewPath), 201, CourseReviewAccepted);
    }
    const countsPath = `/cs6650/review/${albumID}`;
    const counts = await eventually(async () => {
      const body = await expectCourse(
        countsPath,
        await javaHttpClient('GET', countsPath),
        200,
        CourseReviewCounts,
      );
      return body.likes === '3' && body.dislikes === '1' ? body : undefined;
    });
    expect(counts).toEqual({ likes: '3', dislikes: '1' });
    const native = await nativeAlbum(stack.apiUrl, profile.artist, profile.title);
    expect(native).toMatchObject({ year: 1977 });
  });
});

describe('Python requests', () => {
  const pythonHead = (boundary: string, length: number) =>
    requestHead('POST', '/cs6650/albums', [
      ['Host', host],
      ['User-Agent', 'python-requests/2.31.0'],
      ['Accept-Encoding', 'gzip, deflate'],
      ['Accept', '*/*'],
      ['Connection', 'keep-alive'],
      ['Content-Length', length],
      ['Content-Type', `multipart/form-data; boundary=${boundary}`],
    ]);
  // json.dumps separates with ", " and ": ".
  const pythonJson = (profile: Record<string, string>) =>
    `{${Object.entries(profile)
      .map(([key, value]) => `"${key}": ${JSON.stringify(value)}`)
      .join(', ')}}`;

  it('takes data= for the profile and files= for the image (no content type on either)', async () => {
    const profile = { artist: 'Sex Pistols', title: title('requests data='), year: 'bye' };
    const boundary = randomBytes(16).toString('hex');
    const body = multipartBody(boundary, [
      part([['Content-Disposition', 'form-data; name="profile"']], pythonJson(profile)),
      part([['Content-Disposition', 'form-data; name="image"; filename="nmtb.png"']], image),
    ]);
    const albumID = await expectCreated(await sendRaw(pythonHead(boundary, body.length), body), image.length);
    const native = await expectStored(albumID, profile);
    await expectReadyCover(native.albumId, image);
  });

  it('takes files= for both, the profile as (None, json, "application/json")', async () => {
    const profile = { artist: 'Sex Pistols', title: title('requests files='), year: '1977' };
    const boundary = randomBytes(16).toString('hex');
    const body = multipartBody(boundary, [
      part([['Content-Disposition', 'form-data; name="image"; filename="nmtb.png"']], image),
      part(
        [
          ['Content-Disposition', 'form-data; name="profile"'],
          ['Content-Type', 'application/json'],
        ],
        pythonJson(profile),
      ),
    ]);
    const albumID = await expectCreated(await sendRaw(pythonHead(boundary, body.length), body), image.length);
    await expectStored(albumID, profile);
  });

  it('takes a profile sent as a file, with a filename', async () => {
    const profile = { artist: 'Sex Pistols', title: title('requests profile file'), year: 'bye' };
    const boundary = randomBytes(16).toString('hex');
    const body = multipartBody(boundary, [
      part([['Content-Disposition', 'form-data; name="image"; filename="nmtb.png"']], image),
      part(
        [
          ['Content-Disposition', 'form-data; name="profile"; filename="profile.json"'],
          ['Content-Type', 'application/json'],
        ],
        pythonJson(profile),
      ),
    ]);
    const albumID = await expectCreated(await sendRaw(pythonHead(boundary, body.length), body), image.length);
    await expectStored(albumID, profile);
  });
});

describe('curl -F', () => {
  it.each([
    ['without Expect', false],
    ['with Expect: 100-continue, the body sent after 100 Continue', true],
  ])('takes image=@file and profile=...;type=application/json %s', async (_case, expectContinue) => {
    const profile = { artist: 'Sex Pistols', title: title('curl'), year: '1977' };
    const boundary = `------------------------${randomBytes(11).toString('hex')}`;
    const body = multipartBody(boundary, [
      part(
        [
          ['Content-Disposition', 'form-data; name="image"; filename="nmtb.png"'],
          ['Content-Type', 'image/png'],
        ],
        image,
      ),
      part(
        [
          ['Content-Disposition', 'form-data; name="profile"'],
          ['Content-Type', 'application/json'],
        ],
        JSON.stringify(profile),
      ),
    ]);
    const head = requestHead('POST', '/cs6650/albums', [
      ['Host', host],
      ['User-Agent', 'curl/8.5.0'],
      ['Accept', '*/*'],
      ['Content-Length', body.length],
      ['Content-Type', `multipart/form-data; boundary=${boundary}`],
      ...(expectContinue ? ([['Expect', '100-continue']] as Array<[string, string]>) : []),
    ]);
    const response = await sendRaw(head, body, { awaitContinue: expectContinue });
    const native = await expectStored(await expectCreated(response, image.length), profile);
    await expectReadyCover(native.albumId, image);
  });
});

describe('an image sent through a text encoding', () => {
  it('has its size reported as received, and the album stored with its cover rejected', async () => {
    const profile = { artist: 'Sex Pistols', title: title('text image'), year: 'bye' };
    const altered = throughText(image);
    expect(altered.length).toBeGreaterThan(image.length);
    const response = await okhttpCreate([
      okhttpPart('image', altered, 'application/octet-stream', 'nmtb.png'),
      okhttpPart('profile', javaProfile(profile.artist, profile.title, profile.year)),
    ]);
    const albumID = await expectCreated(response, altered.length);
    const native = await expectStored(albumID, profile);
    const judged = await coverJudged(stack.apiUrl, native.albumId);
    expect(judged.cover.status).toBe('rejected');
    expect(judged.cover.reason).toMatch(/./);
    // The album itself stands, and takes reviews.
    const reviewPath = `/cs6650/review/like/${albumID}`;
    await expectCourse(reviewPath, await javaHttpClient('POST', reviewPath), 201, CourseReviewAccepted);
  });
});
