import { Logger } from '@aws-lambda-powertools/logger';

/** The service's name in every log line and metric. */
export const serviceName = 'album-service';

/** The one structured logger of a container; Lambda context is injected per invocation by the handler. */
export const logger = new Logger({ serviceName });
