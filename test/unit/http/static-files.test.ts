import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packagedFile, staticFiles } from '../../../lib/http/static-files.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'packaged-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const request = (rawPath: string) => ({ rawPath }) as APIGatewayProxyEventV2;

describe('staticFiles', () => {
  const serve = staticFiles(
    {
      '/docs': { contentType: 'text/html; charset=utf-8', body: '<h1>Docs</h1>' },
      '/docs/app.js': { contentType: 'text/javascript', body: async () => 'run();' },
    },
    'public, max-age=300',
  );

  it('serves a file by its path, with its type and the cache policy', async () => {
    expect(await serve(request('/docs'))).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=300' },
      body: '<h1>Docs</h1>',
    });
    expect((await serve(request('/docs/app.js'))).body).toBe('run();');
  });

  it('serves a path with a trailing slash as the path without it', async () => {
    expect((await serve(request('/docs/'))).body).toBe('<h1>Docs</h1>');
  });

  it('answers any other path with a JSON 404', async () => {
    expect(await serve(request('/docs/missing.css'))).toEqual({
      statusCode: 404,
      headers: { 'content-type': 'application/json' },
      body: '{"message":"Not Found"}',
    });
  });
});

describe('packagedFile', () => {
  it('reads the first of its paths that exists, once for the container', async () => {
    const path = join(folder, 'viewer.js');
    await writeFile(path, 'first');
    const file = packagedFile([join(folder, 'absent', 'viewer.js'), path]);
    expect(await file()).toBe('first');
    await writeFile(path, 'changed on disk');
    expect(await file()).toBe('first');
  });

  it('fails while the file is in none of its paths, and reads it once it is there', async () => {
    const path = join(folder, 'late.js');
    const file = packagedFile([path]);
    await expect(file()).rejects.toThrow(`Not in the function's package: ${path}`);
    await writeFile(path, 'arrived');
    expect(await file()).toBe('arrived');
  });
});
