import { RDSDataClient } from '@aws-sdk/client-rds-data';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type AlbumStore, createAlbumStore } from './albums/store.js';
import type { AppConfig } from './config.js';
import { type CoverStore, createCoverStore } from './covers/store.js';
import { createDatabase } from './db/database.js';
import { createReviewLedger, type ReviewLedger } from './reviews/ledger.js';
import { createReviewQueue, type ReviewQueue } from './reviews/queue.js';

export interface Services {
  albums: AlbumStore;
  covers: CoverStore;
  reviewQueue: ReviewQueue;
  reviewLedger: ReviewLedger;
}

/**
 * Builds the adapters once per container from validated configuration; handlers call this at module load.
 *
 * @example
 * const { albums, covers } = createServices(loadConfig());
 */
export function createServices(config: AppConfig): Services {
  const database = createDatabase({
    client: new RDSDataClient({ region: config.region, endpoint: config.database.endpoint }),
    clusterArn: config.database.clusterArn,
    secretArn: config.database.secretArn,
    name: config.database.name,
  });
  const s3 = new S3Client({
    region: config.region,
    endpoint: config.covers.endpoint,
    forcePathStyle: config.covers.endpoint !== undefined,
    // Checksums the SDK would otherwise add are computed over an empty body and break browser uploads.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const sqs = new SQSClient({
    region: config.region,
    endpoint: config.reviews.endpoint,
    // One quick attempt: the circuit breaker and the database fallback deal with a slow or absent queue.
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: config.reviews.sendTimeoutMs,
      requestTimeout: config.reviews.sendTimeoutMs,
    },
  });
  return {
    albums: createAlbumStore(database),
    reviewQueue: createReviewQueue({ sqs, queueUrl: config.reviews.queueUrl }),
    reviewLedger: createReviewLedger(database),
    covers: createCoverStore({
      s3,
      bucket: config.covers.bucket,
      maxBytes: config.covers.maxBytes,
      uploadExpiresSeconds: config.covers.uploadExpiresSeconds,
    }),
  };
}
