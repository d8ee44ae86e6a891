import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '@album-service/local/ports';
import { rawExchange } from '@album-service/local/testing/raw-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandLine, descendants, isRunning } from '../support/processes.js';
import { eventually, stackTemplate, startTestStack, type TestStack } from '../support/stack.js';

const projectRoot = resolve(import.meta.dirname, '../..');
let stack: TestStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'album-failures-'));
  // A copy of the run's build of the functions: a test below removes a bundle the other stacks share.
  const functionsBuildDir = join(dataDir, 'functions');
  await cp((await stackTemplate()).functionsBuildDir, functionsBuildDir, { recursive: true });
  stack = await startTestStack({ dataDir, functionsBuildDir });
});

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const offlinePids = (parent: number) =>
  descendants(parent).filter((pid) => /serverless(\.js)? offline/.test(commandLine(pid) ?? ''));

describe('the local API Gateway when a function or the emulator fails', () => {
  it('answers a function that cannot be loaded as API Gateway does: 500, no stack trace, no paths', async () => {
    // Nothing has invoked the docs function yet, so its bundle is loaded, and found missing, on this request.
    await rm(join(dataDir, 'functions', '.build', 'functions', 'docs.cjs'));
    const response = await fetch(`${stack.apiUrl}/docs`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    expect(stack.logs.join('\n')).toMatch(/Function failed: .*docs/);
  });

  it('answers unknown routes and wrong methods in the dialect of the API they belong to', async () => {
    const unknown = await fetch(`${stack.apiUrl}/no/such/route`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: 'Not Found' });

    const wrongMethod = await fetch(`${stack.apiUrl}/albums/6f1c2a1e-0000-4000-8000-000000000000`, {
      method: 'PUT',
    });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET, PATCH, DELETE');
    expect(await wrongMethod.json()).toEqual({
      message: 'Method PUT is not allowed here; use GET, PATCH, DELETE',
    });

    const course = await fetch(`${stack.apiUrl}/cs6650/albums`, { method: 'PUT' });
    expect(course.status).toBe(405);
    expect(await course.json()).toEqual({ msg: 'Method PUT is not allowed here; use POST' });
  });

  it("matches paths as API Gateway does: a dot segment never reaches serverless-offline's router", async () => {
    const port = Number(new URL(stack.apiUrl).port);
    for (const [method, path] of [
      ['POST', '/albums/../cover'],
      ['GET', '/albums/..'],
      ['GET', '/albums/%2e%2e'],
      ['GET', '/cs6650/albums/..'],
    ] as const) {
      const request = `${method} ${path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`;
      const { status, body, text } = await rawExchange(port, [request], 10_000);
      expect(status, text).toBe(400);
      expect(text).toMatch(/\r\ncontent-type: application\/json\r\n/i);
      expect(text).not.toMatch(/existingRoutes|<html/i);
      const key = path.startsWith('/cs6650/') ? 'msg' : 'message';
      expect(JSON.parse(body ?? '')).toEqual({
        [key]: "Bad Request: the path must not contain '.' or '..' segments",
      });
    }
  });

  it('restarts serverless-offline when it dies, answering 503 with Retry-After meanwhile', async () => {
    const [offline] = offlinePids(process.pid);
    expect(offline, 'serverless-offline runs under the stack').toBeDefined();
    process.kill(offline as number, 'SIGKILL');
    const meanwhile = await fetch(`${stack.apiUrl}/albums`);
    if (meanwhile.status !== 200) {
      expect(meanwhile.status).toBe(503);
      expect(meanwhile.headers.get('retry-after')).toBe('1');
      expect(await meanwhile.json()).toEqual({ message: 'Service Unavailable' });
    }
    await eventually(
      async () => ((await fetch(`${stack.apiUrl}/albums`)).status === 200 ? true : undefined),
      60_000,
      'the API to answer again',
    );
    expect(stack.logs.join('\n')).toMatch(/serverless offline exited \(SIGKILL\); restarting it/);
    expect(offlinePids(process.pid)).not.toContain(offline);
  });
});

describe('npm start killed hard', () => {
  let started: ChildProcess | undefined;
  let otherData: string | undefined;

  afterAll(async () => {
    started?.kill('SIGKILL');
    if (otherData) await rm(otherData, { recursive: true, force: true });
  });

  it('leaves no process behind holding its ports', async () => {
    otherData = await mkdtemp(join(tmpdir(), 'album-killed-'));
    // Started from copies of the run's build and empty database, where npm start keeps its own
    // (LOCAL_DATA_DIR), served as built (FUNCTIONS_PREBUILT) rather than built again: the processes that stay
    // are the same.
    const { functionsBuildDir, databaseTemplateDir } = await stackTemplate();
    await Promise.all([
      cp(functionsBuildDir, join(otherData, 'functions'), { recursive: true }),
      cp(databaseTemplateDir, join(otherData, 'pglite'), { recursive: true }),
    ]);
    const ports = {
      PORT: await freePort(),
      LAMBDA_PORT: await freePort(),
      DATA_API_PORT: await freePort(),
      S3_PORT: await freePort(),
      SQS_PORT: await freePort(),
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        LOCAL_DATA_DIR: otherData,
        FUNCTIONS_PREBUILT: 'on',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started = child;
    let output = '';
    await new Promise<void>((ready, failed) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk;
        if (output.includes('Press Ctrl-C to stop')) ready();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        output += chunk;
      });
      child.once('exit', (code) => failed(new Error(`npm start exited with ${code}:\n${output}`)));
    });
    const left = descendants(child.pid as number);
    expect(left.length).toBeGreaterThan(0);

    child.kill('SIGKILL');
    await eventually(
      async () => (left.some(isRunning) ? undefined : true),
      20_000,
      `the stack's processes to end (${left.filter(isRunning).map((pid) => `${pid}: ${commandLine(pid)}`)})`,
    );
    const answer = await fetch(`http://127.0.0.1:${ports.PORT}/albums`).then(
      (response) => response.status,
      () => 'refused',
    );
    expect(answer).toBe('refused');
  });
});
