import { describe, expect, it } from 'vitest';
import { inspectImage } from '../../../lib/covers/image.js';
import { gif, jpeg, png, webp } from '../../support/images.js';

describe('inspectImage', () => {
  it.each([
    ['PNG', png(40, 30), 'image/png'],
    ['JPEG', jpeg(640, 480), 'image/jpeg'],
    ['GIF', gif(17, 9), 'image/gif'],
    ['WebP', webp(1200, 1200), 'image/webp'],
  ])('accepts a %s and reads its dimensions', (_name, bytes, contentType) => {
    const verdict = inspectImage(bytes);
    expect(verdict).toMatchObject({ accepted: true, contentType });
    const [width, height] = {
      'image/png': [40, 30],
      'image/jpeg': [640, 480],
      'image/gif': [17, 9],
      'image/webp': [1200, 1200],
    }[contentType] as number[];
    expect(verdict).toMatchObject({ width, height });
  });

  it('judges by the bytes, not by what the file claims to be', () => {
    expect(inspectImage(Buffer.from('this is a text file renamed cover.png'))).toEqual({
      accepted: false,
      reason: 'not a JPEG, PNG, WebP or GIF image',
    });
    expect(inspectImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toMatchObject({
      accepted: false,
    });
  });

  it('rejects a file that starts like an image but is cut short', () => {
    expect(inspectImage(png(10, 10).subarray(0, 12))).toMatchObject({ accepted: false });
  });
});
