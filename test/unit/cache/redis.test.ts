import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { connectRedisCacheStore } from '../../../lib/cache/redis.js';
import { CLOSED_REDIS_URL, redisAnswers, redisTestUrl } from '../../support/redis.js';

const options = { connectTimeoutMs: 300, commandTimeoutMs: 100 };

describe('connectRedisCacheStore with no server', () => {
  it('fails every call quickly and logs the outage once', async () => {
    const warnings: string[] = [];
    const cache = connectRedisCacheStore({
      ...options,
      url: CLOSED_REDIS_URL,
      log: { warn: (message: string) => void warnings.push(message) },
    });
    await expect(cache.get('k')).rejects.toThrow();
    const calls = 40;
    const started = performance.now();
    for (let i = 0; i < calls / 2; i++) {
      await expect(cache.set('k', { a: 1 }, 10)).rejects.toThrow();
      await expect(cache.delete('k')).rejects.toThrow();
    }
    // Calls that each waited out their command timeout would take calls × commandTimeoutMs; half of that
    // still tells failing fast from waiting on a machine too busy for a tighter bound.
    expect(performance.now() - started).toBeLessThan((calls * options.commandTimeoutMs) / 2);
    expect(warnings).toEqual(['Cache unavailable; reading the database']);
  });
});

describe.skipIf(!(await redisAnswers()))('connectRedisCacheStore on a server', () => {
  const cache = connectRedisCacheStore({ ...options, url: redisTestUrl, log: { warn: () => undefined } });
  const key = () => `test:${randomUUID()}`;

  it('gives back what was stored, through JSON, until deleted', async () => {
    const name = key();
    expect(await cache.get(name)).toBeUndefined();
    await cache.set(name, { title: 'Pastel Blues', year: 1965, cover: { status: 'ready' } }, 10);
    expect(await cache.get(name)).toEqual({ title: 'Pastel Blues', year: 1965, cover: { status: 'ready' } });
    await cache.delete(name);
    expect(await cache.get(name)).toBeUndefined();
  });

  it('lets an entry expire after its TTL', async () => {
    const name = key();
    await cache.set(name, 1, 1);
    expect(await cache.get(name)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await cache.get(name)).toBeUndefined();
  });
});
