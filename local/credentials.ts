/**
 * The one key every emulator of the local stack takes: S3 verifies signatures made with it, and the
 * functions, tests, benches and tools sign their S3, SQS and Data API requests with it.
 */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
