/**
 * `npm run bench:client`: the load client's closed loop against autocannon and wrk on the same minimal
 * Node server, same connections and duration, one after the other. Prints req/s and the ratios.
 *
 * The server runs in its own process, so every client gets the same share of the machine: wrk always
 * runs apart from the server, and a client sharing the server's event loop would be measuring both.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { runCli } from '../load/cli.js';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 10);

const SERVER = `
const server = require('node:http').createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end('{"ok":true}');
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

/** Starts the minimal server in a child process and returns its URL once it listens. */
async function startServer(): Promise<{ url: string; server: ChildProcess }> {
  const server = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [port] = (await once(server.stdout, 'data')) as [Buffer];
  return { url: `http://127.0.0.1:${port.toString().trim()}/`, server };
}

async function ours(url: string, out: string): Promise<number> {
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

async function theirs(url: string): Promise<number> {
  const result = await autocannon({ url, connections, duration: durationSeconds });
  return result.requests.average;
}

/** wrk's req/s, or undefined when wrk is not installed. */
async function wrk(url: string): Promise<number | undefined> {
  try {
    const { stdout } = await promisify(execFile)('wrk', [
      '-t2',
      `-c${connections}`,
      `-d${durationSeconds}s`,
      url,
    ]);
    return Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

const { url, server } = await startServer();
const out = await mkdtemp(join(tmpdir(), 'bench-client-'));
try {
  await autocannon({ url, connections, duration: 2 }); // warm the server
  const results: Array<[string, number | undefined]> = [
    ['album-load (closed loop)', await ours(url, out)],
    ['autocannon', await theirs(url)],
    ['wrk', await wrk(url)],
  ];
  const [, ourRate] = results[0] as [string, number];
  console.log(`\nminimal Node server, ${connections} connections, ${durationSeconds} s each\n`);
  for (const [name, rate] of results) {
    if (rate === undefined) {
      console.log(`${name.padEnd(26)} NOT RUN: wrk is not installed (Debian: apt-get install -y wrk)`);
    } else {
      const ratio = name.startsWith('album-load')
        ? ''
        : `  album-load / ${name} = ${(ourRate / rate).toFixed(2)}`;
      console.log(`${name.padEnd(26)} ${Math.round(rate).toString().padStart(8)} req/s${ratio}`);
    }
  }
} finally {
  server.kill();
  await rm(out, { recursive: true, force: true });
}
