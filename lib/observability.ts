import { Logger } from '@aws-lambda-powertools/logger';

/** The one structured logger of a container; Lambda context is injected per invocation by the handler. */
export const logger = new Logger({ serviceName: 'album-service' });
