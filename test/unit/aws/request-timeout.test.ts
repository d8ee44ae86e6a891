import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadCoversConfig, loadReviewsQueueConfig } from '../../../lib/config.js';
import { connectCoverStore } from '../../../lib/covers/store.js';
import { connectReviewQueue } from '../../../lib/reviews/queue.js';

// The SDK clients whose requests are timed (timedRequests), each as a function builds it from its
// configuration, pointed at a service that accepts every connection and never answers: the call must fail
// within its configured time, not hang. (The Data API adapter sets its own deadline: test/unit/db/database.test.ts.)

let silent: Server;
let endpoint: string;
const sockets = new Set<Socket>();

beforeAll(async () => {
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'local');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'local');
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const address = silent.address();
  if (typeof address !== 'object' || !address) throw new Error('silent service did not bind');
  endpoint = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  vi.unstubAllEnvs();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
});

/** How long `call` took to fail, and with what. */
async function failure(call: () => Promise<unknown>): Promise<{ error: unknown; elapsedMs: number }> {
  const started = Date.now();
  try {
    await call();
  } catch (error) {
    return { error, elapsedMs: Date.now() - started };
  }
  throw new Error('the call to a silent service succeeded');
}

describe('a timed SDK client facing a service that accepts and never answers', () => {
  it('the reviews queue fails the send within REVIEWS_SEND_TIMEOUT_MS', async () => {
    const queue = connectReviewQueue(
      loadReviewsQueueConfig({
        REVIEWS_QUEUE_URL: `${endpoint}/000000000000/reviews`,
        SQS_ENDPOINT: endpoint,
        REVIEWS_SEND_TIMEOUT_MS: '300',
      }),
    );
    const { error, elapsedMs } = await failure(() =>
      queue.publish({ reviewId: crypto.randomUUID(), albumId: crypto.randomUUID(), kind: 'like' }),
    );
    expect((error as Error).name).toBe('TimeoutError');
    expect(elapsedMs).toBeLessThan(1_500);
  });

  it('the covers bucket fails each attempt within S3_REQUEST_TIMEOUT_MS', async () => {
    const covers = connectCoverStore(
      loadCoversConfig({ COVERS_BUCKET: 'covers', S3_ENDPOINT: endpoint, S3_REQUEST_TIMEOUT_MS: '200' }),
    );
    const { error, elapsedMs } = await failure(() => covers.readStart('covers/some-album', 16));
    expect((error as Error).name).toBe('TimeoutError');
    // The SDK's three attempts with their backoff, each cut short.
    expect(elapsedMs).toBeLessThan(3_000);
  });
});
