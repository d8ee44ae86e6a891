import type { Logger } from '@aws-lambda-powertools/logger';
import type { CacheStore } from './store.js';

export interface RedisCacheOptions {
  /** `redis://` or, with TLS (ElastiCache Serverless), `rediss://`. */
  url: string;
  /** How long the first request of a container waits for the connection, and a reconnection may take. */
  connectTimeoutMs: number;
  /** How long one command may take before the read goes to the database instead. */
  commandTimeoutMs: number;
  log: Pick<Logger, 'warn'>;
}

/** Thrown by every call while the cache is out of reach; callers read their source instead. */
export class CacheUnavailableError extends Error {
  override readonly name = 'CacheUnavailableError';
}

// Reconnection waits grow from 100 ms to this, so a cache that is down costs a connection attempt every few
// seconds, not one per request.
const MAX_RECONNECT_DELAY_MS = 5_000;

/**
 * A cache on Redis or Valkey, shared by every container. The client is loaded and connected on first use,
 * so a function whose cache is in memory never evaluates it. While the server is out of reach, every call
 * fails at once (no queue of commands waiting for it), and the client reconnects in the background.
 *
 * @example
 * const cache = connectRedisCacheStore({ url: 'rediss://albums-cache-…:6379', connectTimeoutMs: 300,
 *   commandTimeoutMs: 100, log: logger });
 */
export function connectRedisCacheStore(options: RedisCacheOptions): CacheStore {
  // Logged on each change, not on each request, so an outage is two lines however long it lasts.
  let reachable = true;
  const unreachable = (error: unknown) => {
    if (reachable) options.log.warn('Cache unavailable; reading the database', { error });
    reachable = false;
  };
  const answered = () => {
    if (!reachable) options.log.warn('Cache available again');
    reachable = true;
  };

  let connecting: Promise<Awaited<ReturnType<typeof connect>>> | undefined;
  const connect = async () => {
    const { createClient } = await import('@redis/client');
    const client = createClient({
      url: options.url,
      disableOfflineQueue: true,
      socket: {
        connectTimeout: options.connectTimeoutMs,
        reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS),
      },
    });
    client.on('error', unreachable);
    // Only the container's first request waits for the connection; later ones find it ready or fail fast.
    const firstConnection = client.connect().catch(unreachable);
    await withTimeout(firstConnection, options.connectTimeoutMs).catch(unreachable);
    return client;
  };

  const command = async <T>(run: (client: Awaited<ReturnType<typeof connect>>) => Promise<T>): Promise<T> => {
    connecting ??= connect();
    const client = await connecting;
    if (!client.isReady) throw new CacheUnavailableError('The cache is not connected');
    try {
      const result = await withTimeout(run(client), options.commandTimeoutMs);
      answered();
      return result;
    } catch (error) {
      unreachable(error);
      throw error;
    }
  };

  return {
    async get<V>(key: string) {
      const value = await command((client) => client.get(key));
      return value === null ? undefined : (JSON.parse(value) as V);
    },
    async set(key, value, ttlSeconds) {
      await command((client) =>
        client.set(key, JSON.stringify(value), { expiration: { type: 'EX', value: ttlSeconds } }),
      );
    },
    async delete(key) {
      await command((client) => client.del(key));
    },
  };
}

/** `promise`, or a {@link CacheUnavailableError} once `ms` have passed (the late result is dropped). */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CacheUnavailableError(`The cache did not answer in ${ms} ms`)), ms);
  });
  return Promise.race([promise, timedOut]).finally(() => clearTimeout(timer));
}
