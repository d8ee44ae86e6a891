import { readFile } from 'node:fs/promises';
import { crc32, deflateSync } from 'node:zlib';
import encodeWebp, { init as initWebpEncoder } from '@jsquash/webp/encode.js';
import { encode as encodeJpeg } from 'jpeg-js';
import { GifWriter } from 'omggif';

/** Small but valid images of every accepted format, with the dimensions asked for. */

const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};

function pngChunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32be(data.length), typed, u32be(crc32(typed))]);
}

/**
 * A real PNG (8-bit RGB) that any browser renders: a red-to-blue gradient, or the RGB `pixels` given (three
 * bytes a pixel, row by row), which make each image unique. `carried` bytes travel inside the image, in a
 * private ancillary chunk that decoders skip: any byte values, in a file that is still only an image.
 */
export function png(width: number, height: number, pixels?: Uint8Array, carried?: Uint8Array): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) row.set([255 - (x * 255) / width, 64, (x * 255) / width], 1 + x * 3);
    if (pixels) row.set(pixels.subarray(y * width * 3, (y + 1) * width * 3), 1);
    rows.push(row);
  }
  const header = Buffer.concat([u32be(width), u32be(height), Buffer.from([8, 2, 0, 0, 0])]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    ...(carried ? [pngChunk('prVt', Buffer.from(carried))] : []),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** RGBA pixels of a gradient, different for every size. */
function gradient(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const x = i % width;
    data.set([(x * 255) / width, (Math.floor(i / width) * 255) / height, 128, 255], i * 4);
  }
  return data;
}

/** A real baseline JPEG (jpeg-js's encoder) of a gradient. */
export function jpeg(width: number, height: number): Buffer {
  return encodeJpeg({ width, height, data: gradient(width, height) }, 80).data;
}

/** A real GIF (omggif's writer): one frame, a two-colour palette, stripes. */
export function gif(width: number, height: number): Buffer {
  const out = Buffer.alloc(1024 + width * height * 2);
  const writer = new GifWriter(out, width, height, { palette: [0x000000, 0xffffff] });
  writer.addFrame(
    0,
    0,
    width,
    height,
    Array.from({ length: width * height }, (_, i) => (i >> 2) & 1),
  );
  return out.subarray(0, writer.end());
}

let webpEncoder: Promise<unknown> | undefined;

/** A real lossless WebP (libwebp's encoder, as WebAssembly, in its SIMD build as Node has SIMD) of a gradient. */
export async function webp(width: number, height: number): Promise<Buffer> {
  webpEncoder ??= readFile('node_modules/@jsquash/webp/codec/enc/webp_enc_simd.wasm')
    .then((wasm) => WebAssembly.compile(wasm))
    .then((module) => initWebpEncoder(module));
  await webpEncoder;
  const data = new Uint8ClampedArray(gradient(width, height));
  return Buffer.from(await encodeWebp({ width, height, data, colorSpace: 'srgb' }, { lossless: 1 }));
}
