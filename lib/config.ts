/**
 * Configuration by concern: each function loads only the sections it uses, so a function that never
 * touches the queue neither needs its variables set nor bundles its client. Every loader validates at cold
 * start and throws {@link ConfigurationError} naming the variable.
 */

import type { Engine } from './db/database.js';

export interface DatabaseConfig {
  region: string;
  clusterArn: string;
  secretArn: string;
  name: string;
  /** The cluster's engine, whose SQL every statement is sent in (`DB_ENGINE`, PostgreSQL by default). */
  engine: Engine;
  /** Set only when running against the local Data API endpoint. */
  endpoint?: string;
  /** How long one Data API call may go unanswered before the database counts as unavailable. */
  requestTimeoutMs: number;
}

export interface CoversConfig {
  region: string;
  bucket: string;
  /** Set only when running against a local S3 emulator. */
  endpoint?: string;
  maxBytes: number;
  uploadExpiresSeconds: number;
  /** How long an upload stays pending before the sweeper judges it, in case its notification was lost. */
  sweepAfterSeconds: number;
  /** How long one attempt of an S3 request may go unanswered before it fails. */
  requestTimeoutMs: number;
}

export interface ReviewsQueueConfig {
  region: string;
  queueUrl: string;
  /** Set only when running against a local SQS emulator. */
  endpoint?: string;
  /** How long the API waits for SQS before it counts the send as failed and takes the fallback. */
  sendTimeoutMs: number;
}

export interface BreakerConfig {
  failureRateThreshold: number;
  minimumCalls: number;
  windowMs: number;
  openMs: number;
  halfOpenTrials: number;
}

export interface AlbumCacheConfig {
  /** How long an album's metadata and cover state may be served from the cache; 0 turns caching off. */
  ttlSeconds: number;
  /** How long a container reuses an album's review counts; also the lifetime HTTP caches are given. */
  countsTtlMs: number;
  /** Most albums a container keeps in memory. */
  maxEntries: number;
  /** Redis or Valkey shared by every container (`rediss://` for TLS); unset: each container's memory. */
  redisUrl?: string;
  redisConnectTimeoutMs: number;
  redisCommandTimeoutMs: number;
}

/** How the web page signs people in: the issuer's hosted sign-in page, or the local provider's user picker. */
export type PageSignIn =
  | { kind: 'hosted'; issuer: string; clientId: string }
  | { kind: 'local'; issuer: string; clientId: string; users: string[] };

export interface WebPageConfig {
  signIn: PageSignIn;
  /** The origins sign-in talks to: the issuer's, and the hosted sign-in page's, whose token endpoint it is. */
  signInOrigins: string[];
  /** The covers bucket's origin, which the page shows covers from and uploads them to. */
  storageOrigin: string;
}

/** Thrown at cold start when the environment is incomplete or malformed. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

const MAX_UPLOAD_EXPIRY_SECONDS = 600;

// The API's functions time out at 10 s and keep 1 s back to answer (lib/http/handler.ts): a call to a
// stalled dependency must fail within the rest, so the function can still answer 503 or take a fallback.
const WITHIN_FUNCTION_TIMEOUT_MS = 9_000;
// The S3 client keeps the SDK's three attempts, which must fit in that time together.
const S3_ATTEMPTS = 3;

// A day: longer would keep a cover change from showing for that long wherever the cache is in memory.
const MAX_ALBUM_CACHE_TTL_SECONDS = 86_400;
// Counts are also the HTTP lifetime of an album; a minute bounds how stale a CDN may show them.
const MAX_ALBUM_COUNTS_TTL_MS = 60_000;

const ENGINES = ['postgresql', 'mysql'] as const satisfies readonly Engine[];

/**
 * The database the albums and reviews live in.
 *
 * @example
 * const database = connectDatabase(loadDatabaseConfig());
 */
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const read = variables(env);
  return {
    region: read.region(),
    clusterArn: read.required('DB_CLUSTER_ARN'),
    secretArn: read.required('DB_SECRET_ARN'),
    name: read.required('DB_NAME'),
    engine: read.oneOf('DB_ENGINE', ENGINES, 'postgresql'),
    endpoint: read.optional('DATA_API_ENDPOINT'),
    requestTimeoutMs: read.positiveInteger('DATA_API_TIMEOUT_MS', 5_000, WITHIN_FUNCTION_TIMEOUT_MS),
  };
}

/** The covers bucket and the limits of an upload to it. */
export function loadCoversConfig(env: NodeJS.ProcessEnv = process.env): CoversConfig {
  const read = variables(env);
  return {
    region: read.region(),
    bucket: read.required('COVERS_BUCKET'),
    endpoint: read.optional('S3_ENDPOINT'),
    maxBytes: read.positiveInteger('COVER_MAX_BYTES', 5 * 1024 * 1024),
    uploadExpiresSeconds: read.positiveInteger(
      'COVER_UPLOAD_EXPIRES_SECONDS',
      300,
      MAX_UPLOAD_EXPIRY_SECONDS,
    ),
    sweepAfterSeconds: read.positiveInteger('COVER_SWEEP_AFTER_SECONDS', 180),
    requestTimeoutMs: read.positiveInteger(
      'S3_REQUEST_TIMEOUT_MS',
      2_500,
      Math.floor(WITHIN_FUNCTION_TIMEOUT_MS / S3_ATTEMPTS),
    ),
  };
}

/** The queue accepted reviews travel on to the consumer that counts them. */
export function loadReviewsQueueConfig(env: NodeJS.ProcessEnv = process.env): ReviewsQueueConfig {
  const read = variables(env);
  return {
    region: read.region(),
    queueUrl: read.required('REVIEWS_QUEUE_URL'),
    endpoint: read.optional('SQS_ENDPOINT'),
    // Half the time at most: a review the queue did not take still has to reach the database fallback.
    sendTimeoutMs: read.positiveInteger('REVIEWS_SEND_TIMEOUT_MS', 1_000, WITHIN_FUNCTION_TIMEOUT_MS / 2),
  };
}

/** The circuit breaker around the reviews queue (see README, "Reviews, exactly once"). */
export function loadBreakerConfig(env: NodeJS.ProcessEnv = process.env): BreakerConfig {
  const read = variables(env);
  return {
    failureRateThreshold: read.fraction('BREAKER_FAILURE_RATE', 0.5),
    minimumCalls: read.positiveInteger('BREAKER_MINIMUM_CALLS', 5),
    windowMs: read.positiveInteger('BREAKER_WINDOW_MS', 10_000),
    openMs: read.positiveInteger('BREAKER_OPEN_MS', 5_000),
    halfOpenTrials: read.positiveInteger('BREAKER_HALF_OPEN_TRIALS', 3),
  };
}

/** The album cache of the read functions (see README, "Caching"). */
export function loadAlbumCacheConfig(env: NodeJS.ProcessEnv = process.env): AlbumCacheConfig {
  const read = variables(env);
  return {
    ttlSeconds: read.integer('ALBUM_CACHE_TTL_SECONDS', 10, 0, MAX_ALBUM_CACHE_TTL_SECONDS),
    countsTtlMs: read.integer('ALBUM_COUNTS_TTL_MS', 1_000, 0, MAX_ALBUM_COUNTS_TTL_MS),
    maxEntries: read.positiveInteger('ALBUM_CACHE_ENTRIES', 10_000),
    redisUrl: read.optional('REDIS_URL'),
    redisConnectTimeoutMs: read.positiveInteger('REDIS_CONNECT_TIMEOUT_MS', 300),
    redisCommandTimeoutMs: read.positiveInteger('REDIS_COMMAND_TIMEOUT_MS', 100),
  };
}

/**
 * What the web page needs to know of the deployment: how it signs people in (`AUTH_ISSUER`, the app client
 * `AUTH_CLIENT_ID`, and `AUTH_HOSTED_UI`, the hosted sign-in page's address where it is not the issuer's;
 * `AUTH_SIGN_IN=local` for the local provider's user picker, offering `AUTH_LOCAL_USERS`) and where covers
 * live.
 *
 * @example
 * const { signIn, storageOrigin } = loadWebPageConfig();
 */
export function loadWebPageConfig(env: NodeJS.ProcessEnv = process.env): WebPageConfig {
  const read = variables(env);
  const storageOrigin = read.optional('S3_ENDPOINT')
    ? read.url('S3_ENDPOINT').origin
    : `https://${read.required('COVERS_BUCKET')}.s3.${read.region()}.amazonaws.com`;
  const issuer = read.url('AUTH_ISSUER');
  const clientId = read.required('AUTH_CLIENT_ID');
  const hostedUi = read.optional('AUTH_HOSTED_UI') ? [read.url('AUTH_HOSTED_UI').origin] : [];
  const signInOrigins = [...new Set([issuer.origin, ...hostedUi])];
  // The issuer exactly as its tokens name it, without a trailing slash to join paths to.
  const issuerUrl = issuer.href.replace(/\/$/, '');
  if (read.oneOf('AUTH_SIGN_IN', ['hosted', 'local'] as const, 'hosted') === 'local') {
    const users = (read.optional('AUTH_LOCAL_USERS') ?? 'alice,bob,carol')
      .split(',')
      .map((name) => name.trim());
    return {
      signIn: { kind: 'local', issuer: issuerUrl, clientId, users: users.filter(Boolean) },
      signInOrigins,
      storageOrigin,
    };
  }
  return { signIn: { kind: 'hosted', issuer: issuerUrl, clientId }, signInOrigins, storageOrigin };
}

function variables(env: NodeJS.ProcessEnv) {
  const optional = (name: string): string | undefined => env[name]?.trim() || undefined;
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new ConfigurationError(`Environment variable ${name} must be an integer from ${min} to ${max}`);
    }
    return value;
  };
  return {
    optional,
    region: () => optional('AWS_REGION') ?? 'us-east-1',
    required(name: string): string {
      const value = optional(name);
      if (!value) throw new ConfigurationError(`Environment variable ${name} is required`);
      return value;
    },
    oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const value = optional(name) ?? fallback;
      if (!allowed.includes(value as T)) {
        throw new ConfigurationError(`Environment variable ${name} must be one of ${allowed.join(', ')}`);
      }
      return value as T;
    },
    fraction(name: string, fallback: number): number {
      const raw = optional(name);
      if (raw === undefined) return fallback;
      const value = Number(raw);
      if (!(value > 0 && value <= 1))
        throw new ConfigurationError(`Environment variable ${name} must be in (0, 1]`);
      return value;
    },
    url(name: string): URL {
      const value = optional(name);
      if (!value) throw new ConfigurationError(`Environment variable ${name} is required`);
      if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
        throw new ConfigurationError(`Environment variable ${name} must be an http(s) URL`);
      }
      return new URL(value);
    },
    positiveInteger: (name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number =>
      integer(name, fallback, 1, max),
    integer,
  };
}
