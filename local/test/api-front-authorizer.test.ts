import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFront, startApiFront } from '../api-front.js';

const VALID = 'valid-token';
let upstream: Server;
let front: ApiFront;
/** What reached the function emulator behind the front, one entry per request. */
const received: Array<{ url: string; headers: IncomingHttpHeaders }> = [];

beforeAll(async () => {
  upstream = createServer((request, response) => {
    received.push({ url: request.url ?? '', headers: request.headers });
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"ok":true}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  front = await startApiFront({
    routes: [
      { method: 'GET', path: '/albums' },
      { method: 'POST', path: '/albums', authorizer: 'albumUsers' },
    ],
    upstreamPort: (upstream.address() as AddressInfo).port,
    // Stands in for the JWT authorizer (tested on its own): one token passes.
    authorizers: {
      albumUsers: async (authorization) =>
        authorization === `Bearer ${VALID}` ? { sub: 'someone' } : undefined,
    },
    mounts: [
      {
        pathPrefix: '/auth',
        handle: (_request, response) => {
          response.writeHead(200, { 'content-type': 'text/plain' });
          response.end('provider');
        },
      },
    ],
  });
});

afterAll(async () => {
  await front?.close();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
});

describe('the API front on routes with a JWT authorizer', () => {
  it('passes a request its authorizer accepts, and refuses the others with API Gateway’s 401', async () => {
    const before = received.length;
    const accepted = await fetch(`${front.url}/albums`, {
      method: 'POST',
      headers: { authorization: `Bearer ${VALID}` },
      body: '{}',
    });
    expect(accepted.status).toBe(200);
    expect(received.length).toBe(before + 1);

    for (const authorization of [undefined, 'Bearer other-token', VALID]) {
      const refused = await fetch(`${front.url}/albums`, {
        method: 'POST',
        headers: authorization ? { authorization } : {},
        body: '{"artist":"A"}',
      });
      expect(refused.status).toBe(401);
      // As API Gateway challenges: the token refused as invalid when there was one.
      expect(refused.headers.get('www-authenticate')).toBe(
        authorization ? 'Bearer scope="" error="invalid_token"' : 'Bearer',
      );
      expect(await refused.text()).toBe('{"message":"Unauthorized"}');
    }
    expect(received.length).toBe(before + 1);
  });

  it('asks nothing of reads', async () => {
    expect((await fetch(`${front.url}/albums`)).status).toBe(200);
  });

  it('never hands the emulator claims a caller chose (serverless-offline’s override header)', async () => {
    const override = JSON.stringify({ jwt: { claims: { sub: 'somebody-else' } } });
    for (const method of ['GET', 'POST']) {
      await fetch(`${front.url}/albums`, {
        method,
        headers: { authorization: `Bearer ${VALID}`, 'sls-offline-authorizer-override': override },
        ...(method === 'POST' ? { body: '{}' } : {}),
      });
      expect(received.at(-1)?.headers).not.toHaveProperty('sls-offline-authorizer-override');
      expect(received.at(-1)?.headers.authorization).toBe(`Bearer ${VALID}`);
    }
  });

  it('serves what is mounted under its path, before any route', async () => {
    const before = received.length;
    const response = await fetch(`${front.url}/auth/.well-known/openid-configuration`);
    expect(await response.text()).toBe('provider');
    expect(received.length).toBe(before);
  });

  it('refuses to start when a route names an authorizer it was not given', async () => {
    await expect(
      startApiFront({ routes: [{ method: 'POST', path: '/x', authorizer: 'missing' }], upstreamPort: 9 }),
    ).rejects.toThrow(/authorizer missing/);
  });
});
