import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

const serviceName = 'album-service';

/** The one structured logger of a container; Lambda context is injected per invocation by the handler. */
export const logger = new Logger({ serviceName });

/** CloudWatch metrics (embedded metric format), flushed at the end of each invocation by `logMetrics`. */
export const metrics = new Metrics({ namespace: 'AlbumService', serviceName });
