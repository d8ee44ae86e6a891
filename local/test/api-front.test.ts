import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFront, startApiFront } from '../api-front.js';
import { readBody } from '../read-body.js';
import { type RawPiece, rawExchange, trickle } from '../testing/raw-http.js';

// The front before a stand-in for serverless-offline that reads whole bodies and says what it got, and
// answers a path its routes do not know as serverless-offline does, with every route it has.

const RECEIVE_TIMEOUT_MS = 1_000;
const MAX_BODY_BYTES = 64 * 1024;
const ANSWER_TIMEOUT_MS = 1_500;
/** How long after the timeout a refused request may take to be answered and closed on a busy machine. */
const CLOSE_WITHIN_MS = RECEIVE_TIMEOUT_MS + 2_000;

let upstream: Server;
let front: ApiFront;
const seenUpstream: string[] = [];

beforeAll(async () => {
  upstream = createServer(async (request, response) => {
    seenUpstream.push(`${request.method} ${request.url}`);
    if (request.url === '/albums/stuck') return; // a function that never answers
    // The front cuts a request off mid-body when it refuses it.
    const body = await readBody(request).catch(() => undefined);
    if (!body) return;
    const known = ['/albums', '/cs6650/albums', '/albums/one'].includes(request.url ?? '');
    response.writeHead(known ? 200 : 404, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify(
        known
          ? { received: body.length }
          : { statusCode: 404, error: 'Serverless-offline: route not found.', existingRoutes: ['GET - /'] },
      ),
    );
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  front = await startApiFront({
    routes: [
      { method: 'POST', path: '/albums' },
      { method: 'GET', path: '/albums/{albumId}' },
      { method: 'POST', path: '/albums/{albumId}/cover' },
      { method: 'POST', path: '/cs6650/albums' },
      { method: 'GET', path: '/' },
    ],
    upstreamPort: (upstream.address() as AddressInfo).port,
    limits: {
      receiveTimeoutMs: RECEIVE_TIMEOUT_MS,
      maxBodyBytes: MAX_BODY_BYTES,
      answerTimeoutMs: ANSWER_TIMEOUT_MS,
    },
  });
});

afterAll(async () => {
  await front?.close();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

const post = (path: string, headers: string) => `POST ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}\r\n`;
const exchange = (pieces: RawPiece[], waitMs = CLOSE_WITHIN_MS + 1_000) =>
  rawExchange(front.port, pieces, waitMs);

// Each waits out a timeout of the front's, idle: side by side, they wait once.
describe.concurrent('the API front: requests end', () => {
  it('passes a request that arrives in time', async () => {
    // Connection: close, here and below, where a test waits for an answer rather than for the front to close.
    const { status, body } = await exchange(
      [post('/albums', 'Content-Length: 2\r\nConnection: close\r\n'), '{}'],
      1_000,
    );
    expect(status).toBe(200);
    expect(JSON.parse(body ?? '')).toEqual({ received: 2 });
  });

  it.each([
    ['a body shorter than its Content-Length', [post('/albums', 'Content-Length: 100\r\n'), '{"a":']],
    [
      'a chunked body without its last chunk',
      [post('/albums', 'Transfer-Encoding: chunked\r\n'), '2\r\n{}\r\n'],
    ],
    ['Expect: 100-continue and no body', [post('/albums', 'Content-Length: 2\r\nExpect: 100-continue\r\n')]],
    ['headers that never end', ['POST /albums HTTP/1.1\r\nHost: localhost\r\n']],
    ['nothing at all', []],
    [
      'a body a byte at a time',
      [post('/albums', 'Content-Length: 40\r\n'), ...trickle('{"artist":"x"}', 150)],
    ],
    ['headers a byte at a time', trickle(post('/albums', 'Content-Length: 2\r\n'), 30)],
  ] as Array<[string, RawPiece[]]>)('408 in JSON and a closed connection for %s', async (_, pieces) => {
    const { status, body, closed, elapsedMs } = await exchange(pieces);
    expect(status).toBe(408);
    expect(JSON.parse(body ?? '')).toEqual({
      message: 'Request Timeout: the request did not arrive within 1 s',
    });
    expect(closed).toBe(true);
    expect(elapsedMs).toBeLessThan(CLOSE_WITHIN_MS);
  });

  it("answers 408 in the course's dialect on its paths", async () => {
    const { status, body } = await exchange([post('/cs6650/albums', 'Content-Length: 10\r\n'), 'abc']);
    expect(status).toBe(408);
    expect(JSON.parse(body ?? '')).toEqual({ msg: 'Request Timeout: the request did not arrive within 1 s' });
  });

  it('answers 503 in JSON when the function has not answered within the integration timeout', async () => {
    const { status, body, elapsedMs } = await exchange(
      ['GET /albums/stuck HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
      ANSWER_TIMEOUT_MS + 3_000,
    );
    expect(status).toBe(503);
    expect(JSON.parse(body ?? '')).toEqual({ message: 'Service Unavailable' });
    expect(elapsedMs).toBeGreaterThanOrEqual(ANSWER_TIMEOUT_MS - 50);
  });

  it('answers the 100 Continue it was asked for before timing the body out', async () => {
    const { text } = await exchange([post('/albums', 'Content-Length: 2\r\nExpect: 100-continue\r\n')]);
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n/);
  });
});

describe('the API front: bodies over the limit', () => {
  it('413 for a declared length over the limit, before any byte of it', async () => {
    const { status, body, closed } = await exchange([
      post('/albums', `Content-Length: ${MAX_BODY_BYTES + 1}\r\n`),
    ]);
    expect(status).toBe(413);
    expect(JSON.parse(body ?? '')).toEqual({ message: 'Request Entity Too Large' });
    expect(closed).toBe(true);
  });

  it('413 for a chunked body once it passes the limit, as for a declared one', async () => {
    const chunk = `4000\r\n${'x'.repeat(0x4000)}\r\n`;
    const pieces = [
      post('/cs6650/albums', 'Transfer-Encoding: chunked\r\n'),
      ...Array(8).fill(chunk),
      '0\r\n\r\n',
    ];
    const { status, body, closed } = await exchange(pieces);
    expect(status).toBe(413);
    expect(JSON.parse(body ?? '')).toEqual({ msg: 'Request Entity Too Large' });
    expect(closed).toBe(true);
  });

  it('passes a chunked body within the limit whole', async () => {
    const chunk = `4000\r\n${'x'.repeat(0x4000)}\r\n`;
    const pieces = [
      post('/albums', 'Transfer-Encoding: chunked\r\nConnection: close\r\n'),
      ...Array(3).fill(chunk),
      '0\r\n\r\n',
    ];
    const { status, body } = await exchange(pieces, 2_000);
    expect(status).toBe(200);
    expect(JSON.parse(body ?? '')).toEqual({ received: 3 * 0x4000 });
  });
});

describe("the API front: what Node's parser refuses is refused in JSON", () => {
  it.each([
    ['a broken request line', ['GARBAGE\r\n\r\n'], 400, undefined],
    ['a header with a control character', [post('/albums', 'X-Evil: a\u0001b\r\n')], 400, 'message'],
    ['a course path with a broken header', [post('/cs6650/albums', 'Bad Header\r\n')], 400, 'msg'],
    ['headers over 16 KiB', [post('/albums', `X-Big: ${'x'.repeat(20_000)}\r\n`)], 431, 'message'],
    ['a bad chunk size', [post('/albums', 'Transfer-Encoding: chunked\r\n'), 'zz\r\n'], 400, 'message'],
    [
      'both Content-Length and chunked',
      [post('/albums', 'Content-Length: 2\r\nTransfer-Encoding: chunked\r\n')],
      400,
      'message',
    ],
    [
      'an expectation other than 100-continue',
      [post('/albums', 'Expect: tea\r\nContent-Length: 0\r\n')],
      417,
      'message',
    ],
    ['HTTP/1.1 without Host', ['GET /albums/one HTTP/1.1\r\n\r\n'], 400, 'message'],
  ] as Array<[string, RawPiece[], number, string | undefined]>)('%s', async (_, pieces, status, key) => {
    const answer = await exchange(pieces);
    expect(answer.status).toBe(status);
    const body = JSON.parse(answer.body ?? '') as Record<string, string>;
    expect(Object.keys(body)).toEqual([key ?? 'message']);
    expect(Object.values(body)[0]).toMatch(/^[A-Z]/);
    expect(answer.closed).toBe(true);
  });
});

describe('the API front: paths matched as API Gateway matches them', () => {
  it.each([
    'POST /albums/../cover',
    'GET /albums/..',
    'GET /albums/.',
    'GET /albums/%2e%2e',
    'GET /albums/%2E.',
    'POST /albums/x/../../albums',
    'POST /albums/%2e%2e/cover',
    'GET /albums\\..\\cover',
    'POST /cs6650/../albums',
  ])('%s is a JSON 400 that never reaches the emulator', async (request) => {
    const [method, path] = request.split(' ') as [string, string];
    const before = seenUpstream.length;
    const { status, body } = await exchange(
      [`${method} ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`],
      1_000,
    );
    expect(status).toBe(400);
    const key = path.startsWith('/cs6650/') ? 'msg' : 'message';
    expect(JSON.parse(body ?? '')).toEqual({
      [key]: expect.stringMatching(/^Bad Request: the path must not contain/),
    });
    expect(seenUpstream.length).toBe(before);
  });

  it("never passes on the emulator's list of routes", async () => {
    // A path the front's routes take and the emulator's own router does not know.
    const { status, body } = await exchange(
      ['GET /albums/elsewhere HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
      1_000,
    );
    expect(status).toBe(404);
    expect(JSON.parse(body ?? '')).toEqual({ message: 'Not Found' });
  });
});
