import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { localUserSub } from '@album-service/local/auth/provider';
import { writeEndpoints } from '@album-service/local/endpoints';
import { SAMPLE_ALBUM } from '@album-service/local/sample-album';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFor } from '../support/auth.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

const projectRoot = resolve(import.meta.dirname, '../..');
let stack: TestStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'album-readme-'));
  // A cover replaced shows once getAlbum's cached copy lapses: upload-cover, which polls the album for its
  // verdict, waits that long. Shortened for this stack only; the commands run with the environment as it is.
  // On free ports, never the defaults the README once hard-coded; with the demo album, as npm start keeps it.
  stack = await startTestStack({
    dataDir,
    interruptibleDatabase: true,
    sampleAlbum: true,
    settings: { ALBUM_CACHE_TTL_SECONDS: '1' },
  });
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

/** The variables that would point the commands at a stack other than the one its endpoints.json names. */
const ENDPOINT_VARIABLES = [
  'DATA_API_ENDPOINT',
  'S3_ENDPOINT',
  'SQS_ENDPOINT',
  'REVIEWS_QUEUE_URL',
  'DB_ENGINE',
];

/**
 * Runs commands exactly as a newcomer pastes them into bash, stopping at the first that fails; they find
 * this stack, on its free ports, through the endpoints it published in LOCAL_DATA_DIR.
 */
async function run(script: string, env: Record<string, string> = {}): Promise<Run> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !ENDPOINT_VARIABLES.includes(name)),
  );
  try {
    const { stdout, stderr } = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd: projectRoot,
      env: { ...inherited, LOCAL_DATA_DIR: dataDir, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** `task` for each item, at most `limit` of them running at once; the results in the items' order. */
async function eachAtMost<T, R>(limit: number, items: T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

const albumsNamed = async (artist: string) =>
  (
    (await (await fetch(`${stack.apiUrl}/albums?artist=${encodeURIComponent(artist)}`)).json()) as {
      items: Array<{ albumId: string; title: string; cover: { status: string }; reviews: { likes: number } }>;
    }
  ).items;

describe('README "Trying it"', () => {
  it('runs as written on ports other than the defaults: a token, an album, its cover uploaded and verified, a like counted, no token refused, bad input named', async () => {
    expect(new URL(stack.apiUrl).port).not.toBe('3000');
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

  it('invokes the sample events as written, with npm run invoke and serverless invoke local, on the demo album', async () => {
    const [, invocations] = await shellBlocks('Trying it');
    expect(invocations).toContain('npx serverless invoke local -f getAlbum -p events/getAlbum.json');
    // One independent command a line (no comment, no continuation): they run side by side, each as written.
    const commands = (invocations ?? '').trim().split('\n');
    for (const command of commands) {
      expect(command).toMatch(/^(npm run -s invoke -- |npx serverless invoke local )[^\\#]*$/);
    }
    const results = await Promise.all(commands.map((command) => run(command)));
    for (const [index, result] of results.entries()) {
      expect(result, `${commands[index]}: ${result.stderr}`).toMatchObject({ code: 0 });
    }
    const stdout = results.map((result) => result.stdout).join('');
    const statuses = [...stdout.matchAll(/"statusCode": (\d+)/g)].map((match) => Number(match[1]));
    expect(statuses).toEqual([201, 200, 202, 200, 200]);
    // Both invocations of getAlbum read the demo album the samples name, which the stack keeps.
    const demo = [...stdout.matchAll(/"body": "(.*)"\n/g)]
      .map((match) => JSON.parse(JSON.parse(`"${match[1]}"`)) as { albumId?: string; title?: string })
      // The albums answered (a vote accepted names its album too, but is no album).
      .filter((body) => body.albumId === SAMPLE_ALBUM.albumId && body.title !== undefined);
    expect(demo.map((body) => body.title)).toEqual([SAMPLE_ALBUM.title, SAMPLE_ALBUM.title]);
    expect(await albumsNamed(SAMPLE_ALBUM.artist)).toHaveLength(1);
  }, 120_000);

  it('serverless invoke local finds the stack through endpoints.json; a variable set wins', async () => {
    const command = 'npx serverless invoke local -f getAlbum -p events/getAlbum.json';
    const [elsewhere, here] = await Promise.all([
      run(command, {
        DATA_API_ENDPOINT: 'http://127.0.0.1:9',
        // Built in a folder of its own: two builds of getAlbum in the one folder overwrite the file the other loads.
        FUNCTIONS_BUILD_DIR: relative(projectRoot, join(dataDir, 'invoked-elsewhere')),
      }),
      run(command),
    ]);
    expect(elsewhere.stdout).toMatch(/"statusCode": 5\d\d/);
    expect(here.stdout, here.stderr).toMatch(/"statusCode": 200/);
  }, 120_000);

  it('upload-cover prints the verdict of its own upload first, and exits 1 when it is rejected', async () => {
    const [album] = await albumsNamed('Nina Simone');
    const notAnImage = join(dataDir, 'not-an-image.png');
    await writeFile(notAnImage, 'plain text, named like a PNG');
    // As the walk-through's user, who created the album.
    const token = await tokenFor(stack, 'alice');
    const result = await run(`npm run -s upload-cover -- ${album?.albumId} ${notAnImage} --token ${token}`);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      status: 'rejected',
      reason: 'not a JPEG, PNG, WebP or GIF image',
      key: expect.stringMatching(new RegExp(`^covers/${album?.albumId}/`)),
    });
    // The cover uploaded before stays shown.
    expect((await albumsNamed('Nina Simone'))[0]?.cover.status).toBe('ready');
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
    }
    // A few at a time: each is mostly the start of npm and Node, which take a core each.
    const results = await eachAtMost(4, events, (file) =>
      run(`npm run -s invoke -- ${file.replace(/\.json$/, '')}`),
    );
    for (const [index, result] of results.entries()) {
      expect(result.code, `${events[index]}: ${result.stdout}${result.stderr}`).toBe(0);
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
    stack.databaseLink?.cut();
    try {
      const result = await run('npm run -s invoke -- getAlbum events/getAlbum.json');
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

  it('lists the functions when it is given one the stack does not have, before invoking anything', async () => {
    const before = (await albumsNamed(SAMPLE_ALBUM.artist)).length;
    const result = await run('npm run -s invoke -- getAlbm events/getAlbum.json');
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(
      /^no function getAlbm; the functions are createAlbum, getAlbum, .*, docs$/,
    );
    expect(await albumsNamed(SAMPLE_ALBUM.artist)).toHaveLength(before);
  });

  it('names the JSON error of a malformed event file', async () => {
    const event = join(dataDir, 'malformed.json');
    await writeFile(event, '{"version": "2.0",');
    const result = await run(`npm run -s invoke -- getAlbum ${event}`);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(
      new RegExp(`^the event file ${event} is not JSON: (Unexpected end of JSON input|Expected .*)$`),
    );
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
    const [usage, refused] = await Promise.all([
      run('npm run -s token'),
      run("npm run -s token -- 'not a name'"),
    ]);
    expect(usage.code).toBe(2);
    expect(usage.stderr.trim()).toBe('usage: npm run token -- <user>');
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
