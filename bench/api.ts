/**
 * `npm run bench:api`: req/s of GET /albums/{albumId} through the whole local stack, next to
 * serverless-offline serving a minimal handler, measured the same way in the same run. The ratio is the
 * figure to compare across machines; the absolute numbers depend on how busy this one is.
 */
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { startServerlessOffline } from '../local/offline.js';
import { freePort } from '../local/ports.js';
import { startLocalStack } from '../local/stack.js';

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);

interface Measured {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
}

async function measure(name: string, url: string): Promise<Measured> {
  await autocannon({ url, connections, duration: 2 }); // warm the handlers and the connection pool
  const result = await autocannon({ url, connections, duration: durationSeconds });
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

const quiet = () => undefined;
const readyStarted = performance.now();
const stack = await startLocalStack({ ephemeral: true, log: quiet });
const readySeconds = (performance.now() - readyStarted) / 1000;
const basePort = await freePort();
const baseline = await startServerlessOffline({
  cwd: resolve(import.meta.dirname, 'offline-baseline'),
  env: { PORT: String(basePort), LAMBDA_PORT: String(await freePort()) },
  log: quiet,
});

try {
  const created = await fetch(`${stack.apiUrl}/albums`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ artist: 'Benchmark', title: 'Steady State', year: 2024 }),
  });
  const { albumId } = (await created.json()) as { albumId: string };

  const results = [
    await measure('serverless-offline, minimal handler', `http://localhost:${basePort}/hello`),
    await measure('GET /albums/{albumId}, whole stack', `${stack.apiUrl}/albums/${albumId}`),
  ];
  const [base, api] = results as [Measured, Measured];

  console.log(`\nLocal stack ready in ${readySeconds.toFixed(1)} s (ephemeral data, free ports)`);
  console.log(`${connections} connections, ${durationSeconds} s each\n`);
  console.table(
    results.map((r) => ({
      target: r.name,
      'req/s': Math.round(r.requestsPerSecond),
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      errors: r.errors,
    })),
  );
  console.log(
    `album API / baseline throughput: ${(api.requestsPerSecond / base.requestsPerSecond).toFixed(2)}`,
  );
} finally {
  await baseline.stop();
  await stack.stop();
}
