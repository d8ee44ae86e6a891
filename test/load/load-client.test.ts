import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, UsageError } from '../../load/cli.js';
import type { RunSummary, TypeSummary } from '../../load/recorder.js';

type Handler = (request: IncomingMessage, response: ServerResponse, body: Buffer) => void | Promise<void>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A local server whose latencies and failures the test scripts. */
async function scriptedServer(handler: Handler): Promise<{ url: string; server: Server }> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    await handler(request, response, Buffer.concat(chunks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const json = (response: ServerResponse, status: number, body: unknown = {}) => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

let out: string;
const servers: Server[] = [];

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'load-client-'));
});

afterAll(async () => {
  for (const server of servers) server.close();
  await rm(out, { recursive: true, force: true });
});

async function serve(handler: Handler): Promise<string> {
  const { url, server } = await scriptedServer(handler);
  servers.push(server);
  return url;
}

const run = (name: string, args: string[]) =>
  runCli([...args, '--quiet', '--out', join(out, name)]) as Promise<RunSummary>;
const typeOf = (summary: RunSummary, type: string) =>
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
    expect(csv[0]).toBe('start_time_ms,type,latency_ms,status,retries');
    expect(csv.slice(1)).toHaveLength(20);
    for (const line of csv.slice(1)) expect(line.split(',').slice(3)).toEqual(['200', '2']);

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
    let nextId = 0;
    const url = await serve((request, response, body) => {
      seen.push(`${request.method} ${request.url?.replace(/[0-9a-f-]{36}/, '{id}')}`);
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
  });

  it('writes a JSON summary, an HTML report and a chart of throughput and p99 per second', async () => {
    const url = await serve((_request, response) => json(response, 200));
    await run('outputs', ['closed', `${url}/`, '--connections', '2', '--duration', '1.5']);
    const summary = JSON.parse(await readFile(join(out, 'outputs', 'summary.json'), 'utf8')) as RunSummary;
    expect(summary.perSecond.length).toBeGreaterThanOrEqual(1);
    expect(summary.perSecond.reduce((sum, second) => sum + second.completed, 0)).toBe(summary.total.count);
    const svg = await readFile(join(out, 'outputs', 'throughput.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<polyline[\s\S]*<\/svg>$/);
    const html = await readFile(join(out, 'outputs', 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('p99.9');
  });

  it('refuses a command line it cannot run, naming the problem', async () => {
    await expect(runCli(['open', 'http://127.0.0.1:1/', '--quiet'])).rejects.toThrow(/--rate/);
    await expect(runCli(['closed', 'not a url', '--quiet'])).rejects.toBeInstanceOf(UsageError);
    await expect(runCli(['course', '10', 'x', '2', 'http://127.0.0.1:1/'])).rejects.toThrow(
      /numThreadGroups/,
    );
  });
});
