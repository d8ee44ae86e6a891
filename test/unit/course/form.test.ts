import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseCourseAlbumForm } from '../../../lib/course/form.js';
import { UnsupportedMediaTypeError, ValidationError } from '../../../lib/errors.js';

const BOUNDARY = 'form-boundary';

/** A POST albums event with the parts given (`filename` makes a file part). */
function formEvent(
  parts: Array<{ name: string; value: string | Buffer; filename?: string }>,
  contentType = `multipart/form-data; boundary=${BOUNDARY}`,
): APIGatewayProxyEventV2 {
  const body = Buffer.concat([
    ...parts.flatMap(({ name, value, filename }) => [
      Buffer.from(
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${
          filename ? `; filename="${filename}"\r\nContent-Type: application/octet-stream` : ''
        }\r\n\r\n`,
      ),
      Buffer.from(value),
      Buffer.from('\r\n'),
    ]),
    Buffer.from(`--${BOUNDARY}--\r\n`),
  ]);
  return {
    headers: { 'content-type': contentType },
    body: body.toString('base64'),
    isBase64Encoded: true,
  } as unknown as APIGatewayProxyEventV2;
}

const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
const profile = '{"artist":"Sex Pistols","title":"Never Mind The Bollocks!","year":"1977"}';

async function refusal(event: APIGatewayProxyEventV2) {
  try {
    await parseCourseAlbumForm(event, 1024);
  } catch (error) {
    return error;
  }
  throw new Error('expected the form to be refused');
}

describe('parseCourseAlbumForm', () => {
  it('reads the image as sent and the profile, from a field or a file part', async () => {
    for (const profilePart of [
      { name: 'profile', value: profile },
      { name: 'profile', value: profile, filename: 'profile.json' },
    ]) {
      const form = await parseCourseAlbumForm(
        formEvent([{ name: 'image', value: image, filename: 'cover.png' }, profilePart]),
        1024,
      );
      expect(form.image.equals(image)).toBe(true);
      expect(form.profile).toEqual({
        artist: 'Sex Pistols',
        title: 'Never Mind The Bollocks!',
        year: '1977',
      });
    }
  });

  it('refuses a body that is not a multipart form as an unsupported type', async () => {
    const event = { ...formEvent([]), headers: { 'content-type': 'application/json' } };
    expect(await refusal(event)).toBeInstanceOf(UnsupportedMediaTypeError);
  });

  it('names each missing part, and an empty image', async () => {
    const missing = await refusal(formEvent([{ name: 'other', value: 'x' }]));
    expect(missing).toBeInstanceOf(ValidationError);
    expect((missing as ValidationError).message).toBe('Missing parts: image, profile');
    expect((missing as ValidationError).errors.map(({ field }) => field)).toEqual(['image', 'profile']);
    const noProfile = await refusal(formEvent([{ name: 'image', value: image, filename: 'c.png' }]));
    expect((noProfile as ValidationError).message).toBe('Missing part: profile');
    const empty = await refusal(
      formEvent([
        { name: 'image', value: Buffer.alloc(0), filename: 'c.png' },
        { name: 'profile', value: profile },
      ]),
    );
    expect((empty as ValidationError).errors).toEqual([{ field: 'image', message: 'is empty' }]);
  });

  it('refuses an image over the limit and a malformed profile', async () => {
    const large = await refusal(
      formEvent([
        { name: 'image', value: Buffer.alloc(1025, 1), filename: 'c.png' },
        { name: 'profile', value: profile },
      ]),
    );
    expect(large).toBeInstanceOf(ValidationError);
    const malformed = await refusal(
      formEvent([
        { name: 'image', value: image, filename: 'c.png' },
        { name: 'profile', value: '{"artist":"A"}' },
      ]),
    );
    expect((malformed as ValidationError).errors.map(({ field }) => field)).toContain('title');
  });
});
