import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.js';
import { MAX_FIELD_BYTES, MAX_PARTS, parseMultipart } from '../../../lib/http/multipart.js';

const BOUNDARY = 'XyZzY-boundary';
const CONTENT_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

interface Part {
  name?: string;
  filename?: string;
  contentType?: string;
  data: Buffer | string;
}

const head = ({ name, filename, contentType }: Part) =>
  `--${BOUNDARY}\r\nContent-Disposition: form-data${name === undefined ? '' : `; name="${name}"`}${
    filename === undefined ? '' : `; filename="${filename}"`
  }${contentType ? `\r\nContent-Type: ${contentType}` : ''}\r\n\r\n`;

/** A form body byte by byte; `end` replaces the closing delimiter. */
function form(parts: Part[], end = `--${BOUNDARY}--\r\n`): Buffer {
  return Buffer.concat([
    ...parts.flatMap((part) => [Buffer.from(head(part)), Buffer.from(part.data), Buffer.from('\r\n')]),
    Buffer.from(end),
  ]);
}

const image = randomBytes(4096);
const imagePart: Part = { name: 'image', filename: 'a.png', contentType: 'image/png', data: image };
const profilePart: Part = { name: 'profile', data: '{"artist":"Can","title":"Ege Bamyasi","year":1972}' };

async function refusal(body: Buffer, contentType = CONTENT_TYPE, maxFileBytes = 1 << 20) {
  try {
    await parseMultipart(body, contentType, maxFileBytes);
  } catch (error) {
    if (error instanceof ValidationError) return { message: error.message, errors: error.errors };
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('parseMultipart', () => {
  it('reads fields and files, binary-safe', async () => {
    const parsed = await parseMultipart(form([imagePart, profilePart]), CONTENT_TYPE, 1 << 20);
    expect(parsed.fields).toEqual({ profile: profilePart.data });
    expect(parsed.files.image).toEqual({ filename: 'a.png', contentType: 'image/png', data: image });
  });

  it('takes a quoted boundary and an application/octet-stream part without a filename as a file', async () => {
    const parsed = await parseMultipart(
      form([{ name: 'profile', contentType: 'application/octet-stream', data: 'x' }]),
      `multipart/form-data; boundary="${BOUNDARY}"`,
      10,
    );
    expect(parsed.files.profile?.data.toString()).toBe('x');
  });

  it('accepts a file exactly at the limit', async () => {
    const parsed = await parseMultipart(form([imagePart]), CONTENT_TYPE, image.length);
    expect(parsed.files.image?.data.length).toBe(image.length);
  });

  it('refuses a file over the limit, naming its part', async () => {
    expect(await refusal(form([imagePart]), CONTENT_TYPE, image.length - 1)).toEqual({
      message: `Part image is larger than ${image.length - 1} bytes`,
      errors: [{ field: 'image', message: `must be at most ${image.length - 1} bytes` }],
    });
  });

  it('refuses a field over its limit rather than cutting it short', async () => {
    const full = { name: 'profile', data: 'x'.repeat(MAX_FIELD_BYTES) };
    expect((await parseMultipart(form([full]), CONTENT_TYPE, 10)).fields.profile).toHaveLength(
      MAX_FIELD_BYTES,
    );
    const big = { name: 'profile', data: 'x'.repeat(MAX_FIELD_BYTES + 1) };
    expect(await refusal(form([big]))).toEqual({
      message: `Part profile is larger than ${MAX_FIELD_BYTES} bytes`,
      errors: [{ field: 'profile', message: `must be at most ${MAX_FIELD_BYTES} bytes` }],
    });
  });

  // Each of these once made busboy fail a file stream nobody listened to, which ended the process.
  it.each([
    [
      'cut short inside the image',
      form([profilePart, imagePart]).subarray(0, 2000),
      'unexpected end of form',
    ],
    [
      'closed with the wrong boundary',
      form([imagePart], '--not-the-boundary--\r\n'),
      'unexpected end of form',
    ],
    ['without its closing delimiter', form([imagePart], ''), 'unexpected end of form'],
    [
      'cut short inside a part header',
      Buffer.from(`--${BOUNDARY}\r\nContent-Disp`),
      'unexpected end of form',
    ],
    ['empty', Buffer.alloc(0), 'unexpected end of form'],
  ])('refuses a body %s as malformed', async (_, body, problem) => {
    expect(await refusal(body)).toEqual({
      message: `Body is not well-formed multipart/form-data: ${problem}`,
      errors: [{ field: 'body', message: 'is malformed' }],
    });
  });

  it('refuses a malformed part header', async () => {
    const body = Buffer.from(`--${BOUNDARY}\r\n${'X'.repeat(20_000)}\r\n\r\ndata\r\n--${BOUNDARY}--\r\n`);
    expect((await refusal(body)).errors).toEqual([{ field: 'body', message: 'is malformed' }]);
  });

  it('refuses a part sent twice', async () => {
    expect(await refusal(form([imagePart, profilePart, imagePart]))).toEqual({
      message: 'Part image is sent more than once',
      errors: [{ field: 'image', message: 'must be sent once' }],
    });
    expect((await refusal(form([profilePart, profilePart]))).errors).toEqual([
      { field: 'profile', message: 'must be sent once' },
    ]);
  });

  it('refuses more than the most parts a form has', async () => {
    const parts = Array.from({ length: MAX_PARTS + 1 }, (_, i) => ({ name: `f${i}`, data: 'v' }));
    expect(await refusal(form(parts))).toEqual({
      message: `Body has more than ${MAX_PARTS} parts`,
      errors: [{ field: 'body', message: `must have at most ${MAX_PARTS} parts` }],
    });
    await expect(parseMultipart(form(parts.slice(1)), CONTENT_TYPE, 10)).resolves.toBeDefined();
  });

  it('refuses a part without a name', async () => {
    expect((await refusal(form([{ data: 'v' }]))).errors).toEqual([
      { field: 'body', message: 'has a part without a name' },
    ]);
  });

  it.each([
    ['no boundary', 'multipart/form-data', 'has no multipart boundary'],
    ['an empty boundary', 'multipart/form-data; boundary=', 'has an invalid boundary'],
    ['an empty quoted boundary', 'multipart/form-data; boundary=""', 'has an invalid boundary'],
    [
      'a boundary over 70 characters',
      `multipart/form-data; boundary=${'b'.repeat(71)}`,
      'has an invalid boundary',
    ],
    ['another media type', 'application/json', 'has no multipart boundary'],
    ['no media type', '', 'has no multipart boundary'],
  ])('refuses a content type with %s', async (_, contentType, problem) => {
    expect((await refusal(form([imagePart]), contentType)).errors).toEqual([
      { field: 'content-type', message: problem },
    ]);
  });
});
