import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3EventRecord } from 'aws-lambda';
import S3rver from 's3rver';
import { checkPostPolicy, readPostedForm } from './post-policy.js';

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
}

export interface ObjectStore {
  url: string;
  port: number;
  /** Calls `listener` with a record shaped like S3's own for every object created; returns an unsubscribe. */
  onObjectCreated(listener: (record: S3EventRecord) => void): () => void;
  close(): Promise<void>;
}

/** The credentials the local stack signs with; s3rver checks signatures against the keys it knows. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const { DUMMY_ACCOUNT } = createRequire(import.meta.url)('s3rver/lib/models/account.js');
DUMMY_ACCOUNT.createKeyPair(LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey);

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
 * Local S3 on s3rver: buckets created (keeping their objects) with their CORS rules applied, objects on
 * disk, signatures checked, and object-created events reshaped into real S3 event records. In front of
 * it, browser uploads are held to their POST policy (expiry, size range, content type), which s3rver
 * does not check.
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

  const front = createServer((request, response) => {
    handleFront(request, response, backend.port, options.buckets).catch((error) => {
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
      if (temporary) await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * Passes a request on to s3rver, first holding a browser upload (a multipart POST to a bucket) to its
 * POST policy. A refusal is answered in S3's XML, with the CORS headers a browser needs to read it.
 */
async function handleFront(
  request: IncomingMessage,
  response: ServerResponse,
  backendPort: number,
  buckets: ObjectStoreOptions['buckets'],
): Promise<void> {
  const bucketName = /^\/([^/?]+)\/?(\?|$)/.exec(request.url ?? '')?.[1];
  const contentType = request.headers['content-type'] ?? '';
  let body: Buffer | undefined;
  if (request.method === 'POST' && bucketName && contentType.startsWith('multipart/form-data')) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    body = Buffer.concat(chunks);
    const refusal = checkPostPolicy(await readPostedForm(body, contentType), bucketName);
    if (refusal) {
      const cors = buckets.find((bucket) => bucket.name === bucketName)?.cors;
      const origin = request.headers.origin;
      const allowed =
        origin && cors && (cors.allowedOrigins.includes(origin) || cors.allowedOrigins.includes('*'));
      response.writeHead(refusal.status, {
        'content-type': 'application/xml',
        ...(allowed ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {}),
      });
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${refusal.message
          .replace(/&/g, '&amp;')
          .replace(/</g, '&lt;')}</Message></Error>`,
      );
      return;
    }
  }
  const upstream = forward({
    host: '127.0.0.1',
    port: backendPort,
    method: request.method,
    path: request.url,
    headers: body ? { ...request.headers, 'content-length': String(body.length) } : request.headers,
  });
  upstream.on('response', (answer) => {
    response.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(response);
  });
  await new Promise<void>((resolve, reject) => {
    upstream.on('error', reject);
    response.on('close', () => resolve());
    if (body) upstream.end(body);
    else request.pipe(upstream);
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
