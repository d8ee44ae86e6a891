import { crc32, deflateSync } from 'node:zlib';

/** Small but valid images of every accepted format, with the dimensions asked for. */

const u16le = (n: number) => Buffer.from([n & 0xff, n >> 8]);
const u24le = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff]);
const u32le = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

function pngChunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32be(data.length), typed, u32be(crc32(typed))]);
}

/** A real PNG (8-bit RGB) that any browser renders: a red-to-blue gradient. */
export function png(width: number, height: number): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([255 - (x * 255) / width, 64, (x * 255) / width], 1 + x * 3);
    rows.push(row);
  }
  const header = Buffer.concat([u32be(width), u32be(height), Buffer.from([8, 2, 0, 0, 0])]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A JPEG header with its frame size (enough for format and dimensions, not for decoding). */
export function jpeg(width: number, height: number): Buffer {
  const sof = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'),
    sof,
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** A GIF header with its logical screen size. */
export function gif(width: number, height: number): Buffer {
  return Buffer.concat([
    Buffer.from('GIF89a', 'latin1'),
    u16le(width),
    u16le(height),
    Buffer.from([0, 0, 0, 0x3b]),
  ]);
}

/** An extended-format WebP header with its canvas size. */
export function webp(width: number, height: number): Buffer {
  const vp8x = Buffer.concat([
    Buffer.from('VP8X', 'latin1'),
    u32le(10),
    Buffer.from([0, 0, 0, 0]),
    u24le(width - 1),
    u24le(height - 1),
  ]);
  return Buffer.concat([
    Buffer.from('RIFF', 'latin1'),
    u32le(4 + vp8x.length),
    Buffer.from('WEBP', 'latin1'),
    vp8x,
  ]);
}
