import { request as httpRequest } from 'node:http';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketCorsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../credentials.js';
import { type ObjectStore, startObjectStore } from '../../s3/object-store.js';

const BUCKET = 'covers-test';
const ORIGIN = 'http://localhost:3000';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

let store: ObjectStore;
let s3: S3Client;

const clientWith = (credentials: typeof LOCAL_CREDENTIALS) =>
  new S3Client({
    endpoint: store.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });

beforeAll(async () => {
  store = await startObjectStore({
    buckets: [
      {
        name: BUCKET,
        cors: { allowedOrigins: [ORIGIN], allowedMethods: ['GET', 'PUT', 'POST'], allowedHeaders: ['*'] },
      },
    ],
  });
  s3 = clientWith(LOCAL_CREDENTIALS);
});

afterAll(async () => {
  s3?.destroy();
  await store?.close();
});

/** A presigned POST as the API hands one out: one key, 1 to 100 bytes, an image type. */
function presignUpload(key: string, options: { expires?: number; client?: S3Client } = {}) {
  return createPresignedPost(options.client ?? s3, {
    Bucket: BUCKET,
    Key: key,
    Conditions: [
      ['content-length-range', 1, 100],
      ['starts-with', '$Content-Type', 'image/'],
    ],
    Expires: options.expires ?? 300,
  });
}

type Part = [name: string, value: string] | [name: 'file', value: Buffer, filename: string];

/** The fields as given, then Content-Type, then the file: what the album page sends. */
function browserParts(fields: Record<string, string>, file: Buffer = PNG, contentType = 'image/png'): Part[] {
  return [...Object.entries(fields), ['Content-Type', contentType], ['file', file, 'cover.png']];
}

function post(url: string, parts: Part[], headers: Record<string, string> = {}): Promise<Response> {
  const form = new FormData();
  for (const [name, value, filename] of parts) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([new Uint8Array(value)]), filename);
  }
  return fetch(url, { method: 'POST', body: form, headers });
}

/** A multipart body written by hand, for bodies no client library would send. */
function multipart(boundary: string, parts: Part[]): Buffer {
  const pieces = parts.map(([name, value, filename]) =>
    Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n\r\n`,
      ),
      Buffer.from(value),
      Buffer.from('\r\n'),
    ]),
  );
  return Buffer.concat([...pieces, Buffer.from(`--${boundary}--\r\n`)]);
}

function postRaw(url: string, body: Buffer, contentType: string): Promise<Response> {
  return fetch(url, { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': contentType } });
}

async function errorCode(response: Response): Promise<string | undefined> {
  return /<Code>([^<]*)<\/Code>/.exec(await response.text())?.[1];
}

async function bytesOf(object: GetObjectCommandOutput): Promise<Buffer> {
  return Buffer.from((await object.Body?.transformToByteArray()) ?? []);
}

async function storedObject(key: string): Promise<{ contentType?: string; body: Buffer } | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return { contentType: object.ContentType, body: await bytesOf(object) };
  } catch {
    return undefined;
  }
}

async function sdkError(client: S3Client, command: PutObjectCommand | GetObjectCommand): Promise<string> {
  return client.send(command as PutObjectCommand).then(
    () => 'no error',
    (error: Error) => error.name,
  );
}

describe('the local S3 lets through what S3 lets through', () => {
  it('takes SDK puts, heads, range reads and deletes', async () => {
    const key = 'sdk/object.png';
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: PNG, ContentType: 'image/png' }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head.ContentLength).toBe(PNG.length);
    const start = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: 'bytes=0-3' }));
    expect(await bytesOf(start)).toEqual(PNG.subarray(0, 4));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'sdk/' }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual([key]);
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await storedObject(key)).toBeUndefined();
  });

  it('serves an object at its presigned GET URL, keys with spaces and symbols included', async () => {
    const key = 'covers/a b+c(1)!.png';
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: PNG, ContentType: 'image/png' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 60 });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(PNG);
  });

  it('serves an object with nosniff, and with the type and disposition a presigned URL sets', async () => {
    const key = 'shown-covers/a/1';
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: PNG,
        ContentType: 'image/png',
        ContentDisposition: 'inline; filename="cover.png"',
      }),
    );
    const stored = await fetch(
      await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: key }), { expiresIn: 60 }),
    );
    expect(stored.headers.get('content-type')).toBe('image/png');
    expect(stored.headers.get('content-disposition')).toBe('inline; filename="cover.png"');
    expect(stored.headers.get('x-content-type-options')).toBe('nosniff');
    const overridden = await fetch(
      await getSignedUrl(
        s3,
        new GetObjectCommand({
          Bucket: BUCKET,
          Key: key,
          ResponseContentType: 'image/gif',
          ResponseContentDisposition: 'inline; filename="cover.gif"',
        }),
        { expiresIn: 60 },
      ),
    );
    expect(overridden.headers.get('content-type')).toBe('image/gif');
    expect(overridden.headers.get('content-disposition')).toBe('inline; filename="cover.gif"');
    expect(overridden.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('stores a browser upload built from createPresignedPost at its key, with its content type', async () => {
    const { url, fields } = await presignUpload('covers/browser');
    const response = await post(url, browserParts(fields), { origin: ORIGIN });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await storedObject('covers/browser')).toEqual({ contentType: 'image/png', body: PNG });
  });

  it('answers a CORS preflight, which carries no signature', async () => {
    const response = await fetch(`${store.url}/${BUCKET}`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it("follows a change to a bucket's CORS rules from the next request on", async () => {
    const otherOrigin = 'http://127.0.0.1:3000';
    const preflight = (origin: string) =>
      fetch(`${store.url}/${BUCKET}`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'PUT' },
      }).then((response) => response.status);
    const allowing = (origins: string[]) =>
      s3.send(
        new PutBucketCorsCommand({
          Bucket: BUCKET,
          CORSConfiguration: {
            CORSRules: [
              { AllowedOrigins: origins, AllowedMethods: ['GET', 'PUT', 'POST'], AllowedHeaders: ['*'] },
            ],
          },
        }),
      );
    expect(await preflight(otherOrigin)).toBe(403);
    await allowing([ORIGIN, otherOrigin]);
    expect(await preflight(otherOrigin)).toBe(200);
    await allowing([ORIGIN]);
    expect(await preflight(otherOrigin)).toBe(403);
    expect(await preflight(ORIGIN)).toBe(200);
  });
});

describe('the local S3 refuses a browser upload S3 refuses', () => {
  it('refuses a policy changed after signing, kept with its original signature', async () => {
    const { url, fields } = await presignUpload('covers/tampered');
    const policy = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString());
    policy.conditions = policy.conditions.map((condition: unknown) =>
      Array.isArray(condition) && condition[0] === 'content-length-range'
        ? [condition[0], 1, 10_000]
        : condition,
    );
    const tampered = { ...fields, Policy: Buffer.from(JSON.stringify(policy)).toString('base64') };
    const response = await post(url, browserParts(tampered, Buffer.alloc(500)));
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
    expect(await storedObject('covers/tampered')).toBeUndefined();
  });

  it('refuses a zeroed signature', async () => {
    const { url, fields } = await presignUpload('covers/zeroed');
    const response = await post(url, browserParts({ ...fields, 'X-Amz-Signature': '0'.repeat(64) }));
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('SignatureDoesNotMatch');
  });

  it('refuses a policy signed with an access key it does not know', async () => {
    const stranger = clientWith({ accessKeyId: 'stranger', secretAccessKey: 'local' });
    const { url, fields } = await presignUpload('covers/stranger', { client: stranger });
    stranger.destroy();
    const response = await post(url, browserParts(fields));
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('InvalidAccessKeyId');
  });

  it('refuses a POST with no policy at all', async () => {
    const response = await post(`${store.url}/${BUCKET}`, [
      ['key', 'covers/anonymous'],
      ['file', PNG, 'cover.png'],
    ]);
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('AccessDenied');
    expect(await storedObject('covers/anonymous')).toBeUndefined();
  });

  it('holds an upload to its policy whatever the case of its multipart content type', async () => {
    const { url, fields } = await presignUpload('covers/upper-case', { expires: -1 });
    const boundary = 'UPPERCASE';
    const response = await postRaw(
      url,
      multipart(boundary, browserParts(fields)),
      `MULTIPART/FORM-DATA; boundary=${boundary}`,
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('Policy expired');
    expect(await storedObject('covers/upper-case')).toBeUndefined();
  });

  it("refuses a Content-Type with a line break, in S3's error shape, storing nothing", async () => {
    const { url, fields } = await presignUpload('covers/injected');
    const response = await post(url, browserParts(fields, PNG, 'image/png\r\nX-Evil: 1'), { origin: ORIGIN });
    expect(response.status).toBe(400);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await errorCode(response)).toBe('InvalidArgument');
    expect(await storedObject('covers/injected')).toBeUndefined();
  });

  it('refuses a field sent twice, whatever the case of its name', async () => {
    const { url, fields } = await presignUpload('covers/allowed');
    const parts: Part[] = [...Object.entries(fields), ['Key', 'covers/elsewhere'], ...browserParts({})];
    const response = await post(url, parts);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('InvalidArgument');
    expect(await storedObject('covers/elsewhere')).toBeUndefined();
    expect(await storedObject('covers/allowed')).toBeUndefined();
  });

  it('ignores every field after the file, as S3 does', async () => {
    const { url, fields } = await presignUpload('covers/after-file');
    const response = await post(url, [...browserParts(fields), ['Content-Type', 'text/html']]);
    expect(response.status).toBe(204);
    expect((await storedObject('covers/after-file'))?.contentType).toBe('image/png');

    const late = await presignUpload('covers/late-type');
    const lateType = await post(late.url, [
      ...Object.entries(late.fields),
      ['file', PNG, 'cover.png'],
      ['Content-Type', 'image/png'],
    ]);
    expect(lateType.status).toBe(403);
    expect(await lateType.text()).toContain('Policy Condition failed');
  });

  it('refuses a field its policy does not name', async () => {
    const { url, fields } = await presignUpload('covers/extra');
    const response = await post(url, browserParts({ ...fields, 'x-amz-meta-owner': 'someone' }));
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('Extra input fields: x-amz-meta-owner');
  });

  it('refuses a file outside the policy size range, with the CORS headers a browser needs', async () => {
    const { url, fields } = await presignUpload('covers/size');
    const tooLarge = await post(url, browserParts(fields, Buffer.alloc(101)), { origin: ORIGIN });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(await errorCode(tooLarge)).toBe('EntityTooLarge');
    const empty = await post(url, browserParts(fields, Buffer.alloc(0)));
    expect(await errorCode(empty)).toBe('EntityTooSmall');
    expect(await storedObject('covers/size')).toBeUndefined();
  });
});

describe('the local S3 answers a malformed upload body with S3 error, and keeps serving', () => {
  const boundary = 'boundary';
  const contentType = `multipart/form-data; boundary=${boundary}`;

  it.each([
    ['a body that ends inside the file', (body: Buffer) => body.subarray(0, body.length - 30)],
    [
      'a wrong closing boundary',
      (body: Buffer) => Buffer.from(body.toString().replace(/--boundary--/, '--other--')),
    ],
    ['a body cut before the file', (body: Buffer) => body.subarray(0, 200)],
  ])('refuses %s with MalformedPOSTRequest', async (_name, spoil) => {
    const { url, fields } = await presignUpload('covers/malformed');
    const response = await postRaw(url, spoil(multipart(boundary, browserParts(fields))), contentType);
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('MalformedPOSTRequest');
    expect(await storedObject('covers/malformed')).toBeUndefined();
  });

  it('refuses a multipart content type without a boundary', async () => {
    const response = await postRaw(`${store.url}/${BUCKET}`, Buffer.from('x'), 'multipart/form-data');
    expect(response.status).toBe(400);
    expect(await errorCode(response)).toBe('MalformedPOSTRequest');
  });

  it('keeps serving after a client goes away in the middle of an upload', async () => {
    const { url, fields } = await presignUpload('covers/gone');
    const body = multipart(boundary, browserParts(fields));
    await new Promise<void>((resolve) => {
      const upload = httpRequest(url, {
        method: 'POST',
        headers: { 'content-type': contentType, 'content-length': String(body.length) },
      });
      upload.on('error', () => resolve());
      upload.write(body.subarray(0, body.length - 20), () => {
        upload.destroy();
        resolve();
      });
    });
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'covers/browser' }));
    expect(await storedObject('covers/gone')).toBeUndefined();
  });
});

describe('the local S3 refuses a request S3 refuses', () => {
  it.each([
    ['PUT', `/${BUCKET}/anonymous`],
    ['GET', `/${BUCKET}/covers/browser`],
    ['DELETE', `/${BUCKET}/covers/browser`],
    ['GET', `/${BUCKET}?list-type=2`],
    ['GET', '/'],
  ])('refuses an unsigned %s %s with AccessDenied', async (method, path) => {
    const response = await fetch(`${store.url}${path}`, { method, body: method === 'PUT' ? 'x' : undefined });
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('AccessDenied');
  });

  it('refuses an SDK request signed with the wrong secret, or by an access key it does not know', async () => {
    const command = new PutObjectCommand({ Bucket: BUCKET, Key: 'covers/forged', Body: PNG });
    const forger = clientWith({ accessKeyId: LOCAL_CREDENTIALS.accessKeyId, secretAccessKey: 'guessed' });
    const stranger = clientWith({ accessKeyId: 'stranger', secretAccessKey: 'local' });
    expect(await sdkError(forger, command)).toBe('SignatureDoesNotMatch');
    expect(await sdkError(stranger, command)).toBe('InvalidAccessKeyId');
    forger.destroy();
    stranger.destroy();
    expect(await storedObject('covers/forged')).toBeUndefined();
  });

  it('refuses a presigned GET URL with its key swapped or its signature zeroed', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'covers/mine', Body: PNG }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'covers/theirs', Body: PNG }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'covers/mine' }), {
      expiresIn: 60,
    });
    const swapped = await fetch(url.replace('covers/mine', 'covers/theirs'));
    expect(swapped.status).toBe(403);
    expect(await errorCode(swapped)).toBe('SignatureDoesNotMatch');
    const zeroed = await fetch(url.replace(/X-Amz-Signature=[0-9a-f]+/, `X-Amz-Signature=${'0'.repeat(64)}`));
    expect(zeroed.status).toBe(403);
    expect(await errorCode(zeroed)).toBe('SignatureDoesNotMatch');
  });

  it('refuses a presigned GET URL past its expiry', async () => {
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'covers/mine' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(await errorCode(response)).toBe('AccessDenied');
  });
});
