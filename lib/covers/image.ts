import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import decodeWebp, { init as initWebpDecoder } from '@jsquash/webp/decode.js';
import { imageSize } from 'image-size';
import { decode as decodeJpeg } from 'jpeg-js';
import { GifReader } from 'omggif';
import { PNG } from 'pngjs';
import { type ImageFormat, imageEnd } from './image-end.js';

/** What a cover's bytes turned out to be. */
export type ImageVerdict =
  | { accepted: true; contentType: string; width: number; height: number }
  | { accepted: false; reason: string };

/**
 * The most pixels a cover may have, 12 megapixels (4000 × 3000, or 3464 × 3464): a JPEG's decoding holds
 * some 16 bytes per pixel (within the 256 MB it is allowed, in a 512 MB function), and a few bytes of header
 * can claim billions (a decompression bomb), so the header's claim is checked before decoding.
 */
export const COVER_MAX_PIXELS = 4000 * 3000;
/** The longest side a cover may have, however thin. */
const COVER_MAX_SIDE = 8192;

const FORMATS: Array<{ format: ImageFormat; contentType: string; matches: (bytes: Uint8Array) => boolean }> =
  [
    {
      format: 'jpeg',
      contentType: 'image/jpeg',
      matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
    },
    {
      format: 'png',
      contentType: 'image/png',
      matches: (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((byte, i) => b[i] === byte),
    },
    {
      format: 'gif',
      contentType: 'image/gif',
      matches: (b) => ['GIF87a', 'GIF89a'].includes(Buffer.from(b.subarray(0, 6)).toString('latin1')),
    },
    {
      format: 'webp',
      contentType: 'image/webp',
      matches: (b) =>
        Buffer.from(b.subarray(0, 4)).toString('latin1') === 'RIFF' &&
        Buffer.from(b.subarray(8, 12)).toString('latin1') === 'WEBP',
    },
  ];

/** Decoded pixels: RGBA, four bytes per pixel. */
interface Pixels {
  width: number;
  height: number;
  data: { length: number };
}

const DECODERS: Record<ImageFormat, (bytes: Uint8Array) => Pixels | Promise<Pixels>> = {
  png: (bytes) => PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
  jpeg: (bytes) =>
    decodeJpeg(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      // A damaged stream is an error rather than a picture filled in with grey.
      tolerantDecoding: false,
      maxResolutionInMP: COVER_MAX_PIXELS / 1_000_000,
      maxMemoryUsageInMB: 256,
    }),
  gif: (bytes) => {
    const reader = new GifReader(bytes);
    if (reader.numFrames() < 1) throw new Error('no frame');
    // A frame declares its own size, which the header's screen size says nothing of.
    const frame = reader.frameInfo(0);
    if (frame.x + frame.width > reader.width || frame.y + frame.height > reader.height) {
      throw new Error('a frame larger than its screen');
    }
    const data = new Uint8Array(reader.width * reader.height * 4);
    // The first frame is what a browser shows first: decoding it proves the file carries pixels.
    reader.decodeAndBlitFrameRGBA(0, data);
    return { width: reader.width, height: reader.height, data };
  },
  webp: async (bytes) => {
    await webpDecoderReady();
    return decodeWebp(bytes.slice().buffer);
  },
};

let webpDecoder: Promise<void> | undefined;

/**
 * libwebp's decoder (WebAssembly) travels in the function's package beside its bundle (serverless.yml's
 * package.patterns), read when the first WebP arrives rather than loaded with the code at every cold start.
 */
function webpDecoderReady(): Promise<void> {
  webpDecoder ??= readFile(join(process.cwd(), 'node_modules/@jsquash/webp/codec/dec/webp_dec.wasm'))
    .then((wasm) => WebAssembly.compile(wasm))
    .then((module) => initWebpDecoder(module))
    .catch((error: unknown) => {
      webpDecoder = undefined;
      throw error;
    });
  return webpDecoder;
}

/**
 * Decides whether bytes are a cover image this service accepts, by decoding them: a JPEG, PNG, WebP or GIF
 * (told by its bytes, never by a name or a declared type) whose header claims at most
 * {@link COVER_MAX_PIXELS} pixels (checked before anything is decoded), that decodes to pixels of the size
 * its header claims, and that ends where its own structure ends (nothing after PNG's IEND, JPEG's EOI,
 * GIF's trailer, WebP's RIFF length). SVG, HTML and every other format are refused.
 *
 * @example
 * const verdict = await judgeImage(await readFile('cover.png'));
 * if (verdict.accepted) console.log(verdict.contentType, verdict.width, verdict.height);
 */
export async function judgeImage(bytes: Uint8Array): Promise<ImageVerdict> {
  const kind = FORMATS.find((candidate) => candidate.matches(bytes));
  if (!kind) return { accepted: false, reason: 'not a JPEG, PNG, WebP or GIF image' };
  const damaged = { accepted: false, reason: `damaged ${kind.format.toUpperCase()} image` } as const;
  let claimed: { width?: number; height?: number };
  try {
    claimed = imageSize(bytes);
  } catch {
    return damaged;
  }
  const { width, height } = claimed;
  if (!width || !height) return { accepted: false, reason: 'image dimensions could not be read' };
  if (width * height > COVER_MAX_PIXELS || width > COVER_MAX_SIDE || height > COVER_MAX_SIDE) {
    return {
      accepted: false,
      reason: `${width}×${height} pixels: larger than ${COVER_MAX_PIXELS} pixels or ${COVER_MAX_SIDE} on a side`,
    };
  }
  const end = imageEnd(kind.format, bytes);
  if (end === undefined) return damaged;
  if (end < bytes.length) {
    return {
      accepted: false,
      reason: `${bytes.length - end} bytes after the end of the ${kind.format.toUpperCase()} image`,
    };
  }
  try {
    const pixels = await DECODERS[kind.format](bytes);
    if (pixels.width !== width || pixels.height !== height || pixels.data.length < width * height * 4) {
      return damaged;
    }
  } catch {
    return damaged;
  }
  return { accepted: true, contentType: kind.contentType, width, height };
}
