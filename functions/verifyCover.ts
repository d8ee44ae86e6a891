import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { loadConfig } from '../lib/config.js';
import { createCoverVerifier } from '../lib/covers/verification.js';
import { logger } from '../lib/observability.js';
import { createServices } from '../lib/services.js';

const config = loadConfig();
const { albums, covers } = createServices(config);
const verify = createCoverVerifier({ albums, covers, maxBytes: config.covers.maxBytes });

/** S3 ObjectCreated under covers/: verifies each uploaded cover. */
export const handler = middy(async (event: S3Event) => {
  for (const record of event.Records) {
    // Keys in S3 events are URL-encoded, with spaces as '+'.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    const outcome = await verify(key, record.s3.object.eTag);
    logger.info('Cover verified', { key, outcome });
  }
}).use(injectLambdaContext(logger));
