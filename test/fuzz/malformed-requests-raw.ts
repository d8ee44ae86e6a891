import type { RawPiece } from '@album-service/local/testing/raw-http';
import fc from 'fast-check';
import type { Dialect, KnownAlbums } from './malformed-requests.js';

/**
 * Generators of requests as bytes on a socket, for what `fetch` will not send: dot segments it would
 * resolve, requests Node's HTTP parser refuses, requests that never finish arriving, chunked bodies past
 * the limit. Each must be refused with a 4xx in the API's own error shape, and the connection closed.
 */

export interface WireRequest {
  /** What kind of refusal it is, for the summary. */
  kind: 'dot segments' | 'parser' | 'unfinished' | 'too large';
  /** Whose error shape the answer must have; `either` where the parser refuses before a path can be read. */
  dialect: Dialect | 'either';
  /** The statuses it may be refused with. */
  statuses: number[];
  pieces: RawPiece[];
  /** What is wrong with it, for the counterexample. */
  defect: string;
}

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A request with a short printed form: a 10 MiB body stays readable in a counterexample. */
function wire(fields: WireRequest): WireRequest {
  return Object.assign(fields, {
    [fc.toStringMethod]: () => {
      const head = fields.pieces
        .filter((piece): piece is string => typeof piece === 'string')
        .join('')
        .slice(0, 300);
      return `${JSON.stringify(head)} [${fields.kind}: ${fields.defect}]`;
    },
  });
}

const dialectOf = (path: string): Dialect => (path.startsWith('/cs6650/') ? 'course' : 'native');

/** Every route of both APIs, with its parameters filled in with names of albums that exist. */
function routes(known: KnownAlbums): Array<{ method: string; path: string }> {
  const [id = '', courseId = ''] = [known.ids[0], known.courseIds[0]];
  return [
    { method: 'POST', path: '/albums' },
    { method: 'GET', path: '/albums' },
    { method: 'GET', path: `/albums/${id}` },
    { method: 'GET', path: `/albums/${id}/reviews` },
    { method: 'POST', path: `/albums/${id}/reviews` },
    { method: 'POST', path: `/albums/${id}/cover` },
    { method: 'POST', path: '/cs6650/albums' },
    { method: 'GET', path: `/cs6650/albums/${courseId}` },
    { method: 'POST', path: `/cs6650/review/like/${courseId}` },
    { method: 'GET', path: `/cs6650/review/${courseId}` },
    { method: 'GET', path: '/' },
    { method: 'GET', path: '/docs' },
  ];
}

const head = (method: string, path: string, headers: string[]) =>
  `${method} ${path} HTTP/1.1\r\nHost: localhost\r\n${headers.map((line) => `${line}\r\n`).join('')}\r\n`;

const dot = fc.constantFrom('..', '.', '%2e%2e', '%2E%2E', '%2e.', '.%2E', '%2e');

/** A route's path with a dot segment put in place of one of its segments, or between two. */
function dotSegments(known: KnownAlbums): fc.Arbitrary<WireRequest> {
  return fc
    .tuple(fc.constantFrom(...routes(known)), dot, fc.nat(), fc.boolean(), fc.boolean())
    .map(([route, segment, at, replace, backslash]) => {
      const parts = route.path.split('/').slice(1);
      const index = at % (parts.length + (replace ? 0 : 1));
      parts.splice(index, replace ? 1 : 0, segment);
      let path = `/${parts.join('/')}`;
      // The router behind reads a backslash as a slash: one before the dot segment is as good.
      if (backslash && index > 0) path = path.replace(`/${segment}`, `\\${segment}`);
      return wire({
        kind: 'dot segments',
        dialect: dialectOf(path),
        statuses: [400],
        pieces: [head(route.method, path, ['Content-Length: 0', 'Connection: close'])],
        defect: `${replace ? 'a segment replaced by' : 'a segment'} ${segment}${backslash && index > 0 ? ' after \\' : ''}`,
      });
    });
}

/** Requests Node's HTTP parser, or the front's own checks of a request's head, refuse. */
function parserRefusals(known: KnownAlbums): fc.Arbitrary<WireRequest> {
  const route = fc.constantFrom(...routes(known));
  const byPath = (defect: string, statuses: number[], build: (method: string, path: string) => RawPiece[]) =>
    route.map(({ method, path }) =>
      wire({ kind: 'parser', dialect: dialectOf(path), statuses, pieces: build(method, path), defect }),
    );
  const unreadable = (defect: string, statuses: number[], pieces: RawPiece[]) =>
    wire({ kind: 'parser', dialect: 'either', statuses, pieces, defect });
  const badHeaderLine = fc.constantFrom(
    'X-Evil: a\u0001b',
    'X-Evil: a\u007fb',
    'Bad Header',
    'Bad Header: x',
    ': no name',
    'X-Evil\t: x',
    'Content-Length: abc',
    'Content-Length: -1',
    'Content-Length: 1 2',
    'Transfer-Encoding: chunked, identity',
  );
  return fc.oneof(
    fc.tuple(route, badHeaderLine).map(([{ method, path }, line]) =>
      wire({
        kind: 'parser',
        dialect: dialectOf(path),
        statuses: [400],
        pieces: [head(method, path, [line])],
        defect: `header line ${JSON.stringify(line)}`,
      }),
    ),
    byPath('two different Content-Lengths', [400], (method, path) => [
      head(method, path, ['Content-Length: 1', 'Content-Length: 2']),
    ]),
    byPath('Content-Length and chunked', [400], (method, path) => [
      head(method, path, ['Content-Length: 2', 'Transfer-Encoding: chunked']),
    ]),
    byPath('a bad chunk size', [400], (method, path) => [
      head(method, path, ['Transfer-Encoding: chunked']),
      'zz\r\n{}\r\n0\r\n\r\n',
    ]),
    byPath('an expectation other than 100-continue', [417], (method, path) => [
      head(method, path, ['Expect: tea', 'Content-Length: 0']),
    ]),
    byPath('HTTP/1.1 without Host', [400], (method, path) => [`${method} ${path} HTTP/1.1\r\n\r\n`]),
    fc
      .integer({ min: 17 * 1024, max: 64 * 1024 })
      .chain((size) =>
        route.map(({ method, path }) =>
          unreadable(`headers of ${size} bytes`, [431], [head(method, path, [`X-Big: ${'x'.repeat(size)}`])]),
        ),
      ),
    fc
      .constantFrom(
        'GARBAGE\r\n\r\n',
        'GET\r\n\r\n',
        'GET /albums HTTP/1.1 extra\r\nHost: x\r\n\r\n',
        'G@T /albums HTTP/1.1\r\nHost: x\r\n\r\n',
        'GET /albums FTP/1.1\r\nHost: x\r\n\r\n',
        '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003',
        'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      )
      .map((line) => unreadable(`request line ${JSON.stringify(line.slice(0, 30))}`, [400], [line])),
    fc
      .uint8Array({ minLength: 1, maxLength: 64 })
      .filter((bytes) => !/^[A-Z]+ /.test(Buffer.from(bytes).toString('latin1')))
      .map((bytes) => unreadable('random bytes', [400, 408], [Buffer.from(bytes), '\r\n\r\n'])),
  );
}

/** Requests that never finish arriving: each must be cut at the receive timeout with a 408. */
function unfinished(known: KnownAlbums, receiveTimeoutMs: number): fc.Arbitrary<WireRequest> {
  const posts = routes(known).filter((route) => route.method === 'POST');
  const slowly = Math.ceil(receiveTimeoutMs / 8);
  return fc
    .tuple(
      fc.constantFrom(...posts),
      fc.constantFrom('short body', 'no last chunk', '100-continue and no body', 'a byte at a time'),
      fc.integer({ min: 10, max: 5_000 }),
    )
    .map(([{ method, path }, defect, length]) => {
      const pieces: Record<typeof defect, RawPiece[]> = {
        'short body': [head(method, path, [`Content-Length: ${length}`]), '{"a":'],
        'no last chunk': [head(method, path, ['Transfer-Encoding: chunked']), '2\r\n{}\r\n'],
        '100-continue and no body': [
          head(method, path, [`Content-Length: ${length}`, 'Expect: 100-continue']),
        ],
        'a byte at a time': [
          head(method, path, [`Content-Length: ${length}`]),
          ...Array.from({ length: 16 }, () => ['x', { pauseMs: slowly }]).flat(),
        ],
      };
      return wire({
        kind: 'unfinished',
        dialect: dialectOf(path),
        statuses: [408],
        pieces: pieces[defect],
        defect,
      });
    });
}

/** A chunked body past the 10 MiB limit, which must be refused as one with a Content-Length is. */
function tooLarge(known: KnownAlbums): fc.Arbitrary<WireRequest> {
  const chunk = `100000\r\n${'x'.repeat(0x100000)}\r\n`;
  const posts = routes(known).filter((route) => route.method === 'POST');
  return fc.constantFrom(...posts).map(({ method, path }) =>
    wire({
      kind: 'too large',
      dialect: dialectOf(path),
      statuses: [413],
      pieces: [
        head(method, path, ['Transfer-Encoding: chunked', 'Content-Type: application/json']),
        ...Array(MAX_BODY_BYTES / 0x100000 + 1).fill(chunk),
        '0\r\n\r\n',
      ],
      defect: `chunked body of ${MAX_BODY_BYTES + 0x100000} bytes`,
    }),
  );
}

/**
 * Requests on the wire that every route of both APIs must refuse, each with one defect: a dot segment, a
 * head the parser refuses, a request that never finishes arriving, or a chunked body over the limit.
 *
 * @example
 * fc.sample(malformedWireRequests(known, 2_000), 1)[0].pieces;
 */
export function malformedWireRequests(
  known: KnownAlbums,
  receiveTimeoutMs: number,
): fc.Arbitrary<WireRequest> {
  return fc.oneof(
    { weight: 6, arbitrary: dotSegments(known) },
    { weight: 6, arbitrary: parserRefusals(known) },
    { weight: 3, arbitrary: unfinished(known, receiveTimeoutMs) },
    { weight: 1, arbitrary: tooLarge(known) },
  );
}
