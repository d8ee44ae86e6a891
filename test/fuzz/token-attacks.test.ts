import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { generateKeyPair, importJWK, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coverKeyPrefixes } from '../../lib/covers/keys.js';
import { createAlbum } from '../support/albums.js';
import { jsonAs } from '../support/auth.js';
import { coversBucket } from '../support/covers.js';
import { FUZZ_SEED, replayLine } from '../support/fuzz-seed.js';
import { reviewsQueueDrained } from '../support/reviews-queue.js';
import { eventually, type SharedStack, sharedStack } from '../support/stack.js';
import { type Forge, forgedRequest, type TokenAttack, tokenAttacks } from './token-attacks.js';

/**
 * Property: every forged, stale, misaddressed or misplaced token is refused on every native write route
 * with API Gateway's `401 {"message":"Unauthorized"}`, and no album, cover or count changes. Seeded, so a
 * failure replays.
 */

const IN_FLIGHT = 8;
/** The artist of every album this file makes or tries to make: its own on the shared stack. */
const FORGER = `Forger ${randomUUID()}`;
const REQUESTS = 800;
const BODIES: Record<TokenAttack['route'], string | undefined> = {
  'POST /albums': JSON.stringify({ artist: FORGER, title: 'Stolen', year: 2001 }),
  'POST /albums/{albumId}/cover': undefined,
  'POST /albums/{albumId}/reviews': JSON.stringify({ kind: 'like' }),
  'PATCH /albums/{albumId}': JSON.stringify({ title: 'Stolen' }),
  'DELETE /albums/{albumId}': undefined,
  'GET /albums/{albumId}/reviews/mine': undefined,
  'DELETE /albums/{albumId}/reviews/mine': undefined,
};

let stack: SharedStack;
let covers: ReturnType<typeof coversBucket>;
let forge: Forge;
let before: unknown;
const byAttack = new Map<string, number>();

const api = (path: string, init?: RequestInit) => fetch(`${stack.apiUrl}${path}`, init);

/**
 * Everything a refused request could have changed: the attacked album with its counts and stored objects,
 * and the albums of this file's artist, which a POST /albums that got through would add to. Every attack
 * names that album or that artist.
 */
async function snapshot() {
  const albums: unknown[] = [];
  const artist = `artist=${encodeURIComponent(FORGER)}`;
  for (let cursor: string | null = ''; cursor !== null; ) {
    const page = (await (
      await api(`/albums?${artist}&limit=100${cursor ? `&cursor=${cursor}` : ''}`)
    ).json()) as {
      items: unknown[];
      nextCursor: string | null;
    };
    albums.push(...page.items);
    cursor = page.nextCursor;
  }
  const counts = await (await api(`/albums/${forge.albumId}/reviews`)).json();
  const objects = [];
  for (const prefix of coverKeyPrefixes(forge.albumId)) {
    const { Contents = [] } = await covers.s3.send(
      new ListObjectsV2Command({ Bucket: covers.bucket, Prefix: prefix }),
    );
    objects.push(...Contents.map(({ Key, Size, ETag }) => ({ Key, Size, ETag })));
  }
  return { albums, counts, objects };
}

async function expectUnauthorized(attack: TokenAttack): Promise<void> {
  const { path, headers } = await forgedRequest(forge, attack);
  const body = BODIES[attack.route];
  const response = await api(path, {
    method: attack.route.split(' ', 1)[0],
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body,
  });
  const text = await response.text();
  const [kind = ''] = attack.attack.split(':', 1);
  byAttack.set(kind, (byAttack.get(kind) ?? 0) + 1);
  if (response.status !== 401 || text !== '{"message":"Unauthorized"}') {
    throw new Error(
      `Not refused as API Gateway refuses: ${fc.stringify(attack)}\n  → ${response.status} ${text}`,
    );
  }
}

beforeAll(async () => {
  stack = await sharedStack();
  covers = coversBucket(stack);
  const signingJwk = JSON.parse(await readFile(stack.auth.keyFile, 'utf8')) as JWK & { kid: string };
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = signingJwk;
  const { albumId } = await createAlbum(stack, FORGER);
  forge = {
    issuer: stack.auth.issuer,
    clientId: stack.auth.clientId,
    signingKey: (await importJWK(signingJwk, 'RS256')) as Forge['signingKey'],
    kid: signingJwk.kid,
    publicJwk,
    foreignKey: (await generateKeyPair('RS256')).privateKey,
    albumId,
  };
  // A counted review, so a refused one that slipped through would show as a change.
  const liked = await api(`/albums/${albumId}/reviews`, {
    method: 'POST',
    headers: await jsonAs(stack),
    body: '{"kind":"like"}',
  });
  expect(liked.status).toBe(202);
  await eventually(
    async () =>
      ((await (await api(`/albums/${albumId}/reviews`)).json()) as { likes: number }).likes === 1
        ? true
        : undefined,
    20_000,
    'the seed review to be counted',
  );
  before = await snapshot();
});

afterAll(async () => {
  covers?.s3.destroy();
  const lines = [...byAttack.entries()].sort(([a], [b]) => a.localeCompare(b));
  const total = lines.reduce((sum, [, count]) => sum + count, 0);
  console.log(
    [
      `Token attacks (seed ${FUZZ_SEED}): ${total} requests, every one 401 {"message":"Unauthorized"}`,
      ...lines.map(([attack, count]) => `  ${attack.padEnd(56)} ${count}`),
    ].join('\n'),
  );
});

describe('token attacks on the native write routes', () => {
  it(`are refused with API Gateway's 401 (seed ${FUZZ_SEED})`, { timeout: 600_000 }, async () => {
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(tokenAttacks(forge), { minLength: IN_FLIGHT, maxLength: IN_FLIGHT }),
          async (batch) => {
            await Promise.all(batch.map(expectUnauthorized));
          },
        ),
        { seed: FUZZ_SEED, numRuns: Math.ceil(REQUESTS / IN_FLIGHT), endOnFailure: true, verbose: 1 },
      );
    } catch (error) {
      const cause = (error as Error).cause as Error | undefined;
      throw new Error(
        `${replayLine('test/fuzz/token-attacks.test.ts')}\n${(error as Error).message}\n${cause?.message ?? ''}`,
      );
    }
  });

  it('change no album, cover or count', async () => {
    // Once the reviews queue has drained, a review that got past the authorizer has been counted.
    await reviewsQueueDrained(stack);
    expect(await snapshot()).toEqual(before);
  });

  it('do not stop the same request with a valid token going through', async () => {
    const response = await api('/albums', {
      method: 'POST',
      headers: await jsonAs(stack),
      body: BODIES['POST /albums'],
    });
    expect(response.status).toBe(201);
  });
});
