import { randomUUID } from 'node:crypto';
import { localUserSub } from '@album-service/local/auth/provider';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAlbum } from '../support/albums.js';
import { signedInAs, tokenFor } from '../support/auth.js';
import { expectDocumentedResponse } from '../support/openapi.js';
import { type SharedStack, sharedStack } from '../support/stack.js';

let stack: SharedStack;

beforeAll(async () => {
  stack = await sharedStack();
});

/** This file's artist: on the shared stack, what it counts is its own albums. */
const ARTIST = `Signed ${randomUUID()}`;
const newAlbum = () => JSON.stringify({ artist: ARTIST, title: `In ${randomUUID()}`, year: 2001 });

const albumCount = async () =>
  (
    (await (await fetch(`${stack.apiUrl}/albums?artist=${encodeURIComponent(ARTIST)}&limit=100`)).json()) as {
      items: unknown[];
    }
  ).items.length;

/** The write routes of the native API, each as a request that would succeed with a valid token. */
async function writes(albumId: string): Promise<Array<[string, string, string, RequestInit]>> {
  return [
    ['POST', '/albums', '/albums', { body: newAlbum() }],
    ['POST', '/albums/{albumId}/cover', `/albums/${albumId}/cover`, {}],
    ['POST', '/albums/{albumId}/reviews', `/albums/${albumId}/reviews`, { body: '{"kind":"like"}' }],
  ];
}

describe('sign-in on the local stack', () => {
  it('publishes the local OpenID provider under the API, as the issuer its tokens name', async () => {
    expect(stack.auth.issuer).toBe(`${stack.apiUrl}/auth`);
    const configuration = await (await fetch(`${stack.auth.issuer}/.well-known/openid-configuration`)).json();
    expect(configuration).toMatchObject({
      issuer: stack.auth.issuer,
      token_endpoint: `${stack.auth.issuer}/token`,
    });
    const claims = decodeJwt(await tokenFor(stack, 'alice'));
    expect(claims).toMatchObject({
      iss: stack.auth.issuer,
      sub: localUserSub('alice'),
      client_id: 'album-service-local',
    });
  });

  it('lets a signed-in user through every native write route', async () => {
    const { albumId } = await createAlbum(stack, ARTIST);
    const user = await signedInAs(stack);
    for (const [method, template, path, init] of await writes(albumId)) {
      const response = await fetch(`${stack.apiUrl}${path}`, {
        method,
        ...init,
        headers: { 'content-type': 'application/json', ...user },
      });
      expect(response.status, `${method} ${path}`).toBeLessThan(300);
      await expectDocumentedResponse(method, template, response);
    }
  });

  it('refuses every native write without a valid token as API Gateway does, before any function runs', async () => {
    const { albumId } = await createAlbum(stack, ARTIST);
    const before = await albumCount();
    const token = await tokenFor(stack, 'alice');
    const refusals: Array<[string, Record<string, string>, string]> = [
      ['no token', {}, ''],
      ['a token in the query string', {}, `?access_token=${token}`],
      ['a token in a cookie', { cookie: `token=${token}` }, ''],
      ['a tampered token', { authorization: `Bearer ${token.slice(0, -4)}AAAA` }, ''],
    ];
    for (const [method, template, path, init] of await writes(albumId)) {
      for (const [attack, headers, query] of refusals) {
        const response = await fetch(`${stack.apiUrl}${path}${query}`, {
          method,
          ...init,
          headers: { 'content-type': 'application/json', ...headers },
        });
        expect(response.status, `${method} ${path} with ${attack}`).toBe(401);
        expect(await response.clone().json()).toEqual({ message: 'Unauthorized' });
        expect(response.headers.get('www-authenticate')).toBe(
          headers.authorization ? 'Bearer scope="" error="invalid_token"' : 'Bearer',
        );
        await expectDocumentedResponse(method, template, response);
      }
    }
    expect(await albumCount()).toBe(before);
  });

  it('leaves reads and the course contract open to anyone', async () => {
    const { albumId } = await createAlbum(stack, ARTIST);
    for (const path of ['/albums', `/albums/${albumId}`, `/albums/${albumId}/reviews`, '/', '/docs']) {
      expect((await fetch(`${stack.apiUrl}${path}`)).status, path).toBe(200);
    }
    const review = await fetch(`${stack.apiUrl}/cs6650/review/like/${albumId}`, { method: 'POST' });
    expect(review.status).toBe(201);
  });
});
