import { ConfigurationError } from '../../lib/config.js';

/**
 * Stands in for `@redis/client` in the bundles of a deployment whose album cache is each container's memory
 * (the `cache` parameter's default): every cold start would parse the client for nothing
 * (see docs/performance.md#what-the-bundles-leave-out).
 * Reached only if REDIS_URL is set anyway.
 */
export function createClient(): never {
  throw new ConfigurationError(
    'REDIS_URL is set, but this deployment was built without a Redis client: deploy with --param="cache=valkey"',
  );
}
