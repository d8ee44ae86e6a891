import { readFileSync } from 'node:fs';
import { rawExchange } from '@album-service/local/testing/raw-http';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CourseError } from '../../lib/course/contract.js';
import { ErrorBody } from '../../lib/schemas.js';
import { signedInAs } from '../support/auth.js';
import { coversBucket } from '../support/covers.js';
import { FUZZ_SEED, replayLine } from '../support/fuzz-seed.js';
import { png } from '../support/images.js';
import { reviewsQueueDrained } from '../support/reviews-queue.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';
import {
  type Dialect,
  type KnownAlbums,
  type MalformedRequest,
  malformedRequests,
} from './malformed-requests.js';
import { malformedWireRequests, type WireRequest } from './malformed-requests-raw.js';

/**
 * Property: every request that must be refused is refused, by every route of both APIs, with a 4xx in the
 * API's own error shape, and leaves every album, cover and count as it was. Seeded, so a failure replays.
 */

/** Requests sent together: the stack answers them side by side, and a batch waits only for its slowest. */
const IN_FLIGHT = 16;
const REQUESTS = 2_000;
/** Many at once on the wire: a request that never ends waits out the receive timeout, idle, before its 408. */
const WIRE_IN_FLIGHT = 60;
const WIRE_REQUESTS = 120;
/** API Gateway gives a request 30 s to arrive; the stack here is given 2, so a stalled one is cut quickly. */
const RECEIVE_TIMEOUT_MS = 2_000;
/** How long past the timeout a busy machine may take to answer a stalled request and close it. */
const CLOSE_SLACK_MS = 3_000;
/** No reply of ours may be larger, whatever was sent. */
const MAX_REPLY_BYTES = 1 << 20;

const errorShapes: Record<Dialect, TSchema> = { native: ErrorBody, course: CourseError };
const maxCoverBytes = Number(/COVER_MAX_BYTES:\s*"(\d+)"/.exec(readFileSync('serverless.yml', 'utf8'))?.[1]);

let stack: TestStack;
let covers: ReturnType<typeof coversBucket>;
let known: KnownAlbums;
let before: unknown;
/** Sent with every native request, so that a refusal is the route's own, not the authorizer's. */
let signedIn: { authorization: string };
const statuses = new Map<string, Map<number, number>>();
const byDialect = new Map<Dialect, number>();

const api = (path: string, init?: RequestInit) => fetch(`${stack.apiUrl}${path}`, init);
const postJson = (path: string, body: unknown) =>
  api(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signedIn },
    body: JSON.stringify(body),
  });

async function courseAlbum(): Promise<string> {
  const boundary = 'seed-boundary';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="c.png"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    ),
    png(4, 4),
    Buffer.from(
      `\r\n--${boundary}\r\nContent-Disposition: form-data; name="profile"\r\n\r\n` +
        `{"artist":"Sex Pistols","title":"Never Mind The Bollocks!","year":"1977"}\r\n--${boundary}--\r\n`,
    ),
  ]);
  const response = await api('/cs6650/albums', {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    body,
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { albumID: string }).albumID;
}

/** Everything a refused request must leave alone: every album (cover status and counts included), every count, every stored object. */
async function snapshot() {
  const albums: unknown[] = [];
  for (let cursor: string | null = ''; cursor !== null; ) {
    const page = (await (await api(`/albums?limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
      items: unknown[];
      nextCursor: string | null;
    };
    albums.push(...page.items);
    cursor = page.nextCursor;
  }
  const counts = await Promise.all(
    known.ids.map(async (id, i) => ({
      native: await (await api(`/albums/${id}/reviews`)).json(),
      course: await (await api(`/cs6650/review/${id}`)).json(),
      byCourseId: await (await api(`/cs6650/review/${known.courseIds[i]}`)).json(),
      myVote: await (await api(`/albums/${id}/reviews/mine`, { headers: signedIn })).json(),
    })),
  );
  const { Contents = [] } = await covers.s3.send(new ListObjectsV2Command({ Bucket: covers.bucket }));
  const objects = Contents.map(({ Key, Size, ETag }) => ({ Key, Size, ETag }));
  return { albums, counts, objects };
}

/** Sends one request and throws, describing it, unless it is refused in its API's error shape. */
async function expectRefused(request: MalformedRequest): Promise<void> {
  const response = await api(request.path, {
    method: request.method,
    headers: request.dialect === 'native' ? { ...signedIn, ...request.headers } : request.headers,
    body: request.body && new Uint8Array(request.body),
    redirect: 'manual',
  });
  const text = await response.text();
  const byStatus = statuses.get(request.route) ?? new Map<number, number>();
  byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
  statuses.set(request.route, byStatus);
  byDialect.set(request.dialect, (byDialect.get(request.dialect) ?? 0) + 1);

  const problem = (what: string) =>
    new Error(`${what}: ${fc.stringify(request)}\n  → ${response.status} ${text.slice(0, 500)}`);
  if (response.status < 400 || response.status > 499) throw problem('Not refused with a 4xx');
  if (Buffer.byteLength(text) > MAX_REPLY_BYTES) throw problem(`Reply of ${Buffer.byteLength(text)} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw problem('Error body is not JSON');
  }
  if (!Value.Check(errorShapes[request.dialect], body)) throw problem(`Not a ${request.dialect} error body`);
}

/** Sends one request as bytes and throws, describing it, unless it is refused in its API's shape and closed. */
async function expectRefusedOnTheWire(request: WireRequest): Promise<void> {
  const waitMs = RECEIVE_TIMEOUT_MS + CLOSE_SLACK_MS + (request.kind === 'too large' ? 10_000 : 0);
  const answer = await rawExchange(Number(new URL(stack.apiUrl).port), request.pieces, waitMs);
  const route = `wire: ${request.kind}`;
  const byStatus = statuses.get(route) ?? new Map<number, number>();
  byStatus.set(answer.status ?? 0, (byStatus.get(answer.status ?? 0) ?? 0) + 1);
  statuses.set(route, byStatus);

  const problem = (what: string) =>
    new Error(`${what}: ${fc.stringify(request)}\n  → ${answer.text.slice(0, 500)}`);
  if (!request.statuses.includes(answer.status ?? 0)) throw problem(`Not refused with ${request.statuses}`);
  let body: unknown;
  try {
    body = JSON.parse(answer.body ?? '');
  } catch {
    throw problem('Error body is not JSON');
  }
  const dialects: Dialect[] = request.dialect === 'either' ? ['native', 'course'] : [request.dialect];
  if (!dialects.some((dialect) => Value.Check(errorShapes[dialect], body))) {
    throw problem(`Not a ${request.dialect} error body`);
  }
  if (!answer.closed) throw problem(`Connection still open after ${waitMs} ms`);
}

beforeAll(async () => {
  stack = await startTestStack({ requestLimits: { receiveTimeoutMs: RECEIVE_TIMEOUT_MS } });
  covers = coversBucket(stack);
  signedIn = await signedInAs(stack);
  const ids: string[] = [];
  for (const album of [
    { artist: 'Can', title: 'Tago Mago', year: 1971 },
    { artist: 'Nina Simone', title: 'Pastel Blues', year: 1965 },
  ]) {
    const response = await postJson('/albums', album);
    expect(response.status).toBe(201);
    ids.push(((await response.json()) as { albumId: string }).albumId);
  }
  const courseId = await courseAlbum();
  // The course names albums by sequence number: the two above are 1 and 2, the course album 3.
  expect(courseId).toBe('3');
  const newest = (await (await api('/albums?artist=Sex%20Pistols')).json()) as {
    items: { albumId: string }[];
  };
  ids.push(newest.items[0]?.albumId ?? '');
  known = {
    ids,
    courseIds: ['1', '2', courseId],
    maxCoverBytes,
    otherUser: await signedInAs(stack, 'fuzz-intruder'),
  };

  expect((await postJson(`/albums/${ids[0]}/reviews`, { kind: 'like' })).status).toBe(202);
  expect((await api(`/cs6650/review/dislike/${courseId}`, { method: 'POST' })).status).toBe(201);
  // Settled before the snapshot: reviews counted, the course album's cover verified.
  await eventually(
    async () => {
      const [likes, dislikes] = await Promise.all([
        api(`/albums/${ids[0]}/reviews`).then((r) => r.json() as Promise<{ likes: number }>),
        api(`/albums/${ids[2]}/reviews`).then((r) => r.json() as Promise<{ dislikes: number }>),
      ]);
      return likes.likes === 1 && dislikes.dislikes === 1 ? true : undefined;
    },
    20_000,
    'the seed reviews to be counted',
  );
  await eventually(
    async () => {
      const album = (await (await api(`/albums/${ids[2]}`)).json()) as { cover: { status: string } };
      return album.cover.status === 'pending' ? undefined : true;
    },
    20_000,
    'the course album cover to be verified',
  );
  before = await snapshot();
});

afterAll(async () => {
  covers?.s3.destroy();
  await stack?.stop();
  const lines = [...statuses.entries()].sort(([a], [b]) => a.localeCompare(b));
  const total = lines.reduce(
    (sum, [, byStatus]) => sum + [...byStatus.values()].reduce((a, b) => a + b, 0),
    0,
  );
  const overall = new Map<number, number>();
  for (const [, byStatus] of lines)
    for (const [status, count] of byStatus) overall.set(status, (overall.get(status) ?? 0) + count);
  const describeStatuses = (byStatus: Map<number, number>) =>
    [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
  console.log(
    [
      `Fuzz (seed ${FUZZ_SEED}): ${total} malformed requests, ${describeStatuses(overall)}`,
      ...lines.map(([route, byStatus]) => `  ${route.padEnd(44)} ${describeStatuses(byStatus)}`),
      `  error shape checked: native ${byDialect.get('native') ?? 0}, course ${byDialect.get('course') ?? 0}`,
    ].join('\n'),
  );
});

describe('malformed requests', () => {
  it(`are refused with a 4xx in the API's own error shape (seed ${FUZZ_SEED})`, {
    timeout: 600_000,
  }, async () => {
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(malformedRequests(known), { minLength: IN_FLIGHT, maxLength: IN_FLIGHT }),
          async (batch) => {
            await Promise.all(batch.map(expectRefused));
          },
        ),
        { seed: FUZZ_SEED, numRuns: Math.ceil(REQUESTS / IN_FLIGHT), endOnFailure: true, verbose: 1 },
      );
    } catch (error) {
      throw new Error(
        `${replayLine('test/fuzz')}\n${
          (error as Error).message
        }\n${((error as Error).cause as Error | undefined)?.message ?? ''}`,
      );
    }
  });

  it(`are refused on the wire too: dot segments, what the parser refuses, requests that never end, chunked bodies over the limit (seed ${FUZZ_SEED})`, {
    timeout: 600_000,
  }, async () => {
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(malformedWireRequests(known, RECEIVE_TIMEOUT_MS), {
            minLength: WIRE_IN_FLIGHT,
            maxLength: WIRE_IN_FLIGHT,
          }),
          async (batch) => {
            await Promise.all(batch.map(expectRefusedOnTheWire));
          },
        ),
        {
          seed: FUZZ_SEED,
          numRuns: Math.ceil(WIRE_REQUESTS / WIRE_IN_FLIGHT),
          endOnFailure: true,
          verbose: 1,
        },
      );
    } catch (error) {
      throw new Error(
        `${replayLine('test/fuzz')}\n${(error as Error).message}\n${((error as Error).cause as Error | undefined)?.message ?? ''}`,
      );
    }
  });

  it('change no album, cover or count', async () => {
    // Once the reviews queue has drained, a review wrongly accepted has been counted.
    await reviewsQueueDrained(stack);
    expect(await snapshot()).toEqual(before);
  });

  it('leave the API answering good requests', async () => {
    const [albumId] = known.ids;
    expect((await api(`/albums/${albumId}`)).status).toBe(200);
    expect((await api(`/cs6650/albums/${albumId}`)).status).toBe(200);
    expect((await api(`/cs6650/albums/${known.courseIds[0]}`)).status).toBe(200);
    expect((await postJson('/albums', { artist: 'Björk', title: 'Début', year: 1993 })).status).toBe(201);
    const courseId = await courseAlbum();
    expect((await api(`/cs6650/albums/${courseId}`)).status).toBe(200);
  });
});
