import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import {
  type ClientRequest,
  createServer,
  request as forwardRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3EventRecord } from 'aws-lambda';
import S3rver from 's3rver';
import { LOCAL_CREDENTIALS } from '../credentials.js';
import { ObjectTableStore } from './object-table.js';
import { readPostUpload, type StoredForm, storedForm } from './post-policy.js';
import { registerAccessKey, replaceStore, withoutRequestLog } from './s3rver-internals.js';
import { type S3Refusal, type SecretKeys, type SignedRequest, verifyRequestSignature } from './signature.js';

export interface BucketCors {
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders?: string[];
  exposedHeaders?: string[];
  maxAgeSeconds?: number;
}

export interface ObjectStoreOptions {
  port?: number;
  host?: string;
  /** Where objects are kept across restarts; omitted, a temporary folder removed on close. */
  dataDir?: string;
  buckets: Array<{ name: string; cors?: BucketCors }>;
  log?: (line: string) => void;
  /** Told of each request answered, with the trace header it carried (local/request-history.ts). */
  onCall?: (call: ObjectStoreCall) => void;
}

/** A request the store answered: what was asked, how it ended, how long it took, and its caller's trace. */
export interface ObjectStoreCall {
  method: string;
  /** The bucket and key, without the query. */
  path: string;
  status: number;
  durationMs: number;
  /** The call's `X-Amzn-Trace-Id`: the AWS SDK sends the invocation's trace with every call a function makes. */
  traceHeader?: string;
}

export interface ObjectStore {
  url: string;
  port: number;
  /** Calls `listener` with a record shaped like S3's own for every object created; returns an unsubscribe. */
  onObjectCreated(listener: (record: S3EventRecord) => void): () => void;
  close(): Promise<void>;
}

registerAccessKey(LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey);
const SECRET_KEYS: SecretKeys = new Map([[LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey]]);

interface S3rverEvent {
  Records: Array<{
    eventName: string;
    eventTime: string;
    requestParameters: { sourceIPAddress: string };
    s3: {
      bucket: { name: string };
      object: { key: string; size?: number; eTag?: string; sequencer: string };
    };
  }>;
}

/**
 * Local S3 on s3rver: buckets created (keeping their objects) with their CORS rules applied, objects in a
 * SQLite table on disk (see object-table.ts), and object-created events reshaped into real S3 event
 * records. In front of it, what s3rver does not check: every request's SigV4 signature (headers or
 * presigned query), and browser uploads held to their signed POST policy, storing only the key and fields
 * the policy allowed.
 *
 * @example
 * const store = await startObjectStore({ buckets: [{ name: 'album-covers-local' }] });
 */
export async function startObjectStore(options: ObjectStoreOptions): Promise<ObjectStore> {
  const log = options.log ?? (() => undefined);
  const temporary = options.dataDir === undefined;
  const directory = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'object-store-')));
  await mkdir(directory, { recursive: true });

  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory,
    silent: true,
    configureBuckets: options.buckets.map((bucket) => ({
      name: bucket.name,
      configs: bucket.cors ? [corsXml(bucket.cors)] : [],
    })),
  });
  withoutRequestLog(server);
  const store = new ObjectTableStore(directory);
  replaceStore(server, store);
  withBucketSettingsInMemory(store as unknown as BucketSettingsStore);
  const listeners = new Set<(record: S3EventRecord) => void>();
  server.on('event', (event: S3rverEvent) => {
    for (const raw of event.Records) {
      if (!raw.eventName.startsWith('ObjectCreated:')) continue;
      const record = toS3EventRecord(raw);
      for (const listener of listeners) {
        try {
          listener(record);
        } catch (error) {
          log(`object-created listener failed: ${error}`);
        }
      }
    }
  });
  const backend = (await server.run()) as AddressInfo;

  const context: FrontContext = {
    backendPort: backend.port,
    s3rverHandler: server.callback(),
    buckets: options.buckets,
    keys: SECRET_KEYS,
  };
  const front = createServer((request, response) => {
    const onCall = options.onCall;
    if (onCall) {
      const startedAt = performance.now();
      response.once('finish', () => {
        const traceHeader = request.headers['x-amzn-trace-id'];
        onCall({
          method: request.method ?? 'GET',
          path: (request.url ?? '/').split('?', 1)[0] ?? '/',
          status: response.statusCode,
          durationMs: performance.now() - startedAt,
          traceHeader: typeof traceHeader === 'string' ? traceHeader : undefined,
        });
      });
    }
    handleFront(request, response, context).catch((error) => {
      log(`S3 front: ${error}`);
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
  });
  await new Promise<void>((resolve) => front.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = front.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  log(`S3 listening on ${url}, objects in ${directory}`);

  return {
    url,
    port,
    onObjectCreated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await server.close();
      store.close();
      if (temporary) await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Holds a request to what S3 requires before s3rver sees it. A CORS preflight passes as it is; a browser
 * upload (a multipart POST to a bucket) is held to its POST policy and only what the policy allowed is
 * stored; every other request needs a valid SigV4 signature, in its headers or its query string, and what
 * it reads is answered with `X-Content-Type-Options: nosniff` (which AWS's S3 cannot send). A
 * refusal is answered in S3's XML, with the CORS headers a browser needs to read it.
 */
async function handleFront(
  request: IncomingMessage,
  response: ServerResponse,
  context: FrontContext,
): Promise<void> {
  if (request.method === 'OPTIONS') return context.s3rverHandler(request, response);
  const uploadBucket = browserUploadBucket(request);
  if (uploadBucket === undefined) {
    const refusal = verifyRequestSignature(requestToVerify(request), context.keys);
    if (refusal) return answerRefusal(request, response, refusal, context.buckets);
    // Beyond S3, which cannot send this header (local/EMULATORS.md, "Gaps"): a browser never sniffs a cover
    // into another type here. On AWS the type and disposition the download URL sets are what hold.
    if (request.method === 'GET' || request.method === 'HEAD') {
      response.setHeader('x-content-type-options', 'nosniff');
    }
    return context.s3rverHandler(request, response);
  }
  const outcome = await readPostUpload(request, uploadBucket, context.keys);
  if ('refusal' in outcome) return answerRefusal(request, response, outcome.refusal, context.buckets);
  return forwardUpload(request, response, storedForm(outcome.upload), context.backendPort);
}

interface FrontContext {
  /** s3rver's own HTTP port: browser uploads reach it with the body the front rebuilt. */
  backendPort: number;
  /**
   * s3rver's request handler, called with the front's own request and response: what passes as it came is
   * served without a second HTTP exchange on loopback.
   */
  s3rverHandler: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  buckets: ObjectStoreOptions['buckets'];
  keys: SecretKeys;
}

/** The bucket a browser upload goes to: a multipart POST to the bucket itself (media types ignore case). */
function browserUploadBucket(request: IncomingMessage): string | undefined {
  if (request.method !== 'POST') return undefined;
  if (!/^multipart\/form-data\s*(;|$)/i.test(request.headers['content-type'] ?? '')) return undefined;
  return /^\/([^/?]+)\/?(\?|$)/.exec(request.url ?? '')?.[1];
}

function requestToVerify(request: IncomingMessage): SignedRequest {
  return { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers };
}

function answerRefusal(
  request: IncomingMessage,
  response: ServerResponse,
  refusal: S3Refusal,
  buckets: ObjectStoreOptions['buckets'],
): void {
  request.resume(); // what the client still sends is read and dropped, so it can read the answer
  const bucketName = /^\/([^/?]+)/.exec(request.url ?? '')?.[1];
  const cors = buckets.find((bucket) => bucket.name === bucketName)?.cors;
  const origin = request.headers.origin;
  const allowed =
    origin && cors && (cors.allowedOrigins.includes(origin) || cors.allowedOrigins.includes('*'));
  response.writeHead(refusal.status, {
    'content-type': 'application/xml',
    ...(allowed ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {}),
  });
  response.end(
    request.method === 'HEAD'
      ? undefined
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${escapeXml(
          refusal.message,
        )}</Message><RequestId>${randomUUID()}</RequestId></Error>`,
  );
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Stores an allowed browser upload through s3rver, with the body that holds only what was checked. */
function forwardUpload(
  request: IncomingMessage,
  response: ServerResponse,
  form: StoredForm,
  backendPort: number,
): Promise<void> {
  // the body is sent whole, with its own length: the client's framing and 100-continue do not apply
  const { 'transfer-encoding': _chunked, expect: _continue, ...headers } = request.headers;
  const storedHeaders = {
    ...headers,
    'content-type': form.contentType,
    'content-length': String(form.length),
  };
  const target = { port: backendPort, method: 'POST', path: request.url, headers: storedHeaders };
  return relay(response, target, (upstream) => {
    for (const part of form.parts) upstream.write(part);
    upstream.end();
  });
}

/** Sends a request to s3rver (its body written by `send`) and pipes s3rver's answer back. */
function relay(
  response: ServerResponse,
  target: { port: number; method?: string; path?: string; headers: IncomingHttpHeaders },
  send: (upstream: ClientRequest) => void,
): Promise<void> {
  const upstream = forwardRequest({ host: '127.0.0.1', ...target });
  upstream.on('response', (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  return new Promise<void>((resolve, reject) => {
    upstream.on('error', reject);
    response.on('close', () => resolve());
    send(upstream);
  });
}

function corsXml(cors: BucketCors): string {
  const tags = (tag: string, values: string[] = []) =>
    values.map((value) => `<${tag}>${value}</${tag}>`).join('');
  return `<CORSConfiguration><CORSRule>${tags('AllowedOrigin', cors.allowedOrigins)}${tags(
    'AllowedMethod',
    cors.allowedMethods,
  )}${tags('AllowedHeader', cors.allowedHeaders)}${tags('ExposeHeader', cors.exposedHeaders)}${
    cors.maxAgeSeconds ? `<MaxAgeSeconds>${cors.maxAgeSeconds}</MaxAgeSeconds>` : ''
  }</CORSRule></CORSConfiguration>`;
}

/** S3 encodes keys in event records like a form value: percent-encoding with spaces as '+'. */
function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

function toS3EventRecord(raw: S3rverEvent['Records'][number]): S3EventRecord {
  const { bucket, object } = raw.s3;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: raw.eventTime,
    eventName: raw.eventName,
    userIdentity: { principalId: 'AWS:LOCAL' },
    requestParameters: { sourceIPAddress: raw.requestParameters.sourceIPAddress },
    responseElements: { 'x-amz-request-id': object.sequencer, 'x-amz-id-2': object.sequencer },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'local',
      bucket: {
        name: bucket.name,
        ownerIdentity: { principalId: 'LOCAL' },
        arn: `arn:aws:s3:::${bucket.name}`,
      },
      object: {
        key: encodeEventKey(object.key),
        size: object.size ?? 0,
        eTag: object.eTag ?? '',
        sequencer: object.sequencer,
      },
    },
  };
}

/** The part of s3rver's filesystem store that reads and writes buckets and their settings. */
interface BucketSettingsStore {
  getBucket(bucket: string): Promise<unknown>;
  putBucket(bucket: string): Promise<unknown>;
  deleteBucket(bucket: string): Promise<unknown>;
  getSubresource(bucket: string, key: string | undefined, type: string): Promise<unknown>;
  putSubresource(bucket: string, key: string | undefined, resource: { type: string }): Promise<void>;
  deleteSubresource(bucket: string, key: string | undefined, type: string): Promise<void>;
  reset(): void;
}

/**
 * Keeps what s3rver reads from disk on every request in memory: whether the bucket exists (a stat) and its
 * CORS and website settings (an XML file each, parsed again). Only s3rver writes them, through the methods
 * wrapped here, which drop what they change. Settings of single objects (tagging) are still read from disk.
 */
function withBucketSettingsInMemory(store: BucketSettingsStore): void {
  const buckets = new Map<string, Promise<unknown>>();
  const settings = new Map<string, Promise<unknown>>();
  const settingKey = (bucket: string, type: string) => `${bucket}/${type}`;
  const forgetBucket = (bucket: string) => {
    buckets.delete(bucket);
    for (const key of settings.keys()) if (key.startsWith(`${bucket}/`)) settings.delete(key);
  };
  const remembered = <T>(cache: Map<string, Promise<T>>, key: string, read: () => Promise<T>) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = read();
      cache.set(key, value);
      value.catch(() => cache.delete(key)); // a failed read is tried again next time
    }
    return value;
  };

  // A change forgets what it touches both before (no read meanwhile sees the old value) and after.
  const changing = <T>(forget: () => void, write: () => Promise<T>) => {
    forget();
    return write().finally(forget);
  };
  const forgetSetting = (bucket: string, key: string | undefined, type: string) => () => {
    if (!key) settings.delete(settingKey(bucket, type));
  };

  const { getBucket, putBucket, deleteBucket, getSubresource, putSubresource, deleteSubresource, reset } =
    store;
  store.getBucket = (bucket) => remembered(buckets, bucket, () => getBucket.call(store, bucket));
  store.putBucket = (bucket) =>
    changing(
      () => forgetBucket(bucket),
      () => putBucket.call(store, bucket),
    );
  store.deleteBucket = (bucket) =>
    changing(
      () => forgetBucket(bucket),
      () => deleteBucket.call(store, bucket),
    );
  store.getSubresource = (bucket, key, type) =>
    key
      ? getSubresource.call(store, bucket, key, type)
      : remembered(settings, settingKey(bucket, type), () => getSubresource.call(store, bucket, key, type));
  store.putSubresource = (bucket, key, resource) =>
    changing(forgetSetting(bucket, key, resource.type), () =>
      putSubresource.call(store, bucket, key, resource),
    );
  store.deleteSubresource = (bucket, key, type) =>
    changing(forgetSetting(bucket, key, type), () => deleteSubresource.call(store, bucket, key, type));
  store.reset = () => {
    reset.call(store);
    buckets.clear();
    settings.clear();
  };
}
