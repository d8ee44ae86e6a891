import { describe, expect, it } from 'vitest';
import { imageEnd } from '../../../lib/covers/image-end.js';
import { gif, jpeg, png, webp } from '../../support/images.js';

const extra = Buffer.from('</html>');
// Encoded once, at the top level: the WebP encoder is asynchronous.
const webp12x7 = await webp(12, 7);

describe('imageEnd', () => {
  it.each([
    ['png', png(12, 7)],
    ['jpeg', jpeg(12, 7)],
    ['gif', gif(12, 7)],
    ['webp', webp12x7],
  ] as const)('finds where a %s ends, whatever follows', (format, bytes) => {
    expect(imageEnd(format, bytes)).toBe(bytes.length);
    expect(imageEnd(format, Buffer.concat([bytes, extra]))).toBe(bytes.length);
  });

  it.each([
    ['png', png(12, 7)],
    ['jpeg', jpeg(12, 7)],
    ['gif', gif(12, 7)],
    ['webp', webp12x7],
  ] as const)('finds no end in a %s cut short', (format, bytes) => {
    expect(imageEnd(format, bytes.subarray(0, bytes.length - 1))).toBeUndefined();
  });

  it('skips a JPEG scan’s stuffed bytes and restart markers, and stops at its EOI', () => {
    const scan = Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xff, 0xd9]);
    const sos = Buffer.from([0xff, 0xda, 0x00, 0x08, 1, 1, 0, 0, 0x3f, 0]);
    const file = Buffer.concat([Buffer.from([0xff, 0xd8]), sos, scan]);
    expect(imageEnd('jpeg', file)).toBe(file.length);
    expect(imageEnd('jpeg', Buffer.concat([file, Buffer.from([0xff, 0xd9])]))).toBe(file.length);
  });
});
