/** A rate in requests per second and the burst allowed above it, as API Gateway's route settings state them. */
export interface ThrottleLimits {
  rateLimit: number;
  burstLimit: number;
}

/** A stage's throttling: the default every route gets, and the routes (by key, `POST /albums`) with their own. */
export interface StageThrottling {
  defaultRoute: ThrottleLimits;
  routes: Record<string, ThrottleLimits>;
}

/**
 * A token bucket, the algorithm API Gateway throttles with: it holds up to `burstLimit` tokens, starts
 * full, and refills at `rateLimit` tokens per second; each request takes one, and a request that finds
 * none is refused.
 *
 * @example
 * const bucket = new TokenBucket({ rateLimit: 10, burstLimit: 5 });
 * if (!bucket.take()) answer429();
 */
export class TokenBucket {
  #tokens: number;
  #refilledAt: number;

  constructor(
    readonly limits: ThrottleLimits,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#tokens = limits.burstLimit;
    this.#refilledAt = now();
  }

  /** Takes a token if there is one; false when the request is over the limit. */
  take(): boolean {
    if (this.limits.burstLimit === Number.POSITIVE_INFINITY) return true;
    const now = this.now();
    const refill = ((now - this.#refilledAt) / 1000) * this.limits.rateLimit;
    this.#tokens = Math.min(this.limits.burstLimit, this.#tokens + refill);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

/**
 * The admission check of a stage's throttling: one bucket per route, as API Gateway keeps them (the
 * default route settings apply to each route on its own), created on the route's first request.
 *
 * @example
 * const admit = stageThrottle(stageThrottling(config));
 * if (!admit('POST /albums')) answer429();
 */
export function stageThrottle(
  throttling: StageThrottling,
  now?: () => number,
): (routeKey: string) => boolean {
  const buckets = new Map<string, TokenBucket>();
  return (routeKey) => {
    let bucket = buckets.get(routeKey);
    if (!bucket) {
      bucket = new TokenBucket(throttling.routes[routeKey] ?? throttling.defaultRoute, now);
      buckets.set(routeKey, bucket);
    }
    return bucket.take();
  };
}

interface RouteSettings {
  ThrottlingRateLimit?: number | string;
  ThrottlingBurstLimit?: number | string;
}

/** The parts of the resolved serverless.yml that carry the HTTP API stage's throttling. */
export interface ConfigWithStageExtension {
  resources: {
    [section: string]: unknown;
    extensions?: {
      HttpApiStage?: {
        Properties?: { DefaultRouteSettings?: RouteSettings; RouteSettings?: Record<string, RouteSettings> };
      };
    };
  };
}

/**
 * The throttling serverless.yml gives the HTTP API's stage (deploy/http-api-throttling.yml), for the local
 * front to enforce what API Gateway would. A stage without any is not throttled.
 */
export function stageThrottling(config: ConfigWithStageExtension): StageThrottling {
  const properties = config.resources.extensions?.HttpApiStage?.Properties ?? {};
  const limits = (settings: RouteSettings | undefined, fallback: ThrottleLimits): ThrottleLimits => ({
    rateLimit: Number(settings?.ThrottlingRateLimit ?? fallback.rateLimit),
    burstLimit: Number(settings?.ThrottlingBurstLimit ?? fallback.burstLimit),
  });
  const unlimited = { rateLimit: Number.POSITIVE_INFINITY, burstLimit: Number.POSITIVE_INFINITY };
  const defaultRoute = limits(properties.DefaultRouteSettings, unlimited);
  return {
    defaultRoute,
    routes: Object.fromEntries(
      Object.entries(properties.RouteSettings ?? {}).map(([key, settings]) => [
        key,
        limits(settings, defaultRoute),
      ]),
    ),
  };
}
