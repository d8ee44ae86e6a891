// The part of s3rver's API the local object store uses (the package ships no types).
declare module 's3rver' {
  import { EventEmitter } from 'node:events';
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { AddressInfo } from 'node:net';

  interface S3rverOptions {
    address?: string;
    port?: number;
    directory?: string;
    silent?: boolean;
    configureBuckets?: Array<{ name: string; configs?: string[] }>;
  }

  export default class S3rver extends EventEmitter {
    constructor(options: S3rverOptions);
    run(): Promise<AddressInfo>;
    close(): Promise<void>;
    /** Its Koa request handler: serves a request without its HTTP server. */
    callback(): (request: IncomingMessage, response: ServerResponse) => Promise<void>;
    /** Where it keeps buckets and objects (a FilesystemStore). */
    store: unknown;
  }
}
