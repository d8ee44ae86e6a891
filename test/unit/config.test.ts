import { describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  loadBreakerConfig,
  loadCoversConfig,
  loadDatabaseConfig,
  loadReviewsQueueConfig,
} from '../../lib/config.js';

const database = { DB_CLUSTER_ARN: 'arn:cluster', DB_SECRET_ARN: 'arn:secret', DB_NAME: 'albums' };

describe('configuration', () => {
  it('reads each section from its own variables only', () => {
    expect(loadDatabaseConfig(database)).toMatchObject({
      region: 'us-east-1',
      clusterArn: 'arn:cluster',
      secretArn: 'arn:secret',
      name: 'albums',
      endpoint: undefined,
      requestTimeoutMs: 5_000,
    });
    expect(loadReviewsQueueConfig({ REVIEWS_QUEUE_URL: 'https://sqs/q', AWS_REGION: 'eu-west-1' })).toEqual({
      region: 'eu-west-1',
      queueUrl: 'https://sqs/q',
      endpoint: undefined,
      sendTimeoutMs: 1_000,
    });
    expect(loadCoversConfig({ COVERS_BUCKET: 'covers', S3_ENDPOINT: ' http://127.0.0.1:4569 ' })).toEqual({
      region: 'us-east-1',
      bucket: 'covers',
      endpoint: 'http://127.0.0.1:4569',
      maxBytes: 5 * 1024 * 1024,
      uploadExpiresSeconds: 300,
      sweepAfterSeconds: 180,
      requestTimeoutMs: 2_500,
    });
  });

  it('names the missing variable, and takes a blank one for missing', () => {
    expect(() => loadDatabaseConfig({ ...database, DB_SECRET_ARN: '  ' })).toThrow(
      new ConfigurationError('Environment variable DB_SECRET_ARN is required'),
    );
    expect(() => loadCoversConfig({})).toThrow('COVERS_BUCKET is required');
    expect(() => loadReviewsQueueConfig({})).toThrow('REVIEWS_QUEUE_URL is required');
  });

  it.each([
    ['COVER_MAX_BYTES', '0'],
    ['COVER_MAX_BYTES', '1.5'],
    ['COVER_MAX_BYTES', '1e6'],
    ['COVER_MAX_BYTES', '0x10'],
    ['COVER_MAX_BYTES', 'lots'],
    ['COVER_UPLOAD_EXPIRES_SECONDS', '601'],
  ])('refuses %s=%s', (name, value) => {
    expect(() => loadCoversConfig({ COVERS_BUCKET: 'covers', [name]: value })).toThrow(
      new RegExp(`${name} must be an integer from 1 to`),
    );
  });

  it('keeps every call to a dependency within the time a function has to answer', () => {
    expect(() => loadDatabaseConfig({ ...database, DATA_API_TIMEOUT_MS: '9001' })).toThrow(
      'DATA_API_TIMEOUT_MS must be an integer from 1 to 9000',
    );
    expect(() => loadCoversConfig({ COVERS_BUCKET: 'covers', S3_REQUEST_TIMEOUT_MS: '3001' })).toThrow(
      'S3_REQUEST_TIMEOUT_MS must be an integer from 1 to 3000',
    );
    expect(() => loadReviewsQueueConfig({ REVIEWS_QUEUE_URL: 'q', REVIEWS_SEND_TIMEOUT_MS: '4501' })).toThrow(
      'REVIEWS_SEND_TIMEOUT_MS must be an integer from 1 to 4500',
    );
  });

  it('reads the breaker settings, with a failure rate in (0, 1]', () => {
    expect(loadBreakerConfig({ BREAKER_FAILURE_RATE: '0.25', BREAKER_OPEN_MS: '2000' })).toEqual({
      failureRateThreshold: 0.25,
      minimumCalls: 5,
      windowMs: 10_000,
      openMs: 2_000,
      halfOpenTrials: 3,
    });
    for (const rate of ['0', '1.5', '-0.5', 'half']) {
      expect(() => loadBreakerConfig({ BREAKER_FAILURE_RATE: rate })).toThrow('must be in (0, 1]');
    }
  });
});
