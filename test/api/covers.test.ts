import { createHash, randomUUID } from 'node:crypto';
import { LOCAL_CREDENTIALS as credentials } from '@album-service/local/credentials';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInAs } from '../support/auth.js';
import { coverJudged, coversBucket, shownCoverBytes, type Upload, uploadCover } from '../support/covers.js';
import { gif, jpeg, png, webp } from '../support/images.js';
import { expectDocumentedResponse } from '../support/openapi.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

// Encoded at the top level: the WebP encoder is asynchronous.
const webp300 = await webp(300, 300);
let stack: TestStack;
let covers: ReturnType<typeof coversBucket>;
/** The signed-in user every album here is created and changed by. */
let owner: { authorization: string };

beforeAll(async () => {
  // The API's cached album shows a replaced cover once its entry lapses, as in each container on AWS: a
  // second, rather than npm start's ten, before a replacement shows.
  stack = await startTestStack({ settings: { ALBUM_CACHE_TTL_SECONDS: '1' } });
  covers = coversBucket(stack);
  owner = await signedInAs(stack);
});

afterAll(async () => {
  covers?.s3.destroy();
  await stack?.stop();
});

async function createAlbum(): Promise<{ albumId: string; upload: Upload }> {
  const response = await fetch(`${stack.apiUrl}/albums`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...owner },
    body: JSON.stringify({ artist: 'Cover Artist', title: `Sleeve ${randomUUID()}`, year: 1999 }),
  });
  return (await response.json()) as { albumId: string; upload: Upload };
}

/** The object key an album's cover is served from, read from its presigned URL. */
const shownKey = (album: { cover: { url?: string } }) =>
  decodeURIComponent(new URL(album.cover.url ?? '').pathname.split('/').slice(2).join('/'));

async function uploadStatus(to: Upload, bytes: Buffer, contentType = 'image/png'): Promise<number> {
  return (await uploadCover(to, bytes, contentType)).status;
}

async function getAlbum(albumId: string) {
  const response = await fetch(`${stack.apiUrl}/albums/${albumId}`);
  return expectDocumentedResponse('GET', '/albums/{albumId}', response);
}

/** The album once the upload at `key` is judged, checked against the OpenAPI document. */
const coverSettles = async (albumId: string, key?: string) => {
  await coverJudged(stack.apiUrl, albumId, key);
  return getAlbum(albumId);
};

describe('cover verification', () => {
  it.each([
    ['PNG', png(64, 48), 'image/png', 64, 48],
    ['JPEG', jpeg(800, 600), 'image/jpeg', 800, 600],
    ['GIF', gif(20, 10), 'image/gif', 20, 10],
    ['WebP', webp300, 'image/webp', 300, 300],
  ])(
    'marks an uploaded %s ready with its size and dimensions, and serves it',
    async (_name, bytes, contentType, width, height) => {
      const { albumId, upload } = await createAlbum();
      expect(await uploadStatus(upload, bytes, contentType)).toBeLessThan(300);
      const album = await coverSettles(albumId, upload.key);
      expect(album.cover).toMatchObject({
        status: 'ready',
        contentType,
        size: bytes.length,
        width,
        height,
        upload: { key: upload.key, status: 'ready' },
      });
      expect(await shownCoverBytes(album)).toEqual(bytes);
    },
  );

  it('rejects a file that is not an image, whatever it claims, and deletes it', async () => {
    const { albumId, upload } = await createAlbum();
    await uploadStatus(upload, Buffer.from('just some text, renamed cover.png'), 'image/png');
    const album = await coverSettles(albumId, upload.key);
    const reason = 'not a JPEG, PNG, WebP or GIF image';
    expect(album.cover).toEqual({
      status: 'rejected',
      reason,
      upload: { key: upload.key, status: 'rejected', reason },
    });
    await covers.removed(upload.key);
  });

  it('has S3 refuse an upload outside its policy: too large, not declared an image', async () => {
    const { upload } = await createAlbum();
    const tooLarge = await uploadCover(upload, Buffer.alloc(5 * 1024 * 1024 + 1), 'image/png');
    expect(tooLarge.status).toBe(400);
    expect(await tooLarge.text()).toContain('<Code>EntityTooLarge</Code>');
    const notAnImage = await uploadCover(upload, Buffer.from('plain text'), 'text/plain');
    expect(notAnImage.status).toBe(403);
    expect(await notAnImage.text()).toContain('Policy Condition failed');
    expect(await covers.stored(upload.key)).toBe(false);
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
    const album = await coverSettles(albumId, upload.key);
    expect(album.cover).toMatchObject({ status: 'rejected', reason: `larger than ${5 * 1024 * 1024} bytes` });
    await covers.removed(upload.key);
  });

  it('changes nothing when the same event comes twice, or an event comes for an upload since replaced', async () => {
    const { albumId, upload } = await createAlbum();
    const bytes = png(10, 10);
    await uploadStatus(upload, bytes);
    const before = await coverSettles(albumId, upload.key);
    // Judged, the upload object is gone; the cover is served from its verified copy.
    await covers.removed(upload.key);
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
    for (const eTag of [createHash('md5').update(bytes).digest('hex'), 'an-older-upload']) {
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
    const after = await getAlbum(albumId);
    const { url: _after, ...afterCover } = after.cover;
    expect(afterCover).toEqual(beforeCover);
    expect(await shownCoverBytes(after)).toEqual(bytes);
  });

  it('serves a cover as the type its bytes are, inline, whatever the upload declared', async () => {
    const { albumId, upload } = await createAlbum();
    const bytes = png(9, 9);
    expect(await uploadStatus(upload, bytes, 'image/svg+xml')).toBe(204);
    const album = await coverSettles(albumId, upload.key);
    expect(album.cover).toMatchObject({ status: 'ready', contentType: 'image/png' });
    const served = await fetch(album.cover.url ?? '');
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('content-disposition')).toBe('inline; filename="cover.png"');
    expect(served.headers.get('x-content-type-options')).toBe('nosniff');
    // The object itself carries the verified type too, not only the URL.
    const head = await covers.s3.send(new HeadObjectCommand({ Bucket: covers.bucket, Key: shownKey(album) }));
    expect(head).toMatchObject({
      ContentType: 'image/png',
      ContentDisposition: 'inline; filename="cover.png"',
    });
  });

  it('replaces a cover: the old one stays shown until the new upload is verified, then is removed', async () => {
    const { albumId, upload } = await createAlbum();
    const original = png(10, 10);
    await uploadStatus(upload, original);
    await coverSettles(albumId, upload.key);

    const response = await fetch(`${stack.apiUrl}/albums/${albumId}/cover`, {
      method: 'POST',
      headers: owner,
    });
    expect(response.status).toBe(201);
    const replacement = (await expectDocumentedResponse(
      'POST',
      '/albums/{albumId}/cover',
      response,
    )) as Upload;
    expect(replacement.key).not.toBe(upload.key);
    const meanwhile = await getAlbum(albumId);
    expect(meanwhile.cover).toMatchObject({ status: 'ready', width: 10, upload: { key: upload.key } });
    expect(await shownCoverBytes(meanwhile)).toEqual(original);

    const newer = gif(33, 44);
    await uploadStatus(replacement, newer, 'image/gif');
    const replaced = await coverSettles(albumId, replacement.key);
    expect(replaced.cover).toMatchObject({
      status: 'ready',
      contentType: 'image/gif',
      width: 33,
      height: 44,
    });
    expect(await shownCoverBytes(replaced)).toEqual(newer);
    await covers.removed(shownKey(meanwhile));
    expect(await covers.stored(upload.key)).toBe(false);

    const unknown = await fetch(`${stack.apiUrl}/albums/${randomUUID()}/cover`, {
      method: 'POST',
      headers: owner,
    });
    expect(unknown.status).toBe(404);
    await expectDocumentedResponse('POST', '/albums/{albumId}/cover', unknown);
  });

  it('keeps the cover shown when a replacement is rejected, and says why', async () => {
    const { albumId, upload } = await createAlbum();
    const original = png(12, 12);
    await uploadStatus(upload, original);
    await coverSettles(albumId, upload.key);

    const replacement = (await (
      await fetch(`${stack.apiUrl}/albums/${albumId}/cover`, { method: 'POST', headers: owner })
    ).json()) as Upload;
    await uploadStatus(replacement, Buffer.from('not an image at all'), 'image/png');
    const album = await coverSettles(albumId, replacement.key);
    expect(album.cover).toMatchObject({
      status: 'ready',
      width: 12,
      upload: { key: replacement.key, status: 'rejected', reason: 'not a JPEG, PNG, WebP or GIF image' },
    });
    expect(await shownCoverBytes(album)).toEqual(original);
    await covers.removed(replacement.key);
  });

  it('never lets an upload issued earlier replace a newer cover, whatever order they arrive in', async () => {
    const { albumId } = await createAlbum();
    const replace = async () =>
      (await (
        await fetch(`${stack.apiUrl}/albums/${albumId}/cover`, { method: 'POST', headers: owner })
      ).json()) as Upload;
    const earlier = await replace();
    const later = await replace();
    const newest = png(30, 30);
    await uploadStatus(later, newest);
    await coverSettles(albumId, later.key);
    await uploadStatus(earlier, png(20, 20));
    await eventually(
      async () => ((await covers.stored(earlier.key)) ? undefined : true),
      20_000,
      'the earlier upload to be discarded',
    );
    const album = await getAlbum(albumId);
    expect(album.cover).toMatchObject({
      status: 'ready',
      width: 30,
      upload: { key: later.key, status: 'ready' },
    });
    expect(await shownCoverBytes(album)).toEqual(newest);
  });
});
