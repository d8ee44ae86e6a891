import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { COVER_MAX_PIXELS, judgeImage } from '../../../lib/covers/image.js';
import { gif, jpeg, png, webp } from '../../support/images.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
// Encoded once, at the top level: the WebP encoder is asynchronous.
const webp120x80 = await webp(120, 80);
const webp10 = await webp(10, 10);
const SCRIPT = Buffer.from('<html><script>alert(1)</script></html>');

function pngChunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

/** A PNG signature and IHDR claiming these dimensions (8-bit RGB), and nothing else: 33 bytes. */
function pngHeader(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header)]);
}

describe('judgeImage', () => {
  it.each([
    ['PNG', png(40, 30), 'image/png', 40, 30],
    ['JPEG', jpeg(64, 48), 'image/jpeg', 64, 48],
    ['GIF', gif(17, 9), 'image/gif', 17, 9],
    ['WebP', webp120x80, 'image/webp', 120, 80],
  ])('accepts a %s that decodes, with its dimensions', async (_name, bytes, contentType, width, height) => {
    expect(await judgeImage(bytes)).toEqual({ accepted: true, contentType, width, height });
  });

  it('judges by the bytes, not by what the file claims to be: SVG, HTML and text are refused', async () => {
    for (const text of [
      'this is a text file renamed cover.png',
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
      '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
      SCRIPT.toString(),
    ]) {
      expect(await judgeImage(Buffer.from(text))).toEqual({
        accepted: false,
        reason: 'not a JPEG, PNG, WebP or GIF image',
      });
    }
  });

  it('refuses a 33-byte PNG header claiming 100000×100000 pixels before decoding anything', async () => {
    const bomb = pngHeader(100_000, 100_000);
    expect(bomb.length).toBe(33);
    expect(await judgeImage(bomb)).toMatchObject({
      accepted: false,
      reason: expect.stringContaining(`larger than ${COVER_MAX_PIXELS} pixels`),
    });
  });

  it('refuses a GIF whose first frame claims to be larger than its screen', async () => {
    const bomb = gif(4, 4);
    // The image descriptor (0x2c) after the header and its two-colour table: its width and height.
    const descriptor = bomb.indexOf(0x2c, 13 + 6);
    bomb.writeUInt16LE(65_535, descriptor + 5);
    bomb.writeUInt16LE(65_535, descriptor + 7);
    expect(await judgeImage(bomb)).toEqual({ accepted: false, reason: 'damaged GIF image' });
  });

  it('refuses a PNG header with no pixel data, however small it claims to be', async () => {
    expect(await judgeImage(pngHeader(10, 10))).toEqual({ accepted: false, reason: 'damaged PNG image' });
    const withEnd = Buffer.concat([pngHeader(10, 10), pngChunk('IEND', Buffer.alloc(0))]);
    expect(await judgeImage(withEnd)).toEqual({ accepted: false, reason: 'damaged PNG image' });
  });

  it('refuses a PNG header followed by HTML, and a GIF header followed by a script', async () => {
    expect(await judgeImage(Buffer.concat([pngHeader(10, 10), SCRIPT]))).toMatchObject({ accepted: false });
    expect(await judgeImage(Buffer.concat([Buffer.from('GIF89a', 'latin1'), SCRIPT]))).toMatchObject({
      accepted: false,
    });
    expect(
      await judgeImage(Buffer.concat([Buffer.from('GIF89a\x0a\x00\x0a\x00\x00\x00\x00', 'latin1'), SCRIPT])),
    ).toMatchObject({ accepted: false });
  });

  it.each([
    ['PNG', png(10, 10), 'PNG'],
    ['JPEG', jpeg(10, 10), 'JPEG'],
    ['GIF', gif(10, 10), 'GIF'],
    ['WebP', webp10, 'WEBP'],
  ])('refuses a real %s with HTML after its end marker', async (_name, bytes, format) => {
    expect(await judgeImage(Buffer.concat([bytes, SCRIPT]))).toEqual({
      accepted: false,
      reason: `${SCRIPT.length} bytes after the end of the ${format} image`,
    });
  });

  it.each([
    ['PNG', png(10, 10)],
    ['JPEG', jpeg(16, 16)],
    ['GIF', gif(10, 10)],
    ['WebP', webp10],
  ])('refuses a %s cut short', async (_name, bytes) => {
    expect(await judgeImage(bytes.subarray(0, bytes.length - 4))).toMatchObject({ accepted: false });
  });

  it('refuses a PNG whose pixel data is damaged though its structure is whole', async () => {
    const damaged = png(10, 10);
    const idat = damaged.indexOf('IDAT');
    damaged.fill(0x41, idat + 6, idat + 12); // the compressed data, after the zlib header
    // Checksum made right again, so only decoding can tell.
    const length = damaged.readUInt32BE(idat - 4);
    damaged.writeUInt32BE(crc32(damaged.subarray(idat, idat + 4 + length)), idat + 4 + length);
    expect(await judgeImage(damaged)).toEqual({ accepted: false, reason: 'damaged PNG image' });
  });
});
