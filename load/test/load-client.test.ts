import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, UsageError } from '../cli.js';
import type { RunResult } from '../outcome.js';
import type { TypeSummary } from '../recorder.js';
import { formatReport } from '../report.js';
import { json, refusingUrl, scriptedServers, sleep } from './server.js';

let out: string;
const { serve, closeAll } = scriptedServers();

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'load-client-'));
});

afterAll(async () => {
  closeAll();
  await rm(out, { recursive: true, force: true });
});

/** The history's address answers 404 on a server that keeps none. */
const request404 = (url: string | undefined) => url?.startsWith('/__requests') ?? false;
const run = (name: string, args: string[]) =>
  runCli([...args, '--quiet', '--out', join(out, name)]) as Promise<RunResult>;
const typeOf = (summary: RunResult, type: string) =>
  summary.byType.find((row) => row.type === type) as TypeSummary;

describe('the load client', () => {
  it('counts requests exactly and measures the injected latencies within histogram precision', async () => {
    let served = 0;
    // Nine in ten requests take 5 ms, one in ten 50 ms.
    const url = await serve(async (_request, response) => {
      const slow = served++ % 10 === 9;
      await sleep(slow ? 50 : 5);
      json(response, 200);
    });
    const summary = await run('latency', [
      'closed',
      `${url}/fixed`,
      '--connections',
      '1',
      '--requests',
      '200',
    ]);
    const row = typeOf(summary, 'GET /fixed');
    expect(row).toMatchObject({ count: 200, ok: 200, failed: 0 });
    expect(served).toBe(200);
    expect(row.p50Ms).toBeGreaterThanOrEqual(4);
    expect(row.p50Ms).toBeLessThan(20);
    expect(row.p99Ms).toBeGreaterThanOrEqual(49);
    expect(row.p99Ms).toBeLessThan(80);
    expect(row.minMs).toBeGreaterThanOrEqual(4); // timers may fire up to a millisecond early
    expect(row.maxMs).toBeGreaterThanOrEqual(49);
    expect(row.meanMs).toBeGreaterThan(9); // 0.9 × 5 + 0.1 × 50 = 9.5 at the least
  });

  it('retries 4XX/5XX answers and reports what it took, in the CSV too', async () => {
    let attempts = 0;
    // Two failures, then a success: every request needs exactly two retries.
    const url = await serve((_request, response) => json(response, attempts++ % 3 === 2 ? 200 : 503));
    const summary = await run('retries', [
      'closed',
      `${url}/flaky`,
      '--connections',
      '1',
      '--requests',
      '20',
      '--retries',
      '5',
    ]);
    expect(typeOf(summary, 'GET /flaky')).toMatchObject({ count: 20, ok: 20, failed: 0 });
    expect(attempts).toBe(60);

    const csv = (await readFile(join(out, 'retries', 'requests.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('start_time_ms,type,latency_ms,status,retries,error,warmup');
    expect(csv.slice(1)).toHaveLength(20);
    for (const line of csv.slice(1)) expect(line.split(',').slice(3)).toEqual(['200', '2', '', '0']);

    const failing = await run('give-up', [
      'closed',
      `${url}/flaky`,
      '--connections',
      '1',
      '--requests',
      '10',
      '--retries',
      '1',
    ]);
    expect(typeOf(failing, 'GET /flaky').failed).toBeGreaterThan(0);
    expect(failing.failures).toEqual([
      expect.objectContaining({ cause: 'HTTP 503', count: typeOf(failing, 'GET /flaky').failed }),
    ]);
  });

  it("counts API Gateway's 429s as a cause of their own, those retried past included", async () => {
    let attempts = 0;
    // Every third attempt gets through: with one retry, one request in three still gives up on a 429.
    const url = await serve((_request, response) =>
      attempts++ % 3 === 2 ? json(response, 200) : json(response, 429, { message: 'Too Many Requests' }),
    );
    const summary = await run('throttled', [
      'closed',
      `${url}/busy`,
      '--connections',
      '1',
      '--requests',
      '12',
      '--retries',
      '1',
    ]);
    const row = typeOf(summary, 'GET /busy');
    expect(row.ok + row.failed).toBe(12);
    expect(row.failed).toBeGreaterThan(0);
    expect(summary.failures).toEqual([
      expect.objectContaining({
        cause: 'throttled',
        count: row.failed,
        example: '{"message":"Too Many Requests"}',
      }),
    ]);
    // Every attempt but the successful ones was a 429.
    expect(summary.throttled).toBe(attempts - row.ok);
    expect(formatReport(summary)).toContain(
      `throttled: ${summary.throttled} answers 429 Too Many Requests, ${row.failed} requests failed on one`,
    );
  });

  it("lists the slowest requests with the service's request ids, linked to the local stack's history", async () => {
    let served = 0;
    // One request in ten is slow; each answer carries its id as API Gateway does, and the server keeps a
    // request history as the local stack does.
    const url = await serve(async (request, response) => {
      if (request.url === '/__requests.json') return json(response, 200, []);
      const n = served++;
      await sleep(n % 10 === 3 ? 40 : 2);
      response.setHeader('apigw-requestid', `id+${n}/=`);
      json(response, 200);
    });
    const summary = await run('slowest', [
      'closed',
      `${url}/albums`,
      '--connections',
      '1',
      '--requests',
      '50',
    ]);
    expect(summary.slowest).toHaveLength(10);
    const latencies = summary.slowest.map((request) => request.latencyMs);
    expect(latencies).toEqual(latencies.toSorted((a, b) => b - a));
    // The five slow ones first: requests 3, 13, 23, 33 and 43.
    expect(new Set(summary.slowest.slice(0, 5).map((request) => request.requestId))).toEqual(
      new Set(['id+3/=', 'id+13/=', 'id+23/=', 'id+33/=', 'id+43/=']),
    );
    const slowest = summary.slowest[0];
    expect(slowest?.historyUrl).toBe(`${url}/__requests/${encodeURIComponent(slowest?.requestId ?? '')}`);
    const report = formatReport(summary);
    expect(report).toContain('slowest requests');
    expect(report).toContain(slowest?.historyUrl);
    expect(await readFile(join(out, 'slowest', 'report.html'), 'utf8')).toContain(
      `<a href="${slowest?.historyUrl}">`,
    );

    // A server that keeps no history: the ids alone.
    const plain = await serve((_request, response) => {
      response.setHeader('apigw-requestid', 'plain-id');
      json(response, request404(_request.url) ? 404 : 200);
    });
    const elsewhere = await run('no-history', [
      'closed',
      `${plain}/albums`,
      '--connections',
      '1',
      '--requests',
      '5',
    ]);
    expect(elsewhere.slowest.map((request) => [request.requestId, request.historyUrl])).toEqual(
      Array.from({ length: 5 }, () => ['plain-id', undefined]),
    );
  });

  it('shows a server stall in open-loop p99, where a closed loop hides it', async () => {
    // The server stops answering for one second, 0.5 s after the first request.
    const stalled = () => {
      let firstAt: number | undefined;
      return serve(async (_request, response) => {
        firstAt ??= Date.now();
        const stallStart = firstAt + 500;
        const now = Date.now();
        if (now >= stallStart && now < stallStart + 1000) await sleep(stallStart + 1000 - now);
        json(response, 200);
      });
    };
    const open = await run('open', [
      'open',
      `${await stalled()}/stall`,
      '--rate',
      '200',
      '--duration',
      '2.5',
    ]);
    const closed = await run('closed', [
      'closed',
      `${await stalled()}/stall`,
      '--connections',
      '1',
      '--duration',
      '2.5',
    ]);
    const openRow = typeOf(open, 'GET /stall');
    const closedRow = typeOf(closed, 'GET /stall');
    expect(openRow.count).toBe(500);
    expect(openRow.p99Ms).toBeGreaterThan(800);
    expect(openRow.p90Ms).toBeGreaterThan(100); // a fifth of the arrivals fell into the stall
    expect(closedRow.maxMs).toBeGreaterThan(800); // the closed loop saw the stall once…
    expect(closedRow.p99Ms).toBeLessThan(100); // …and its percentiles hide it
  });

  it('runs the course protocol against the course contract, with every request the protocol makes', async () => {
    const seen = { postAlbum: 0, getAlbum: 0, review: 0, getReview: 0, images: 0 };
    let nextId = 0;
    const url = await serve(async (request, response, body) => {
      const path = request.url ?? '';
      if (request.method === 'POST' && path === '/cs6650/albums') {
        seen.postAlbum++;
        if (body.includes(Buffer.from('\x89PNG', 'latin1')) && body.includes('name="profile"')) seen.images++;
        return json(response, 200, { albumID: String(++nextId), imageSize: '67' });
      }
      if (request.method === 'GET' && path.startsWith('/cs6650/albums/')) {
        seen.getAlbum++;
        return json(response, 200, { artist: 'a', title: 't', year: '1977' });
      }
      if (request.method === 'POST' && /^\/cs6650\/review\/(like|dislike)\/\d+$/.test(path)) {
        seen.review++;
        await sleep(10);
        return json(response, 201);
      }
      if (request.method === 'GET' && path.startsWith('/cs6650/review/')) {
        seen.getReview++;
        return json(response, 200, { likes: '2', dislikes: '1' });
      }
      json(response, 404, { msg: 'not found' });
    });
    const summary = await run('course', [
      'course',
      '3',
      '2',
      '0.3',
      `${url}/cs6650/`,
      '--scenario',
      'reviews',
      '--startup-iterations',
      '2',
      '--iterations',
      '4',
    ]);
    // Startup: 10 threads × 2 × (POST + GET). Groups: 2 × 3 threads × 4 × (POST + 3 reviews).
    expect(typeOf(summary, 'POST album').count).toBe(20 + 24);
    expect(typeOf(summary, 'GET album').count).toBe(20);
    expect(typeOf(summary, 'POST review').count).toBe(72);
    expect(typeOf(summary, 'GET review').count).toBeGreaterThan(0);
    expect(summary.total.failed).toBe(0);
    expect(seen).toMatchObject({ postAlbum: 44, getAlbum: 20, review: 72, images: 44 });
    expect(seen.getReview).toBe(typeOf(summary, 'GET review').count);
  });

  it("runs the course protocol against this service's own API", async () => {
    const seen: string[] = [];
    const authorizations = new Set<string>();
    let nextId = 0;
    const url = await serve((request, response, body) => {
      seen.push(`${request.method} ${request.url?.replace(/[0-9a-f-]{36}/, '{id}')}`);
      authorizations.add(`${request.method} ${request.headers.authorization}`);
      if (request.method === 'POST' && request.url === '/albums') {
        expect(JSON.parse(body.toString())).toMatchObject({ artist: expect.any(String), year: 1977 });
        return json(response, 201, {
          albumId: `00000000-0000-4000-8000-${String(++nextId).padStart(12, '0')}`,
        });
      }
      if (request.method === 'POST') return json(response, 202, { reviewId: 'r' });
      json(response, 200, {});
    });
    const summary = await run('native', [
      'course',
      '2',
      '1',
      '0',
      `${url}/`,
      '--api',
      'native',
      '--token',
      'the.user.token',
      '--scenario',
      'reviews',
      '--startup-iterations',
      '1',
      '--iterations',
      '2',
      '--review-readers',
      '0',
    ]);
    expect(summary.total).toMatchObject({ count: 10 * 2 + 2 * 2 * 4, failed: 0 });
    expect(seen.filter((line) => line === 'POST /albums/{id}/reviews')).toHaveLength(12);
    // Every write carries the token; reads none.
    expect([...authorizations].sort()).toEqual(['GET undefined', 'POST Bearer the.user.token']);
  });

  it('writes a JSON summary, an HTML report, a chart per second and an HDR latency plot', async () => {
    const url = await serve((_request, response) => json(response, 200));
    await run('outputs', ['closed', `${url}/`, '--connections', '2', '--duration', '1.5']);
    const summary = JSON.parse(await readFile(join(out, 'outputs', 'summary.json'), 'utf8')) as RunResult;
    expect(summary.perSecond.length).toBeGreaterThanOrEqual(1);
    expect(summary.perSecond.reduce((sum, second) => sum + second.completed, 0)).toBe(summary.total.count);
    expect(summary.exitCode).toBe(0);
    const svg = await readFile(join(out, 'outputs', 'throughput.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<polyline[\s\S]*<\/svg>$/);
    const latency = await readFile(join(out, 'outputs', 'latency.svg'), 'utf8');
    // The percentile axis is labelled in nines, as far as the sample reaches (thousands of requests).
    for (const label of ['>0<', '>90<', '>99<', '>99.9<']) expect(latency).toContain(label);
    const html = await readFile(join(out, 'outputs', 'report.html'), 'utf8');
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).toContain('p99.9');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/); // works offline
  });

  it('tells failures apart by cause: HTTP status, connection refused, timeout, reset', async () => {
    const unsupported = await serve((_request, response) =>
      json(response, 415, { message: 'Unsupported Media Type' }),
    );
    const silent = await serve(() => undefined); // never answers
    const hangUp = await serve((request) => {
      request.socket.destroy();
    });
    const refusedUrl = await refusingUrl();

    const rejected = await run('415', ['closed', `${unsupported}/`, '--requests', '5']);
    expect(rejected.failures).toEqual([
      { cause: 'HTTP 415', count: 5, share: 1, example: '{"message":"Unsupported Media Type"}' },
    ]);
    expect(rejected.exitCode).toBe(97);
    expect(rejected.problems[0]).toMatch(/^every request failed: 5 × HTTP 415 \(.*Unsupported Media Type/);

    const refused = await run('refused', ['closed', `${refusedUrl}/`, '--requests', '5']);
    expect(refused.failures.map((f) => [f.cause, f.count])).toEqual([['connection refused', 5]]);
    expect(refused.problems[0]).toMatch(/every request failed: 5 × connection refused \(ECONNREFUSED/);

    const timedOut = await run('timeout', ['closed', `${silent}/`, '--requests', '2', '--timeout', '0.2']);
    expect(timedOut.failures.map((f) => [f.cause, f.count])).toEqual([['timeout', 2]]);

    const reset = await run('reset', ['closed', `${hangUp}/`, '--requests', '3']);
    expect(reset.failures.map((f) => [f.cause, f.count])).toEqual([['connection reset', 3]]);
  });

  it('keeps requests that got no answer apart, out of the latencies and the throughput', async () => {
    // Every other request is hung up on at once; the others are answered after 40 ms.
    let received = 0;
    const url = await serve(async (request, response) => {
      if (received++ % 2 === 1) return void request.socket.destroy();
      await sleep(40);
      json(response, 200);
    });
    const summary = await run('unanswered', ['closed', `${url}/`, '--connections', '1', '--requests', '20']);
    expect(summary.total).toMatchObject({ count: 20, ok: 10, failed: 10, unanswered: 10 });
    expect(summary.failures.map((f) => [f.cause, f.count])).toEqual([['connection reset', 10]]);
    // A hang-up takes well under 40 ms: counted in, it would pull the minimum and the median down.
    expect(summary.total.minMs).toBeGreaterThanOrEqual(39);
    expect(summary.total.p50Ms).toBeGreaterThanOrEqual(39);
    expect(summary.total.throughput * summary.wallTimeSeconds).toBeCloseTo(10, 6);
    expect(summary.perSecond.reduce((sum, second) => sum + second.completed, 0)).toBe(10);
    expect(summary.perSecond.reduce((sum, second) => sum + second.errors, 0)).toBe(10);
  });

  it('labels a closed loop by its route, ids shortened to {id}', async () => {
    const url = await serve((_request, response) => json(response, 200));
    const summary = await run('route', [
      'closed',
      `${url}/albums/8c3f2a5e-1c3d-4e6f-8a9b-0c1d2e3f4a5b/reviews`,
      '--requests',
      '3',
    ]);
    expect(summary.byType.map((row) => row.type)).toEqual(['GET /albums/{id}/reviews']);
    expect(summary.title).toBe('closed loop, 10 connections, GET /albums/{id}/reviews');
    const course = await run('course-route', ['closed', `${url}/cs6650/albums/17`, '--requests', '3']);
    expect(course.byType.map((row) => row.type)).toEqual(['GET /cs6650/albums/{id}']);
  });

  it('keeps percentiles between the min and max it recorded', async () => {
    // Latencies the histogram's buckets round up: 1269.55 ms reads back as 1269.76 ms unclamped.
    let served = 0;
    const url = await serve(async (_request, response) => {
      await sleep(served++ === 0 ? 1269 : 1);
      json(response, 200);
    });
    const summary = await run('clamped', ['closed', `${url}/`, '--connections', '1', '--requests', '3']);
    for (const row of [summary.total, ...summary.byType]) {
      for (const p of [row.p50Ms, row.p90Ms, row.p95Ms, row.p99Ms, row.p999Ms, row.meanMs]) {
        expect(p).toBeLessThanOrEqual(row.maxMs);
        expect(p).toBeGreaterThanOrEqual(row.minMs);
      }
    }
    for (const { points } of summary.distribution)
      for (const [, ms] of points) expect(ms).toBeLessThanOrEqual(summary.total.maxMs);
  });

  it('leaves the warm-up out of the statistics, and marks it', async () => {
    let firstAt: number | undefined;
    // The first 300 ms are slow, as a cold server is; after that every answer takes about a millisecond.
    const url = await serve(async (_request, response) => {
      firstAt ??= Date.now();
      if (Date.now() - firstAt < 300) await sleep(100);
      json(response, 200);
    });
    const summary = await run('warmup', [
      'closed',
      `${url}/`,
      '--connections',
      '2',
      '--duration',
      '1.5',
      '--warmup',
      '0.6',
    ]);
    expect(summary.warmupRequests).toBeGreaterThan(0);
    expect(summary.total.maxMs).toBeLessThan(90);
    expect(summary.perSecond[0]?.warmup).toBe(true);
    expect(summary.perSecond.at(-1)?.warmup).toBe(false);
    const csv = (await readFile(join(out, 'warmup', 'requests.csv'), 'utf8')).trim().split('\n').slice(1);
    expect(csv.filter((line) => line.endsWith(',1'))).toHaveLength(summary.warmupRequests);
    expect(csv).toHaveLength(summary.warmupRequests + summary.total.count);
    const svg = await readFile(join(out, 'warmup', 'throughput.svg'), 'utf8');
    expect(svg).toContain('warm-up');
  });

  it('compares an open loop with its target rate, and warns when it falls short', async () => {
    // One connection to a server taking 20 ms: at most 50 req/s of the 200 asked for.
    const slow = await serve(async (_request, response) => {
      await sleep(20);
      json(response, 200);
    });
    const short = await run('short', [
      'open',
      `${slow}/`,
      '--rate',
      '200',
      '--duration',
      '1',
      '--connections',
      '1',
    ]);
    expect(short.openLoop?.targetRate).toBe(200);
    expect(short.openLoop?.achievedRate).toBeLessThan(100);
    expect(short.warnings).toEqual([
      expect.stringMatching(/^achieved [\d.]+ req\/s, \d+ % of the 200 req\/s target/),
    ]);
    expect(short.exitCode).toBe(0); // a warning, unless a rate threshold says otherwise

    const fast = await serve((_request, response) => json(response, 200));
    const onTarget = await run('on-target', ['open', `${fast}/`, '--rate', '100', '--duration', '1']);
    expect(onTarget.openLoop?.achievedRate).toBeGreaterThan(95);
    expect(onTarget.warnings).toEqual([]);
    // A timer may wake a request before it is due; its latency still counts from when it was sent.
    const csv = (await readFile(join(out, 'on-target', 'requests.csv'), 'utf8')).trim().split('\n').slice(1);
    for (const line of csv) expect(Number(line.split(',')[2])).toBeGreaterThan(0);
  });

  it('checks thresholds: each listed pass or fail, any failure failing the run', async () => {
    const url = await serve(async (_request, response) => {
      await sleep(10);
      json(response, 200);
    });
    const args = ['closed', `${url}/`, '--connections', '2', '--requests', '40'];
    const failing = await run('crossed', [
      ...args,
      '--threshold',
      'p99<5',
      '--threshold',
      'rate>1',
      '--max-failed',
      '0',
    ]);
    expect(failing.thresholds.map((t) => [t.threshold, t.passed])).toEqual([
      ['p99<5', false],
      ['rate>1', true],
      ['failed<=0', true],
    ]);
    expect(failing.exitCode).toBe(99);
    expect(failing.problems).toEqual(['1 of 3 thresholds crossed: p99<5']);

    const passing = await run('held', [...args, '--threshold', 'p99<1s', '--threshold', 'failed<1%']);
    expect(passing.thresholds.every((t) => t.passed)).toBe(true);
    expect(passing.exitCode).toBe(0);
    const html = await readFile(join(out, 'held', 'report.html'), 'utf8');
    expect(html).toContain('p99&lt;1s');
  });

  it('refuses a command line it cannot run, naming the problem', async () => {
    await expect(runCli(['open', 'http://127.0.0.1:1/', '--quiet'])).rejects.toThrow(/--rate/);
    await expect(runCli(['closed', 'not a url', '--quiet'])).rejects.toBeInstanceOf(UsageError);
    await expect(runCli(['course', '10', 'x', '2', 'http://127.0.0.1:1/'])).rejects.toThrow(
      /numThreadGroups/,
    );
    await expect(runCli(['closed', 'http://127.0.0.1:1/', '--bogus'])).rejects.toThrow(
      new UsageError("Unknown option '--bogus'"),
    );
    await expect(runCli(['closed', 'http://127.0.0.1:1/', '--threshold', 'p99<<5'])).rejects.toThrow(
      /cannot read threshold 'p99<<5'/,
    );
    await expect(
      runCli(['open', 'http://127.0.0.1:1/', '--rate', '5', '--duration', '2', '--warmup', '2']),
    ).rejects.toThrow(/--warmup/);
  });
});
