import { randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gif, jpeg, png, webp } from '../support/images.js';
import { expectDocumentedResponse } from '../support/openapi.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let s3: S3Client;
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

beforeAll(async () => {
  stack = await startTestStack();
  s3 = new S3Client({ endpoint: stack.s3Url, region: 'us-east-1', forcePathStyle: true, credentials });
});

afterAll(async () => {
  s3?.destroy();
  await stack?.stop();
});

interface Upload {
  url: string;
  fields: Record<string, string>;
  key: string;
}

async function createAlbum(): Promise<{ albumId: string; upload: Upload }> {
  const response = await fetch(`${stack.apiUrl}/albums`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ artist: 'Cover Artist', title: `Sleeve ${randomUUID()}`, year: 1999 }),
  });
  return (await response.json()) as { albumId: string; upload: Upload };
}

function uploadRaw(upload: Upload, bytes: Buffer, contentType: string): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('Content-Type', contentType);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }), 'cover');
  return fetch(upload.url, { method: 'POST', body: form });
}

async function uploadCover(upload: Upload, bytes: Buffer, contentType = 'image/png'): Promise<number> {
  return (await uploadRaw(upload, bytes, contentType)).status;
}

async function getAlbum(albumId: string) {
  const response = await fetch(`${stack.apiUrl}/albums/${albumId}`);
  return expectDocumentedResponse('GET', '/albums/{albumId}', response);
}

const coverSettles = (albumId: string) =>
  eventually(
    async () => {
      const album = await getAlbum(albumId);
      return album.cover.status === 'pending' ? undefined : album;
    },
    20_000,
    `the cover of ${albumId} to be verified`,
  );

const stored = (key: string) =>
  s3.send(new HeadObjectCommand({ Bucket: stack.environment.COVERS_BUCKET, Key: key })).then(
    () => true,
    () => false,
  );

describe('cover verification', () => {
  it.each([
    ['PNG', png(64, 48), 'image/png', 64, 48],
    ['JPEG', jpeg(800, 600), 'image/jpeg', 800, 600],
    ['GIF', gif(20, 10), 'image/gif', 20, 10],
    ['WebP', webp(300, 300), 'image/webp', 300, 300],
  ])(
    'marks an uploaded %s ready with its size and dimensions, and serves it',
    async (_name, bytes, contentType, width, height) => {
      const { albumId, upload } = await createAlbum();
      expect(await uploadCover(upload, bytes, contentType)).toBeLessThan(300);
      const album = await coverSettles(albumId);
      expect(album.cover).toMatchObject({ status: 'ready', contentType, size: bytes.length, width, height });
      const download = await fetch(album.cover.url);
      expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    },
  );

  it('rejects a file that is not an image, whatever it claims, and deletes it', async () => {
    const { albumId, upload } = await createAlbum();
    await uploadCover(upload, Buffer.from('just some text, renamed cover.png'), 'image/png');
    const album = await coverSettles(albumId);
    expect(album.cover).toEqual({ status: 'rejected', reason: 'not a JPEG, PNG, WebP or GIF image' });
    expect(await stored(upload.key)).toBe(false);
  });

  it('has S3 refuse an upload outside its policy: too large, not declared an image', async () => {
    const { upload } = await createAlbum();
    const tooLarge = await uploadRaw(upload, Buffer.alloc(5 * 1024 * 1024 + 1), 'image/png');
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.text()).toContain('<Code>EntityTooLarge</Code>');
    const notAnImage = await uploadRaw(upload, Buffer.from('plain text'), 'text/plain');
    expect(notAnImage.status).toBe(403);
    expect(await notAnImage.text()).toContain('Policy Condition failed');
    expect(await stored(upload.key)).toBe(false);
  });

  it('rejects and deletes a cover over the size limit that reached the bucket some other way', async () => {
    const { albumId, upload } = await createAlbum();
    const oversized = Buffer.concat([png(8, 8), Buffer.alloc(5 * 1024 * 1024)]);
    const writer = new S3Client({
      endpoint: stack.s3Url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials,
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    await writer.send(
      new PutObjectCommand({
        Bucket: stack.environment.COVERS_BUCKET,
        Key: upload.key,
        Body: oversized,
        ContentType: 'image/png',
      }),
    );
    writer.destroy();
    const album = await coverSettles(albumId);
    expect(album.cover).toEqual({ status: 'rejected', reason: `larger than ${5 * 1024 * 1024} bytes` });
    expect(await stored(upload.key)).toBe(false);
  });

  it('changes nothing when the same event comes twice, or an event comes for an upload since replaced', async () => {
    const { albumId, upload } = await createAlbum();
    await uploadCover(upload, png(10, 10));
    const before = await coverSettles(albumId);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: stack.environment.COVERS_BUCKET, Key: upload.key }),
    );
    const lambda = new LambdaClient({ endpoint: stack.lambdaUrl, region: 'us-east-1', credentials });
    const event = (eTag: string) => ({
      Records: [
        {
          eventName: 'ObjectCreated:Post',
          s3: {
            bucket: { name: stack.environment.COVERS_BUCKET },
            object: { key: upload.key, size: 1, eTag },
          },
        },
      ],
    });
    for (const eTag of [head.ETag ?? '', 'an-older-upload']) {
      const output = await lambda.send(
        new InvokeCommand({
          FunctionName: 'album-service-local-verifyCover',
          Payload: JSON.stringify(event(eTag)),
        }),
      );
      expect(output.FunctionError).toBeUndefined();
    }
    lambda.destroy();
    const { url: _before, ...beforeCover } = before.cover;
    const { url: _after, ...afterCover } = (await getAlbum(albumId)).cover;
    expect(afterCover).toEqual(beforeCover);
  });

  it('replaces a cover: a new upload, pending until verified, then the new image', async () => {
    const { albumId, upload } = await createAlbum();
    await uploadCover(upload, png(10, 10));
    await coverSettles(albumId);

    const response = await fetch(`${stack.apiUrl}/albums/${albumId}/cover`, { method: 'POST' });
    expect(response.status).toBe(201);
    const replacement = (await expectDocumentedResponse(
      'POST',
      '/albums/{albumId}/cover',
      response,
    )) as Upload;
    expect((await getAlbum(albumId)).cover.status).toBe('pending');
    await uploadCover(replacement, gif(33, 44), 'image/gif');
    expect((await coverSettles(albumId)).cover).toMatchObject({
      status: 'ready',
      contentType: 'image/gif',
      width: 33,
      height: 44,
    });

    const unknown = await fetch(`${stack.apiUrl}/albums/${randomUUID()}/cover`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    await expectDocumentedResponse('POST', '/albums/{albumId}/cover', unknown);
  });
});
