import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlbum } from '../support/albums.js';
import { jsonAs } from '../support/auth.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
/** The creation routes' own throttling for this stack: a burst of 2, then one request a second. */
const throttledEnv = { ALBUM_CREATE_RATE_LIMIT: '1', ALBUM_CREATE_BURST_LIMIT: '2' };

beforeAll(async () => {
  const saved = { ...process.env };
  Object.assign(process.env, throttledEnv);
  try {
    stack = await startTestStack({ throttle: true });
  } finally {
    for (const name of Object.keys(throttledEnv)) if (saved[name] === undefined) delete process.env[name];
  }
});

afterAll(async () => {
  await stack?.stop();
});

type LogLine = Record<string, unknown>;

/** The functions' structured log lines: every JSON document the stack printed. */
const logLines = (): LogLine[] =>
  stack.logs.flatMap((line) => {
    const start = line.indexOf('{');
    if (start < 0) return [];
    try {
      const parsed = JSON.parse(line.slice(start));
      return typeof parsed === 'object' && parsed !== null ? [parsed as LogLine] : [];
    } catch {
      return [];
    }
  });

describe("a review's correlation id", () => {
  it('is the same in the API function, the queue message and the consumer', async () => {
    const { albumId } = await createAlbum(stack, 'The Correlated');
    const response = await fetch(`${stack.apiUrl}/albums/${albumId}/reviews`, {
      method: 'POST',
      headers: await jsonAs(stack),
      body: JSON.stringify({ kind: 'like' }),
    });
    expect(response.status).toBe(202);
    const { messageId: voteId } = (await response.json()) as { messageId: string };
    // The id API Gateway returns to the client, as the local front does.
    const requestId = response.headers.get('apigw-requestid');
    expect(requestId).toMatch(/^[A-Za-z0-9+/]{14}[A-Za-z0-9+/=]{2}$/);

    const queued = logLines().find((line) => line.message === 'Review queued' && line.voteId === voteId);
    expect(queued?.function_name).toMatch(/postReview$/);
    const correlationId = queued?.correlation_id;
    expect(correlationId).toBe(requestId);

    // The consumer read it from the message's attribute: the message is the only way it travels there.
    const applying = await eventually(
      async () => logLines().find((line) => line.message === 'Applying review' && line.voteId === voteId),
      30_000,
      `the consumer's line about vote ${voteId}`,
    );
    expect(applying.function_name).toMatch(/applyReviews$/);
    expect(applying.correlation_id).toBe(correlationId);

    // One id for the whole path, and no other request's lines carry it.
    const carrying = logLines().filter((line) => line.correlation_id === correlationId);
    expect(new Set(carrying.map((line) => String(line.function_name).replace(/.*-/, '')))).toEqual(
      new Set(['postReview', 'applyReviews']),
    );
    const createLines = logLines().filter((line) => String(line.function_name).endsWith('createAlbum'));
    for (const line of createLines) expect(line.correlation_id).not.toBe(correlationId);
  });

  it("is the key of the request's entry in the local request history, with its hops", async () => {
    const { albumId } = await createAlbum(stack, 'The Remembered');
    const response = await fetch(`${stack.apiUrl}/albums/${albumId}/reviews`, {
      method: 'POST',
      headers: await jsonAs(stack),
      body: JSON.stringify({ kind: 'like' }),
    });
    expect(response.status).toBe(202);
    expect(response.headers.get('server-timing')).toMatch(/^function;dur=\d+(\.\d)?$/);
    const requestId = response.headers.get('apigw-requestid') as string;

    type Recorded = { id: string; method: string; path: string; status: number; hops: { name: string }[] };
    const entry = await eventually(
      async () => {
        const history = (await (await fetch(`${stack.apiUrl}/__requests.json`)).json()) as Recorded[];
        const found = history.find((request) => request.id === requestId);
        return found?.hops.some((hop) => hop.name === 'applyReviews: Applying review') ? found : undefined;
      },
      30_000,
      `the consumer's hop in the history of request ${requestId}`,
    );
    expect(entry).toMatchObject({ method: 'POST', path: `/albums/${albumId}/reviews`, status: 202 });
    expect(entry.hops.map((hop) => hop.name)).toEqual([
      'front',
      'function',
      'postReview: Review queued',
      'applyReviews: Applying review',
    ]);
    const page = await fetch(`${stack.apiUrl}/__requests`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain(requestId);
  });

  it('is a different one on every request', async () => {
    const { albumId } = await createAlbum(stack, 'The Twice Correlated');
    const voteIds: string[] = [];
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${stack.apiUrl}/albums/${albumId}/reviews`, {
        method: 'POST',
        headers: await jsonAs(stack),
        body: JSON.stringify({ kind: 'dislike' }),
      });
      voteIds.push(((await response.json()) as { messageId: string }).messageId);
    }
    const ids = voteIds.map(
      (voteId) =>
        logLines().find((line) => line.message === 'Review queued' && line.voteId === voteId)?.correlation_id,
    );
    expect(ids[0]).toEqual(expect.any(String));
    expect(ids[1]).toEqual(expect.any(String));
    expect(ids[0]).not.toBe(ids[1]);
  });
});

describe("the stack's front", () => {
  it("throttles a route at the stage's configured rate with API Gateway's 429", async () => {
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // the bucket full again
    const headers = await jsonAs(stack);
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(`${stack.apiUrl}/albums`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ artist: 'The Flood', title: `Wave ${randomUUID()}`, year: 2020 }),
        }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(3);
    expect(statuses.filter((status) => status !== 201 && status !== 429)).toEqual([]);
    const refused = responses.find((response) => response.status === 429) as Response;
    expect(await refused.json()).toEqual({ message: 'Too Many Requests' });
    // Another route keeps its own bucket, at the stage's default.
    expect((await fetch(`${stack.apiUrl}/albums`)).status).toBe(200);
  });
});

describe('every API response through the stack', () => {
  it('carries the security headers, the success and the error alike', async () => {
    const responses = [
      await fetch(`${stack.apiUrl}/albums`),
      await fetch(`${stack.apiUrl}/albums/not-an-id`),
      await fetch(`${stack.apiUrl}/cs6650/albums/not-an-id`),
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 400, 404]);
    for (const response of responses) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    }
  });
});
