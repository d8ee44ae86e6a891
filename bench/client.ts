/**
 * `npm run bench:client`: the load client's closed loop against autocannon (and wrk, when installed) on
 * the same minimal Node server in one run, same connections and duration. Prints req/s and the ratios.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { runCli } from '../load/cli.js';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 10);

const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{"ok":true}');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
const out = await mkdtemp(join(tmpdir(), 'bench-client-'));

async function ours(): Promise<number> {
  const summary = await runCli([
    'closed',
    url,
    '--connections',
    String(connections),
    '--duration',
    String(durationSeconds),
    '--quiet',
    '--out',
    out,
  ]);
  return summary?.total.throughput ?? 0;
}

async function theirs(): Promise<number> {
  const result = await autocannon({ url, connections, duration: durationSeconds });
  return result.requests.average;
}

async function wrk(): Promise<number | undefined> {
  try {
    const { stdout } = await promisify(execFile)('wrk', [
      '-t2',
      `-c${connections}`,
      `-d${durationSeconds}s`,
      url,
    ]);
    return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  } catch {
    return undefined; // not installed
  }
}

try {
  await autocannon({ url, connections, duration: 2 }); // warm the server
  const results: Array<[string, number | undefined]> = [
    ['album-load (closed loop)', await ours()],
    ['autocannon', await theirs()],
    ['wrk', await wrk()],
  ];
  const [, ourRate] = results[0] as [string, number];
  console.log(`\nminimal Node server, ${connections} connections, ${durationSeconds} s each\n`);
  for (const [name, rate] of results) {
    if (rate === undefined) {
      console.log(`${name.padEnd(26)} not installed (apt-get install wrk to include it)`);
    } else {
      const ratio = name.startsWith('album-load')
        ? ''
        : `  album-load / ${name} = ${(ourRate / rate).toFixed(2)}`;
      console.log(`${name.padEnd(26)} ${Math.round(rate).toString().padStart(8)} req/s${ratio}`);
    }
  }
} finally {
  server.close();
  await rm(out, { recursive: true, force: true });
}
