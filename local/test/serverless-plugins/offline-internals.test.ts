import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// serverless-offline's private files the local stack's plugins build on (local/EMULATORS.md): an upgrade
// that moves or changes them fails here, before it fails `npm start`.
const require = createRequire(import.meta.url);
const plugins = join(import.meta.dirname, '..', '..', 'serverless-plugins');
const { handlerLoader, httpApiEventClass } = require(join(plugins, 'offline-internals.cjs')) as {
  handlerLoader(): { load(appRoot: string, handlerString: string): Promise<(event: unknown) => unknown> };
  httpApiEventClass(): Promise<
    new (
      request: object,
      stage: string,
      routeKey: string,
    ) => { create(): HttpApiEvent }
  >;
};
const RequestIds = require(join(plugins, 'request-ids.cjs'));

interface HttpApiEvent {
  headers: Record<string, string>;
  requestContext: { requestId: string };
}

const manifest = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe("what the local stack's plugins take from serverless-offline's private files", () => {
  it('is the exact serverless-offline version the service and the local stack pin', () => {
    // Its exports leave out its package.json: found beside the entry point, in the package's own folder.
    const entry = require.resolve('serverless-offline');
    const folder = entry.slice(
      0,
      entry.lastIndexOf('/node_modules/serverless-offline/') + '/node_modules/serverless-offline'.length,
    );
    const installed = manifest(join(folder, 'package.json')).version;
    const root = manifest(join(import.meta.dirname, '..', '..', '..', 'package.json'));
    const local = manifest(join(import.meta.dirname, '..', '..', 'package.json'));
    expect(root.devDependencies['serverless-offline']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed).toBe(root.devDependencies['serverless-offline']);
    expect(local.peerDependencies['serverless-offline']).toBe(installed);
  });

  it("its handler loader loads a handler from the app's root and handler string", async () => {
    const appRoot = await mkdtemp(join(tmpdir(), 'offline-internals-'));
    folders.push(appRoot);
    await writeFile(join(appRoot, 'greet.js'), 'exports.handler = async (event) => "hello " + event.name;\n');
    const handler = await handlerLoader().load(appRoot, join(appRoot, 'greet.handler'));
    expect(await handler({ name: 'offline' })).toBe('hello offline');
  });

  it("its HTTP API event takes the front's request id into requestContext.requestId (request-ids.cjs)", async () => {
    const HttpApiEvent = await httpApiEventClass();
    const create = HttpApiEvent.prototype.create;
    await new RequestIds().hooks['before:offline:start:init']();
    try {
      const request = {
        headers: { host: 'localhost', 'x-local-request-id': 'request-1' },
        info: { received: Date.now(), remoteAddress: '127.0.0.1' },
        method: 'get',
        params: {},
        payload: null,
        raw: { req: { rawHeaders: ['host', 'localhost', 'x-local-request-id', 'request-1'] } },
        url: new URL('http://localhost/albums'),
      };
      const event = new HttpApiEvent(request, 'local', 'GET /albums').create();
      expect(event.requestContext.requestId).toBe('request-1');
      expect(event.headers).toEqual({ host: 'localhost' });
    } finally {
      HttpApiEvent.prototype.create = create;
    }
  });
});
