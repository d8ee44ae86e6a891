/** Everything the functions need from their environment, validated once at cold start. */
export interface AppConfig {
  region: string;
  database: {
    clusterArn: string;
    secretArn: string;
    name: string;
    /** Set only when running against the local Data API endpoint. */
    endpoint?: string;
  };
  covers: {
    bucket: string;
    /** Set only when running against a local S3 emulator. */
    endpoint?: string;
    maxBytes: number;
    uploadExpiresSeconds: number;
  };
  reviews: {
    queueUrl: string;
    /** Set only when running against a local SQS emulator. */
    endpoint?: string;
    /** How long the API waits for SQS before it counts the send as failed and takes the fallback. */
    sendTimeoutMs: number;
    breaker: {
      failureRateThreshold: number;
      minimumCalls: number;
      windowMs: number;
      openMs: number;
      halfOpenTrials: number;
    };
  };
}

/** Thrown at cold start when the environment is incomplete or malformed. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

const MAX_UPLOAD_EXPIRY_SECONDS = 600;

/**
 * Reads and validates the function configuration from environment variables.
 *
 * @example
 * const config = loadConfig(process.env);
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new ConfigurationError(`Environment variable ${name} is required`);
    return value;
  };
  const optional = (name: string): string | undefined => env[name]?.trim() || undefined;
  const fraction = (name: string, fallback: number): number => {
    const raw = optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!(value > 0 && value <= 1))
      throw new ConfigurationError(`Environment variable ${name} must be in (0, 1]`);
    return value;
  };
  const positiveInteger = (name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > max) {
      throw new ConfigurationError(`Environment variable ${name} must be an integer from 1 to ${max}`);
    }
    return value;
  };

  return {
    region: optional('AWS_REGION') ?? 'us-east-1',
    database: {
      clusterArn: required('DB_CLUSTER_ARN'),
      secretArn: required('DB_SECRET_ARN'),
      name: required('DB_NAME'),
      endpoint: optional('DATA_API_ENDPOINT'),
    },
    covers: {
      bucket: required('COVERS_BUCKET'),
      endpoint: optional('S3_ENDPOINT'),
      maxBytes: positiveInteger('COVER_MAX_BYTES', 5 * 1024 * 1024),
      uploadExpiresSeconds: positiveInteger('COVER_UPLOAD_EXPIRES_SECONDS', 300, MAX_UPLOAD_EXPIRY_SECONDS),
    },
    reviews: {
      queueUrl: required('REVIEWS_QUEUE_URL'),
      endpoint: optional('SQS_ENDPOINT'),
      sendTimeoutMs: positiveInteger('REVIEWS_SEND_TIMEOUT_MS', 1_000),
      breaker: {
        failureRateThreshold: fraction('BREAKER_FAILURE_RATE', 0.5),
        minimumCalls: positiveInteger('BREAKER_MINIMUM_CALLS', 5),
        windowMs: positiveInteger('BREAKER_WINDOW_MS', 10_000),
        openMs: positiveInteger('BREAKER_OPEN_MS', 5_000),
        halfOpenTrials: positiveInteger('BREAKER_HALF_OPEN_TRIALS', 3),
      },
    },
  };
}
