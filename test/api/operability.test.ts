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
    // The function's time in the database and the queue, then the whole function's as the front saw it.
    expect(response.headers.get('server-timing')).toMatch(
      /^db;dur=\d+\.\d, queue;dur=\d+\.\d, function;dur=\d+\.\d$/,
    );
    const requestId = response.headers.get('apigw-requestid') as string;
    const { messageId: voteId } = (await response.json()) as { messageId: string };

    type Hop = { name: string; atMs: number; durationMs?: number };
    type Recorded = {
      id: string;
      method: string;
      path: string;
      status: number;
      traceId: string;
      hops: Hop[];
    };
    const entry = await eventually(
      async () => {
        const history = (await (await fetch(`${stack.apiUrl}/__requests.json`)).json()) as Recorded[];
        const found = history.find((request) => request.id === requestId);
        return found?.hops.some((hop) => hop.name.startsWith('applyReviews: batch of')) ? found : undefined;
      },
      30_000,
      `the consumer's batch in the history of request ${requestId}`,
    );
    expect(entry).toMatchObject({ method: 'POST', path: `/albums/${albumId}/reviews`, status: 202 });
    expect(entry.traceId).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    const names = entry.hops.map((hop) => hop.name);
    const at = (name: string | RegExp) =>
      names.findIndex((hopName) => (typeof name === 'string' ? hopName === name : name.test(hopName)));
    // The function's statements, told by the Data API with the trace its calls carried, within the function.
    const functionHop = entry.hops[at('function')] as Hop;
    const statements = entry.hops.filter((hop) => hop.name.startsWith('data-api: ExecuteStatement'));
    expect(statements.length).toBeGreaterThanOrEqual(2);
    for (const statement of statements) expect(statement.durationMs).toEqual(expect.any(Number));
    const functionStatements = statements.filter(
      (hop) => hop.atMs < functionHop.atMs + (functionHop.durationMs ?? 0),
    );
    expect(functionStatements.length).toBeGreaterThanOrEqual(1);
    for (const statement of functionStatements)
      expect(statement.atMs).toBeGreaterThanOrEqual(functionHop.atMs - 1);
    // In the order they happened: queued by the API function, carried by the message (its correlation id
    // attribute is how the history knows the batch is this request's), applied by the consumer's batch.
    expect(at('front')).toBe(0);
    expect(at('function')).toBeGreaterThan(0);
    expect(at('postReview: Review queued')).toBeGreaterThan(0);
    // The wait starts as the message is sent, before the function logs that it queued it.
    expect(at('queue: waited')).toBeGreaterThan(at('function'));
    expect(at('applyReviews: Applying review')).toBeGreaterThan(at('postReview: Review queued'));
    expect(at('applyReviews: Applying review')).toBeGreaterThan(at('queue: waited'));
    expect(at(/^applyReviews: batch of \d+ \(done\)$/)).toBeGreaterThan(at('queue: waited'));
    // The batch's own statement applying the vote, under the batch's trace.
    const batchStatements = statements.filter(
      (hop) => hop.atMs > (entry.hops[at('queue: waited')] as Hop).atMs,
    );
    expect(batchStatements.length).toBeGreaterThanOrEqual(1);
    expect(
      logLines().find((line) => line.voteId === voteId && line.message === 'Applying review')?.correlation_id,
    ).toBe(requestId);

    const page = await fetch(`${stack.apiUrl}/__requests`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain(requestId);
    const one = await fetch(`${stack.apiUrl}/__requests/${encodeURIComponent(requestId)}.json`);
    expect(((await one.json()) as Recorded).hops.map((hop) => hop.name)).toEqual(names);
    const onePage = await fetch(`${stack.apiUrl}/__requests/${encodeURIComponent(requestId)}`);
    expect(onePage.status).toBe(200);
    expect(await onePage.text()).toContain('data-api: ExecuteStatement');
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
