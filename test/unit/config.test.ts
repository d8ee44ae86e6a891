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
