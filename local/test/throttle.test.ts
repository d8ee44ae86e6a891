import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiFront, startApiFront } from '../api-front.js';
import { readServerlessConfig } from '../serverless-config.js';
import { stageThrottle, stageThrottling, TokenBucket } from '../throttle.js';

/** A clock the test moves by hand, in milliseconds. */
function manualClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('a token bucket', () => {
  it('lets a burst through at once, then refills at the rate', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ rateLimit: 10, burstLimit: 3 }, clock.now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    clock.advance(99);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.take()).toBe(true);
    expect(bucket.take()).toBe(false);
  });

  it('never holds more than its burst, however long it was idle', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ rateLimit: 100, burstLimit: 2 }, clock.now);
    clock.advance(60_000);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, false]);
  });

  it('admits a steady stream at its rate indefinitely', () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ rateLimit: 50, burstLimit: 1 }, clock.now);
    for (let i = 0; i < 1_000; i++) {
      expect(bucket.take()).toBe(true);
      clock.advance(20);
    }
  });
});

describe("a stage's throttle", () => {
  it('keeps a bucket per route, with the default limits unless the route has its own', () => {
    const clock = manualClock();
    const admit = stageThrottle(
      {
        defaultRoute: { rateLimit: 1, burstLimit: 2 },
        routes: { 'POST /albums': { rateLimit: 1, burstLimit: 1 } },
      },
      clock.now,
    );
    expect([admit('POST /albums'), admit('POST /albums')]).toEqual([true, false]);
    expect([admit('GET /albums'), admit('GET /albums'), admit('GET /albums')]).toEqual([true, true, false]);
    expect([admit('GET /albums/{albumId}'), admit('GET /albums/{albumId}')]).toEqual([true, true]);
  });

  it('is what serverless.yml gives the HTTP API stage, read from the resolved configuration', async () => {
    const config = await readServerlessConfig(resolve(import.meta.dirname, '..', '..'), {
      ...process.env,
      SLS_TELEMETRY_DISABLED: '1',
      API_RATE_LIMIT: '40',
      ALBUM_CREATE_BURST_LIMIT: '7',
    });
    const throttling = stageThrottling(config);
    expect(throttling.defaultRoute).toEqual({ rateLimit: 40, burstLimit: 500 });
    for (const route of ['POST /albums', 'POST /cs6650/albums', 'POST /albums/{albumId}/cover']) {
      expect(throttling.routes[route], route).toEqual({ rateLimit: 250, burstLimit: 7 });
    }
  }, 60_000);
});

describe('the local API front over its throttle', () => {
  let upstream: Server;
  let front: ApiFront;
  const rateLimit = 40;
  const burstLimit = 4;

  beforeAll(async () => {
    upstream = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"ok":true}');
    });
    await new Promise<void>((done) => upstream.listen(0, '127.0.0.1', done));
    front = await startApiFront({
      routes: [
        { method: 'GET', path: '/albums' },
        { method: 'GET', path: '/cs6650/review/{albumID}' },
      ],
      upstreamPort: (upstream.address() as AddressInfo).port,
      // The flooded route refills slowly, so that the flood's own arrival, slow on a busy machine, adds
      // little to its burst.
      admit: stageThrottle({
        defaultRoute: { rateLimit, burstLimit },
        routes: { 'GET /cs6650/review/{albumID}': { rateLimit: 2, burstLimit } },
      }),
    });
  });

  afterAll(async () => {
    await front?.close();
    await new Promise((done) => upstream?.close(done));
  });

  const statuses = (responses: Response[]) => responses.map((response) => response.status);

  it('answers 429 {"message":"Too Many Requests"} above the rate, in either dialect', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => fetch(`${front.url}/cs6650/review/7`)),
    );
    const answered = statuses(responses).filter((status) => status === 200).length;
    const refused = statuses(responses).filter((status) => status === 429).length;
    // The burst, and at most the odd token that refilled while the requests arrived.
    expect(answered).toBeGreaterThanOrEqual(burstLimit);
    expect(answered).toBeLessThanOrEqual(burstLimit + 2);
    expect(refused).toBe(20 - answered);
    const tooMany = responses.find((response) => response.status === 429) as Response;
    expect(tooMany.headers.get('content-type')).toBe('application/json');
    expect(await tooMany.json()).toEqual({ message: 'Too Many Requests' });
  });

  it('answers every request below the rate', async () => {
    await sleep(1_000);
    const responses: Response[] = [];
    // 40 requests at half the rate, one at a time.
    for (let i = 0; i < 40; i++) {
      responses.push(await fetch(`${front.url}/albums`));
      await sleep(2_000 / rateLimit);
    }
    expect(statuses(responses).filter((status) => status !== 200)).toEqual([]);
  });
});
