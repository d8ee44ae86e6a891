import { describe, expect, it } from 'vitest';
import { checkPostPolicy, type PostedForm, readPostedForm } from '../../local/post-policy.js';

const policy = (expiration: string, conditions: unknown[]) =>
  Buffer.from(JSON.stringify({ expiration, conditions })).toString('base64');

const now = new Date('2026-11-24T12:00:00Z');
const conditions = [
  { bucket: 'covers' },
  { key: 'covers/1' },
  ['content-length-range', 1, 100],
  ['starts-with', '$Content-Type', 'image/'],
];
const form = (overrides: Partial<PostedForm['fields']> = {}, fileSize = 50): PostedForm => ({
  fields: {
    policy: policy('2026-11-24T12:05:00Z', conditions),
    key: 'covers/1',
    'content-type': 'image/png',
    ...overrides,
  },
  fileSize,
});

describe('the POST policy check in front of the local S3', () => {
  it('allows an upload that meets every condition', () => {
    expect(checkPostPolicy(form(), 'covers', now)).toBeUndefined();
  });

  it('refuses an expired policy', () => {
    const expired = form({ policy: policy('2026-11-24T11:59:59Z', conditions) });
    expect(checkPostPolicy(expired, 'covers', now)).toMatchObject({
      status: 403,
      message: 'Invalid according to Policy: Policy expired.',
    });
  });

  it('refuses a file outside the content-length range', () => {
    expect(checkPostPolicy(form({}, 101), 'covers', now)).toMatchObject({
      status: 400,
      code: 'EntityTooLarge',
    });
    expect(checkPostPolicy(form({}, 0), 'covers', now)).toMatchObject({
      status: 400,
      code: 'EntityTooSmall',
    });
  });

  it('refuses a field that does not start as required, or differs from an exact match', () => {
    expect(checkPostPolicy(form({ 'content-type': 'text/plain' }), 'covers', now)).toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
    expect(checkPostPolicy(form({ key: 'covers/2' }), 'covers', now)).toMatchObject({ status: 403 });
    expect(checkPostPolicy(form(), 'another-bucket', now)).toMatchObject({ status: 403 });
  });

  it('reads the fields and the file size of a multipart upload', async () => {
    const boundary = 'b';
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="Content-Type"\r\n\r\nimage/png\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n12345\r\n--${boundary}--\r\n`,
    );
    expect(await readPostedForm(body, `multipart/form-data; boundary=${boundary}`)).toEqual({
      fields: { 'content-type': 'image/png' },
      fileSize: 5,
    });
  });
});
