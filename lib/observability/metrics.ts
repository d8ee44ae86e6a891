import { Metrics } from '@aws-lambda-powertools/metrics';
import { serviceName } from './logger.js';

// Apart from the logger, so that only the functions that count something bundle and start the metrics.

/** CloudWatch metrics (embedded metric format), flushed at the end of each invocation by `logMetrics`. */
export const metrics = new Metrics({ namespace: 'AlbumService', serviceName });
