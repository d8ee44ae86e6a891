/**
 * `npm run bench:client`: the load client's closed loop against autocannon and wrk on the same minimal
 * Node server, same connections and duration. Prints each client's median req/s and the ratios.
 *
 * The server runs in its own process, so every client gets the same share of the machine: wrk always
 * runs apart from the server, and a client sharing the server's event loop would be measuring both.
 * The machine is shared, so the clients take turns over several rounds (BENCH_ROUNDS, default 3), each
 * round in a different order, and the medians are compared.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { runCli } from '../cli.js';

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

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

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

const { url, server } = await startServer();
const out = await mkdtemp(join(tmpdir(), 'bench-client-'));
try {
  await autocannon({ url, connections, duration: 2 }); // warm the server
  const clients: Array<[string, () => Promise<number | undefined>]> = [
    ['album-load (closed loop)', () => ours(url, out)],
    ['autocannon', () => theirs(url)],
    ['wrk', () => wrk(url)],
  ];
  const rates = new Map<string, number[]>(clients.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let turn = 0; turn < clients.length; turn++) {
      const [name, run] = clients[(round + turn) % clients.length] as [
        string,
        () => Promise<number | undefined>,
      ];
      const rate = await run();
      if (rate !== undefined) rates.get(name)?.push(rate);
    }
  }
  const ourRate = median(rates.get('album-load (closed loop)') ?? []);
  console.log(
    `\nminimal Node server, ${connections} connections, ${rounds} rounds of ${durationSeconds} s, medians\n`,
  );
  for (const [name, measured = []] of rates) {
    if (measured.length === 0) {
      console.log(`${name.padEnd(26)} NOT RUN: wrk is not installed (Debian: apt-get install -y wrk)`);
      continue;
    }
    const rate = median(measured);
    const ratio = name.startsWith('album-load')
      ? ''
      : `  album-load / ${name} = ${(ourRate / rate).toFixed(2)}`;
    const all = measured.map((r) => Math.round(r)).join(', ');
    console.log(`${name.padEnd(26)} ${Math.round(rate).toString().padStart(8)} req/s${ratio}   (${all})`);
  }
} finally {
  server.kill();
  await rm(out, { recursive: true, force: true });
}
