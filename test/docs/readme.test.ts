import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localUserSub } from '../../local/auth/provider.js';
import { writeEndpoints } from '../../local/endpoints.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const projectRoot = resolve(import.meta.dirname, '../..');
let stack: TestStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'album-readme-'));
  stack = await startTestStack({ dataDir, interruptibleDatabase: true });
  // What `npm start` publishes, so the commands find this stack on its free ports.
  await writeEndpoints(dataDir, { ...stack, auth: stack.auth.issuer });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The `sh` blocks of a README section, in order. */
async function shellBlocks(heading: string): Promise<string[]> {
  const readme = await readFile(join(projectRoot, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  const end = readme.indexOf('\n## ', start + 1);
  return [...readme.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs commands as a newcomer pastes them into bash, stopping at the first that fails, against this stack. */
async function run(script: string, env: Record<string, string> = {}): Promise<Run> {
  const onThisStack = script.replaceAll('localhost:3000', new URL(stack.apiUrl).host);
  try {
    const { stdout, stderr } = await promisify(execFile)(
      'bash',
      ['-e', '-o', 'pipefail', '-c', onThisStack],
      {
        cwd: projectRoot,
        env: { ...process.env, LOCAL_DATA_DIR: dataDir, ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const albumsNamed = async (artist: string) =>
  (
    (await (await fetch(`${stack.apiUrl}/albums?artist=${encodeURIComponent(artist)}`)).json()) as {
      items: Array<{ albumId: string; title: string; cover: { status: string }; reviews: { likes: number } }>;
    }
  ).items;

describe('README "Trying it"', () => {
  it('runs as written: a token, an album, its cover uploaded and verified, a like counted, no token refused, bad input named', async () => {
    const [walkthrough] = await shellBlocks('Trying it');
    const result = await run(walkthrough ?? '');
    expect(result, result.stderr).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/"status":"ready","contentType":"image\/png","size":881,"width":160/);
    expect(result.stdout).toContain('"vote":"like"');
    expect(result.stdout).toContain('{"message":"Unauthorized"}');
    expect(result.stdout).toContain('"message":"Invalid album: title is required; artist must not be empty;');
    const [album] = await albumsNamed('Nina Simone');
    expect(album?.cover.status).toBe('ready');
    await eventually(
      async () => ((await albumsNamed('Nina Simone'))[0]?.reviews.likes === 1 ? true : undefined),
      10_000,
      'the like to be counted',
    );
  }, 60_000);

  it('invokes the sample events with npm run invoke, creating the album they name', async () => {
    const [, invocations] = await shellBlocks('Trying it');
    const result = await run(invocations ?? '');
    expect(result, result.stderr).toMatchObject({ code: 0 });
    const statuses = [...result.stdout.matchAll(/"statusCode": (\d+)/g)].map((match) => Number(match[1]));
    expect(statuses).toEqual([201, 200, 202, 200]);
    expect(result.stderr).toMatch(/invoking with album [0-9a-f-]{36}, created for it/);
    expect(await albumsNamed('Sample Artist')).toHaveLength(2);
  }, 60_000);
});

describe('README "Owners"', () => {
  it('runs as written: a conditional change, 412 on a stale ETag, 403 for another user, 204 and the cover gone', async () => {
    const [owners] = await shellBlocks('Owners');
    const result = await run(owners ?? '');
    expect(result, result.stderr).toMatchObject({ code: 0 });
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/"title":"Wild Is the Wind","year":1966,/);
    expect(lines[1]).toMatch(/^\{"message":"Album .* has changed since .*"\} 412$/);
    expect(lines[2]).toMatch(/^\{"message":"Album .* belongs to another user"\} 403$/);
    expect(lines.slice(3)).toEqual(['204', '404']);
    const [album] = await albumsNamed('Nina Simone');
    expect(album?.title).not.toBe('Wild Is the Wind');
  }, 60_000);
});

describe('npm run invoke', () => {
  it('invokes every function with its sample event, the write routes as a signed-in local user', async () => {
    const events = (await readdir(join(projectRoot, 'events'))).filter((file) => file.endsWith('.json'));
    for (const file of events) {
      const event = JSON.parse(await readFile(join(projectRoot, 'events', file), 'utf8'));
      const route: string | undefined = event.routeKey;
      // Where API Gateway puts a verified token's claims: a local user's, as the local provider signs them.
      const claims = event.requestContext?.authorizer?.jwt?.claims;
      if (route && !route.startsWith('GET ') && !route.includes(' /cs6650/')) {
        expect(claims?.sub, file).toBe(localUserSub(claims?.username));
        expect(claims, file).toMatchObject({
          iss: 'http://localhost:3000/auth',
          client_id: 'album-service-local',
        });
      }
      const result = await run(`npm run -s invoke -- ${file.replace(/\.json$/, '')}`);
      expect(result.code, `${file}: ${result.stdout}${result.stderr}`).toBe(0);
    }
  }, 120_000);

  it('exits 1 with what the function threw when it fails', async () => {
    const event = join(dataDir, 'not-an-s3-event.json');
    await writeFile(event, '{}');
    const result = await run(`npm run -s invoke -- verifyCover ${event}`);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ errorType: 'Error' });
  });

  it('exits 1 when the function answers 5xx', async () => {
    const [album] = await albumsNamed('Nina Simone');
    const event = join(dataDir, 'get-album.json');
    const sample = await readFile(join(projectRoot, 'events', 'getAlbum.json'), 'utf8');
    await writeFile(event, sample.replaceAll('00000000-0000-4000-8000-000000000000', album?.albumId ?? ''));
    stack.databaseLink?.cut();
    try {
      const result = await run(`npm run -s invoke -- getAlbum ${event}`);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout).statusCode).toBeGreaterThanOrEqual(500);
    } finally {
      stack.databaseLink?.restore();
    }
  }, 30_000);

  it('exits 1 saying so when the stack it names has stopped', async () => {
    const result = await run('npm run -s invoke -- web events/web.json', {
      // A data folder whose endpoints send the invocation to a Lambda port nothing listens on.
      LOCAL_DATA_DIR: await publishedElsewhere(),
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe(
      'the local stack does not answer (connection refused): start it with npm start',
    );
  });

  it('says in one line that the stack is not running, and how to start it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'album-no-stack-'));
    try {
      const result = await run('npm run -s invoke -- createAlbum', { LOCAL_DATA_DIR: empty });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toMatch(
        /^the local stack is not running \(no .*endpoints\.json\): start it with npm start$/,
      );
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('explains its command line, exit 2', async () => {
    const result = await run('npm run -s invoke');
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe(
      'usage: npm run invoke -- <function> [event.json] (default events/<function>.json)',
    );
  });
});

describe('npm run token', () => {
  it('prints a token of the named local user that the API takes', async () => {
    const result = await run('npm run -s token -- carol');
    expect(result, result.stderr).toMatchObject({ code: 0 });
    const token = result.stdout.trim();
    expect(decodeJwt(token)).toMatchObject({ sub: localUserSub('carol'), iss: stack.auth.issuer });
    const created = await fetch(`${stack.apiUrl}/albums`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ artist: 'Carol', title: 'Token', year: 2020 }),
    });
    expect(created.status).toBe(201);
  });

  it('explains its command line, exit 2, and a name it cannot sign in, exit 1', async () => {
    const usage = await run('npm run -s token');
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim()).toBe('usage: npm run token -- <user>');
    const refused = await run("npm run -s token -- 'not a name'");
    expect(refused.code).toBe(1);
    expect(refused.stderr.trim()).toMatch(/^no token for not a name: username must be/);
  });
});

/** A data folder publishing this stack's endpoints with its Lambda port replaced by a closed one. */
async function publishedElsewhere(): Promise<string> {
  const folder = join(dataDir, 'stopped');
  await writeEndpoints(folder, { ...stack, auth: stack.auth.issuer, lambdaUrl: 'http://127.0.0.1:9' });
  return folder;
}
