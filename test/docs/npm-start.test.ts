import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@album-service/local/ports';
import { afterAll, describe, expect, it } from 'vitest';
import { descendants, isRunning } from '../support/processes.js';
import { eventually } from '../support/stack.js';

const projectRoot = resolve(import.meta.dirname, '../..');
const started: ChildProcess[] = [];
const folders: string[] = [];

afterAll(async () => {
  // npm does not pass a SIGKILL on: what a failed test left running goes with it.
  for (const child of started) {
    for (const pid of descendants(child.pid as number)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // it ended meanwhile
      }
    }
    child.kill('SIGKILL');
  }
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

/** `npm start` (or another script that starts the stack) as a newcomer runs it, with its output collected. */
async function npmStart(ports: Record<string, number>, script = 'start', project = projectRoot) {
  const dataDir = await mkdtemp(join(tmpdir(), 'album-npm-start-'));
  folders.push(dataDir);
  const child = spawn('npm', ['run', script], {
    cwd: project,
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

/** A copy of the project's sources, sharing its node_modules, that a test may edit. */
async function projectCopy(): Promise<string> {
  const copy = await mkdtemp(join(tmpdir(), 'album-project-'));
  folders.push(copy);
  const left = new Set(['node_modules', '.git', '.local-data', 'test', 'bench', 'docs']);
  await cp(projectRoot, copy, {
    recursive: true,
    filter: (source) => !left.has(source.slice(projectRoot.length + 1).split('/')[0] ?? ''),
  });
  await symlink(join(projectRoot, 'node_modules'), join(copy, 'node_modules'));
  return copy;
}

/** Sends npm a SIGTERM and waits for every process under it to end; resolves to how npm ended. */
async function stopWhole(child: ChildProcess, exited: Promise<number | string | null>) {
  const processes = descendants(child.pid as number);
  child.kill('SIGTERM');
  const ending = await exited;
  await eventually(
    async () => (processes.some(isRunning) ? undefined : true),
    20_000,
    'every process to end',
  );
  return ending;
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

    expect([0, 'SIGTERM']).toContain(await stopWhole(child, exited));
    for (const port of Object.values(ports)) expect(await answers(port)).toBe('refused');
    expect(existsSync(join(dataDir, 'endpoints.json'))).toBe(false);
  }, 180_000);

  it("npm run dev serves a function's new code once a change to its sources is rebuilt", async () => {
    const project = await projectCopy();
    const ports = await freePorts();
    const { child, output, exited } = await npmStart(ports, 'dev', project);
    await eventually(
      async () => (output.stdout.includes('Press Ctrl-C to stop') ? true : undefined),
      120_000,
      `npm run dev to be ready:\n${output.stdout}${output.stderr}`,
    );
    const missingAlbum = () =>
      fetch(`http://127.0.0.1:${ports.PORT}/cs6650/albums/no-such-album`).then((response) => response.json());
    expect(await missingAlbum()).toEqual({ msg: 'Key not found' });

    const source = join(project, 'lib/course/api.ts');
    const text = await readFile(source, 'utf8');
    expect(text).toContain("'Key not found'");
    await writeFile(source, text.replaceAll("'Key not found'", "'Key not found, rebuilt'"));
    await eventually(
      async () => ((await missingAlbum()).msg === 'Key not found, rebuilt' ? true : undefined),
      60_000,
      `the rebuilt function to answer:\n${output.stdout}${output.stderr}`,
    );
    await stopWhole(child, exited);
  }, 240_000);

  it('names the variable to change, in one line, and a port that is free, when a port is taken', async () => {
    const ports = await freePorts();
    // The port a hundred above is taken too: the hint must not send the newcomer there.
    const holders = await Promise.all([ports.S3_PORT, ports.S3_PORT + 100].map(listenOn));
    try {
      const { output, exited } = await npmStart(ports);
      expect(await exited).toBe(1);
      const hint = new RegExp(
        `^Port ${ports.S3_PORT} is already in use: stop what holds it, or choose another with S3_PORT, e.g. S3_PORT=(\\d+) npm start$`,
      ).exec(output.stderr.trim());
      expect(hint, output.stderr).not.toBeNull();
      const suggested = Number(hint?.[1]);
      expect(suggested).not.toBe(ports.S3_PORT + 100);
      expect(Object.values(ports)).not.toContain(suggested);
      (await listenOn(suggested)).close();
    } finally {
      for (const holder of holders) holder.close();
    }
  }, 60_000);

  it('says in one line that a Node too old for it cannot run the local stack', async () => {
    const oldNode = olderNode();
    const { stdout, stderr, status } = spawnSync(oldNode.path, ['--import', 'tsx', 'local/start.ts'], {
      cwd: projectRoot,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ...oldNode.env },
    });
    expect(status).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim()).toBe(
      `Node ${oldNode.version} is too old for the local stack: it needs 22.13 or newer (npm start runs the Node 22 that npm install brings)`,
    );
  }, 60_000);
});

/** Listens on `port` of 127.0.0.1, where the stack's servers listen, to hold it. */
async function listenOn(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((listening, failed) => {
    server.once('error', failed);
    server.listen(port, '127.0.0.1', listening);
  });
  return server;
}

/**
 * A Node older than package.json's engines allow: the machine's own when it has one (where node:sqlite, which
 * the stack imports, is missing), else this Node made to report an old version.
 */
function olderNode(): { path: string; version: string; env: Record<string, string> } {
  for (const folder of (process.env.PATH ?? '').split(':')) {
    if (folder.includes('node_modules')) continue;
    const path = join(folder, 'node');
    if (!existsSync(path)) continue;
    const version = execFileSync(path, ['--version'], { encoding: 'utf8' }).trim();
    if (Number(version.slice(1).split('.')[0]) < 22) return { path, version, env: {} };
  }
  const version = 'v20.19.0';
  const pretend = `Object.defineProperty(process, 'version', { value: '${version}' });`;
  return {
    path: process.execPath,
    version,
    env: { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(pretend)}` },
  };
}
