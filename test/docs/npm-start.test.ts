import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/ports.js';
import { descendants, isRunning } from '../support/processes.js';
import { eventually } from '../support/stack.js';

const projectRoot = resolve(import.meta.dirname, '../..');
const started: ChildProcess[] = [];
const folders: string[] = [];

afterAll(async () => {
  for (const child of started) child.kill('SIGKILL');
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

async function freePorts() {
  return {
    PORT: await freePort(),
    LAMBDA_PORT: await freePort(),
    DATA_API_PORT: await freePort(),
    S3_PORT: await freePort(),
    SQS_PORT: await freePort(),
  };
}

/** `npm start` as a newcomer runs it, with its output collected. */
async function npmStart(ports: Record<string, number>) {
  const dataDir = await mkdtemp(join(tmpdir(), 'album-npm-start-'));
  folders.push(dataDir);
  const child = spawn('npm', ['start'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      LOCAL_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (chunk: Buffer) => {
    output.stdout += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output.stderr += chunk;
  });
  // npm ends as its script did: with its exit code, or by the signal it passed on.
  const exited = new Promise<number | string | null>((done) =>
    child.once('exit', (code, signal) => done(code ?? signal)),
  );
  return { child, dataDir, output, exited };
}

const answers = (port: number) =>
  fetch(`http://127.0.0.1:${port}/albums`).then(
    (response) => response.status,
    () => 'refused',
  );

describe('npm start', () => {
  it('starts quietly, publishes its endpoints, and stops whole on a SIGTERM to npm', async () => {
    const ports = await freePorts();
    const { child, dataDir, output, exited } = await npmStart(ports);
    await eventually(
      async () => (output.stdout.includes('Press Ctrl-C to stop') ? true : undefined),
      120_000,
      `npm start to be ready:\n${output.stdout}${output.stderr}`,
    );
    expect(output.stderr).not.toMatch(/ExperimentalWarning|Warning/);
    expect(await answers(ports.PORT)).toBe(200);
    const endpoints = JSON.parse(await readFile(join(dataDir, 'endpoints.json'), 'utf8'));
    expect(endpoints.apiUrl).toBe(`http://localhost:${ports.PORT}`);
    expect(endpoints.lambdaUrl).toBe(`http://localhost:${ports.LAMBDA_PORT}`);
    expect(endpoints.environment.REVIEWS_QUEUE_URL).toContain(`:${ports.SQS_PORT}/`);

    const processes = descendants(child.pid as number);
    child.kill('SIGTERM');
    expect([0, 'SIGTERM']).toContain(await exited);
    await eventually(
      async () => (processes.some(isRunning) ? undefined : true),
      20_000,
      'every process to end',
    );
    for (const port of Object.values(ports)) expect(await answers(port)).toBe('refused');
    expect(existsSync(join(dataDir, 'endpoints.json'))).toBe(false);
  }, 180_000);

  it('names the variable to change, in one line, when a port is taken', async () => {
    const ports = await freePorts();
    const holder: Server = createServer();
    await new Promise<void>((listening) => holder.listen(ports.S3_PORT, '127.0.0.1', listening));
    try {
      const { output, exited } = await npmStart(ports);
      expect(await exited).toBe(1);
      expect(output.stderr.trim()).toBe(
        `Port ${ports.S3_PORT} is already in use: stop what holds it, or choose another with S3_PORT, e.g. S3_PORT=${ports.S3_PORT + 100} npm start`,
      );
    } finally {
      holder.close();
    }
  }, 60_000);
});
