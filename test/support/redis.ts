import { connect } from 'node:net';

/** Where the tests that need Redis or Valkey look for one (`REDIS_TEST_URL`, else the default port here). */
export const redisTestUrl = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';

/**
 * Whether a Redis or Valkey server answers PING at {@link redisTestUrl}; when none does, says so, so a run
 * shows which half it skipped.
 */
export async function redisAnswers(): Promise<boolean> {
  const { hostname, port } = new URL(redisTestUrl);
  const answered = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
  if (!answered) console.log(`No Redis answers at ${redisTestUrl}: skipping the tests that need one`);
  return answered;
}

/** A port on this machine that nothing listens on: a cache there refuses every connection. */
export const CLOSED_REDIS_URL = 'redis://127.0.0.1:1';
