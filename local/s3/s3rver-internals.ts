/**
 * Everything the local S3 takes from s3rver beyond its public API (the `S3rver` server, its options, its
 * `event` emitter and Koa's `callback()`), in one place. s3rver (last released in 2021) has no extension
 * point for its store, its accounts or its request log, so the version is pinned exactly in
 * local/package.json, and local/test/s3/s3rver-internals.test.ts fails on an upgrade that changes any of
 * what is used here. local/EMULATORS.md says why each is used.
 */
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import type S3rver from 's3rver';

const require = createRequire(import.meta.url);

/** What s3rver's stores hand its controllers: an object's key, its content (a stream) and its metadata. */
export interface S3rverObject {
  bucket: string;
  key: string;
  content: Readable | Buffer | null;
  metadata: Record<string, string | number>;
  range?: { start: number; end: number };
}

type S3ObjectClass = (new (
  bucket: string,
  key: string,
  content: Readable | null,
  metadata: Record<string, string | number>,
) => S3rverObject) & { ALLOWED_METADATA: string[] };

type FilesystemStoreClass = new (
  rootDirectory: string,
) => {
  rootDirectory: string;
  deleteBucket(bucket: string): Promise<void>;
  reset(): void;
};

/** s3rver's own store (`lib/stores/filesystem.js`): buckets, settings and objects as files. */
export const FilesystemStore: FilesystemStoreClass = require('s3rver/lib/stores/filesystem.js');

/** s3rver's object model (`lib/models/object.js`), which its controllers read objects as. */
export const S3Object: S3ObjectClass = require('s3rver/lib/models/object.js');

/** s3rver's walk over a folder's files (`lib/utils.js`), as its store lays objects out. */
export const walk: (dir: string) => Iterable<string> = require('s3rver/lib/utils.js').walk;

/**
 * The methods s3rver's controllers call on its store, every one of which the object table either
 * overrides or leaves to s3rver's files knowingly (object-table.ts). A new one would bypass the table.
 */
export const STORE_METHODS = [
  'getBucketPath',
  'getResourcePath',
  'getMetadata',
  'putMetadata',
  'reset',
  'listBuckets',
  'getBucket',
  'putBucket',
  'deleteBucket',
  'listObjects',
  'existsObject',
  'getObject',
  'putObject',
  'copyObject',
  'deleteObject',
  'initiateUpload',
  'putPart',
  'putObjectMultipart',
  'getSubresource',
  'putSubresource',
  'deleteSubresource',
] as const;

/**
 * Lets s3rver take requests signed with this key. It knows only its own account's key (`S3RVER`) and
 * refuses any other, even once the front in front of it has verified the signature.
 */
export function registerAccessKey(accessKeyId: string, secretAccessKey: string): void {
  const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void };
  };
  DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
}

/** Has `server` keep its buckets and objects in `store`, in place of the store it made itself. */
export function replaceStore(server: S3rver, store: object): void {
  const internals = server as unknown as { store: unknown; context: { store: unknown } };
  internals.store = store;
  internals.context.store = store; // what its controllers use
}

/**
 * Takes s3rver's request logger out of its middleware: it formats a line for every request (koa-logger,
 * then winston) even when `silent` discards it (its cost:
 * docs/performance.md#local-stack-and-load-client). s3rver adds it first; if that changes, starting fails here rather than quietly logging.
 */
export function withoutRequestLog(server: S3rver): void {
  const middleware = (server as unknown as { middleware: Array<{ name: string }> }).middleware;
  if (middleware[0]?.name !== 'logger') throw new Error("s3rver's first middleware is no longer its logger");
  middleware.shift();
}
