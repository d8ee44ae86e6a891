import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import busboy from 'busboy';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFileSize, checkPostPolicy, storedForm } from '../../s3/post-policy.js';

const keys = new Map([['local', 'local']]);
const s3 = new S3Client({
  endpoint: 'http://127.0.0.1:1',
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
afterAll(() => s3.destroy());

/** The fields a browser sends before the file, by lower-case name, as the reader hands them over. */
async function signedFields(extra: Record<string, string> = { 'Content-Type': 'image/png' }) {
  const { fields } = await createPresignedPost(s3, {
    Bucket: 'covers',
    Key: 'covers/1',
    Conditions: [
      ['content-length-range', 1, 100],
      ['starts-with', '$Content-Type', 'image/'],
    ],
    Expires: 300,
  });
  return new Map(Object.entries({ ...fields, ...extra }).map(([name, value]) => [name.toLowerCase(), value]));
}

describe('the POST policy check in front of the local S3', () => {
  it('allows fields that meet every condition, and gives the size range the policy allows', async () => {
    expect(checkPostPolicy(await signedFields(), 'covers', keys)).toEqual({
      sizeRange: { min: 1, max: 100 },
    });
  });

  it('refuses an expired policy', async () => {
    const later = new Date(Date.now() + 301_000);
    expect(checkPostPolicy(await signedFields(), 'covers', keys, later)).toMatchObject({
      refusal: { status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' },
    });
  });

  it('refuses a field that does not start as required, or differs from an exact match', async () => {
    const notAnImage = await signedFields({ 'Content-Type': 'text/plain' });
    expect(checkPostPolicy(notAnImage, 'covers', keys)).toMatchObject({ refusal: { status: 403 } });
    const otherKey = await signedFields();
    otherKey.set('key', 'covers/2');
    expect(checkPostPolicy(otherKey, 'covers', keys)).toMatchObject({ refusal: { code: 'AccessDenied' } });
    expect(checkPostPolicy(await signedFields(), 'another-bucket', keys)).toMatchObject({
      refusal: { code: 'AccessDenied' },
    });
  });

  it('refuses a field kept with the object that holds a line break or another control character', async () => {
    for (const contentType of ['image/png\r\nX-Evil: 1', 'image/png\nX-Evil: 1', 'image/png\u0000']) {
      expect(checkPostPolicy(await signedFields({ 'Content-Type': contentType }), 'covers', keys)).toEqual({
        refusal: {
          status: 400,
          code: 'InvalidArgument',
          message: 'Header value cannot contain control characters: content-type',
        },
      });
    }
    expect(checkPostPolicy(await signedFields({ 'Content-Type': 'image/png\t' }), 'covers', keys)).toEqual({
      sizeRange: { min: 1, max: 100 },
    });
  });

  it('refuses a missing signature field, and a signature under an unknown key or another secret', async () => {
    const unsigned = await signedFields();
    unsigned.delete('x-amz-signature');
    expect(checkPostPolicy(unsigned, 'covers', keys)).toMatchObject({ refusal: { code: 'InvalidArgument' } });
    expect(checkPostPolicy(await signedFields(), 'covers', new Map())).toMatchObject({
      refusal: { code: 'InvalidAccessKeyId' },
    });
    expect(checkPostPolicy(await signedFields(), 'covers', new Map([['local', 'other']]))).toMatchObject({
      refusal: { code: 'SignatureDoesNotMatch' },
    });
  });

  it('refuses a field the policy does not name, but not one starting x-ignore-', async () => {
    expect(
      checkPostPolicy(
        await signedFields({ 'Content-Type': 'image/png', acl: 'public-read' }),
        'covers',
        keys,
      ),
    ).toMatchObject({
      refusal: { message: 'Invalid according to Policy: Extra input fields: acl' },
    });
    const ignored = await signedFields({ 'Content-Type': 'image/png', 'x-ignore-note': 'hi' });
    expect(checkPostPolicy(ignored, 'covers', keys)).toEqual({ sizeRange: { min: 1, max: 100 } });
  });

  it('refuses a file outside the size range', () => {
    expect(checkFileSize(101, { min: 1, max: 100 })).toMatchObject({ status: 400, code: 'EntityTooLarge' });
    expect(checkFileSize(0, { min: 1, max: 100 })).toMatchObject({ status: 400, code: 'EntityTooSmall' });
    expect(checkFileSize(100, { min: 1, max: 100 })).toBeUndefined();
  });
});

describe('the body that stores an allowed upload', () => {
  it('carries the key, the fields S3 keeps with an object and the file, and nothing else', async () => {
    const fields = await signedFields({ 'Content-Type': 'image/png', 'x-amz-meta-owner': 'me' });
    const form = storedForm({ key: 'covers/1', fields, file: [Buffer.from('12'), Buffer.from('345')] });
    const body = Buffer.concat(form.parts);
    expect(body.length).toBe(form.length);
    const parts: Record<string, string> = {};
    await new Promise<void>((resolve, reject) => {
      const parser = busboy({ headers: { 'content-type': form.contentType } });
      parser.on('field', (name, value) => {
        parts[name] = value;
      });
      parser.on('file', (name, stream) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          parts[name] = Buffer.concat(chunks).toString();
        });
      });
      parser.on('error', reject);
      parser.on('close', resolve);
      parser.end(body);
    });
    expect(parts).toEqual({
      key: 'covers/1',
      'content-type': 'image/png',
      'x-amz-meta-owner': 'me',
      file: '12345',
    });
  });
});
