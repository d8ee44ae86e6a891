import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import S3rver from 's3rver';
import { afterEach, describe, expect, it } from 'vitest';
import { ObjectTableStore } from '../../s3/object-table.js';
import {
  FilesystemStore,
  registerAccessKey,
  replaceStore,
  S3Object,
  STORE_METHODS,
  walk,
  withoutRequestLog,
} from '../../s3/s3rver-internals.js';

// s3rver's private files the local S3 builds on (local/EMULATORS.md): an upgrade that changes any of
// them fails here, before it fails a request.
const require = createRequire(import.meta.url);
const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});
async function folder(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 's3rver-internals-'));
  folders.push(path);
  return path;
}

describe("what the local S3 takes from s3rver's private files", () => {
  it('is the exact s3rver version local/package.json pins', () => {
    const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
    const installed = JSON.parse(readFileSync(require.resolve('s3rver/package.json'), 'utf8')).version;
    expect(manifest.dependencies.s3rver).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed).toBe(manifest.dependencies.s3rver);
  });

  it("s3rver's store has exactly the methods the object table knows, and the table answers each", () => {
    const methods = Object.getOwnPropertyNames(FilesystemStore.prototype).filter(
      (name) => name !== 'constructor',
    );
    expect(methods.sort()).toEqual([...STORE_METHODS].sort());
    for (const method of STORE_METHODS)
      expect(typeof (ObjectTableStore.prototype as unknown as Record<string, unknown>)[method]).toBe(
        'function',
      );
  });

  it("s3rver's object model takes a bucket, key, content and metadata, and names the metadata it keeps", () => {
    const object = new S3Object('bucket', 'a/key', null, { 'content-type': 'image/png' });
    expect(object).toMatchObject({
      bucket: 'bucket',
      key: 'a/key',
      metadata: { 'content-type': 'image/png' },
    });
    expect(S3Object.ALLOWED_METADATA).toEqual(expect.arrayContaining(['content-type', 'cache-control']));
  });

  it("s3rver's walk lists every file under a folder", async () => {
    const root = await folder();
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    await writeFile(join(root, 'a', 'b', 'one'), '1');
    await writeFile(join(root, 'two'), '2');
    expect([...walk(root)].map((file) => relative(root, file)).sort()).toEqual([
      join('a', 'b', 'one'),
      'two',
    ]);
  });

  it("registers an access key with s3rver's account", () => {
    registerAccessKey('internals-test', 'secret');
    const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account.js');
    expect(DUMMY_ACCOUNT.accessKeys.get('internals-test')).toBe('secret');
    expect(DUMMY_ACCOUNT.constructor.registry.get('internals-test')).toBe(DUMMY_ACCOUNT);
  });

  it('takes the request logger out, and puts another store where the controllers read it', async () => {
    const server = new S3rver({ directory: await folder(), silent: true });
    const names = () =>
      (server as unknown as { middleware: Array<{ name: string }> }).middleware.map((m) => m.name);
    expect(names()[0]).toBe('logger');
    withoutRequestLog(server);
    expect(names()).not.toContain('logger');

    const store = new ObjectTableStore(await folder());
    replaceStore(server, store);
    expect((server as unknown as { context: { store: unknown } }).context.store).toBe(store);
    store.close();
  });
});
