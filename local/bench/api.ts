/**
 * `npm run bench:api`: req/s of GET /albums/{albumId} through the whole local stack, next to
 * serverless-offline serving a minimal handler, measured the same way in the same run. The ratio is the
 * figure to compare across machines; the absolute numbers depend on how busy this one is.
 *
 * The album is read with the album cache in each mode of `BENCH_CACHE` (comma-separated; by default `off`
 * and `memory`, and `redis` too when REDIS_URL names a server), each on a stack of its own, printing the
 * cache's hit ratio (from each response's Server-Timing) and the Data API calls per GET (from the local
 * endpoint's /__stats). The minimal handler is measured right before and after each mode, and the mode's
 * ratio taken to their mean, so a machine that gets busier or quieter mid-run skews no ratio much.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { localUserToken } from '../auth/local-user-token.js';
import type { DataApiStats } from '../data-api/server.js';
import { startServerlessOffline } from '../offline.js';
import { freePort } from '../ports.js';
import { type LocalStack, startLocalStack } from '../stack.js';

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const redisUrl = process.env.REDIS_URL;

/** The cache settings of each mode, as the functions' environment. */
const MODES: Record<string, Record<string, string>> = {
  off: { ALBUM_CACHE_TTL_SECONDS: '0', ALBUM_COUNTS_TTL_MS: '0', REDIS_URL: '' },
  memory: { REDIS_URL: '' },
  redis: { REDIS_URL: redisUrl ?? 'redis://127.0.0.1:6379' },
};
const modes = (process.env.BENCH_CACHE ?? (redisUrl ? 'off,memory,redis' : 'off,memory')).split(',');
for (const mode of modes) if (!MODES[mode]) throw new Error(`BENCH_CACHE: unknown mode ${mode}`);

interface Measured {
  name: string;
  requestsPerSecond: number;
  requests: number;
  p50: number;
  p99: number;
  errors: number;
  hits: number;
  /** Data API calls during the measured run, per request; undefined for the minimal handler. */
  callsPerRequest?: number;
}

async function measure(name: string, url: string, stack?: LocalStack): Promise<Measured> {
  let hits = 0;
  // The same hook on every target, so the client does the same work for each.
  const requests = [
    {
      method: 'GET' as const,
      onResponse: (_status: number, _body: string, _context: object, headers?: IncomingHttpHeaders) => {
        for (const [header, value] of Object.entries(headers ?? {})) {
          if (header.toLowerCase() === 'server-timing' && String(value).includes('desc=hit')) hits++;
        }
      },
    },
  ];
  await autocannon({ url, connections, duration: 2, requests }); // warm the handlers and the pool
  hits = 0;
  const before = stack && (await dataApiCalls(stack));
  const result = await autocannon({ url, connections, duration: durationSeconds, requests });
  const calls = stack && (await dataApiCalls(stack)) - (before ?? 0);
  return {
    name,
    requestsPerSecond: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
    hits,
    callsPerRequest: calls === undefined ? undefined : calls / result.requests.total,
  };
}

async function dataApiCalls(stack: LocalStack): Promise<number> {
  const stats = (await (await fetch(`${stack.dataApiUrl}/__stats`)).json()) as DataApiStats;
  return Object.values(stats).reduce((sum, count) => sum + count, 0);
}

/** An album with a verified cover, so GET answers what a reader sees, presigned URL included. */
async function albumWithCover(stack: LocalStack): Promise<string> {
  const created = await fetch(`${stack.apiUrl}/albums`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await localUserToken(stack.auth.issuer, 'bench')}`,
    },
    body: JSON.stringify({ artist: 'Benchmark', title: 'Steady State', year: 2024 }),
  });
  const { albumId, upload } = (await created.json()) as {
    albumId: string;
    upload: { url: string; fields: Record<string, string>; key: string };
  };
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('Content-Type', 'image/gif');
  form.append('file', new Blob([ONE_PIXEL_GIF], { type: 'image/gif' }), 'cover.gif');
  await fetch(upload.url, { method: 'POST', body: form });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const album = (await (await fetch(`${stack.apiUrl}/albums/${albumId}`)).json()) as {
      cover: { status: string };
    };
    if (album.cover.status === 'ready') return albumId;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error('the benchmark album’s cover was not verified in 30 s');
}

const ONE_PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** Starts a stack whose functions run with `settings` in their environment. */
async function stackWith(settings: Record<string, string>): Promise<LocalStack> {
  const saved = { ...process.env };
  Object.assign(process.env, settings);
  try {
    return await startLocalStack({ ephemeral: true, log: quiet });
  } finally {
    for (const name of Object.keys(settings)) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

const quiet = () => undefined;
const basePort = await freePort();
const baseline = await startServerlessOffline({
  cwd: resolve(import.meta.dirname, 'offline-baseline'),
  env: { PORT: String(basePort), LAMBDA_PORT: String(await freePort()) },
  log: quiet,
});

try {
  const baseUrl = `http://localhost:${basePort}/hello`;
  const rows: Array<Measured & { ratio?: number }> = [];
  for (const mode of modes) {
    const stack = await stackWith(MODES[mode] ?? {});
    try {
      const albumId = await albumWithCover(stack);
      // The minimal handler right before and right after, on the same busy or quiet machine.
      const before = await measure(`minimal handler, before ${mode}`, baseUrl);
      const album = await measure(`GET album, cache ${mode}`, `${stack.apiUrl}/albums/${albumId}`, stack);
      const after = await measure(`minimal handler, after ${mode}`, baseUrl);
      const ratio = album.requestsPerSecond / ((before.requestsPerSecond + after.requestsPerSecond) / 2);
      rows.push(before, { ...album, ratio }, after);
    } finally {
      await stack.stop();
    }
  }

  console.log(
    `\n${connections} connections, ${durationSeconds} s each; each mode on a fresh stack (ephemeral data)\n`,
  );
  console.table(
    rows.map((r) => ({
      target: r.name,
      'req/s': Math.round(r.requestsPerSecond),
      '÷ minimal': r.ratio === undefined ? '' : r.ratio.toFixed(2),
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      errors: r.errors,
      'hit ratio': r.callsPerRequest === undefined ? '' : (r.hits / r.requests).toFixed(4),
      'Data API calls / GET': r.callsPerRequest === undefined ? '' : r.callsPerRequest.toFixed(4),
    })),
  );
  console.log('÷ minimal: the album req/s over the mean of the minimal handler just before and after it');
} finally {
  await baseline.stop();
}
