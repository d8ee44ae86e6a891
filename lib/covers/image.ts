import { imageSize } from 'image-size';

/** What a cover's bytes turned out to be. */
export type ImageVerdict =
  | { accepted: true; contentType: string; width: number; height: number }
  | { accepted: false; reason: string };

const SIGNATURES: Array<{ contentType: string; matches: (bytes: Uint8Array) => boolean }> = [
  { contentType: 'image/jpeg', matches: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  {
    contentType: 'image/png',
    matches: (b) => [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((byte, i) => b[i] === byte),
  },
  {
    contentType: 'image/gif',
    matches: (b) => ['GIF87a', 'GIF89a'].includes(Buffer.from(b.subarray(0, 6)).toString('latin1')),
  },
  {
    contentType: 'image/webp',
    matches: (b) =>
      Buffer.from(b.subarray(0, 4)).toString('latin1') === 'RIFF' &&
      Buffer.from(b.subarray(8, 12)).toString('latin1') === 'WEBP',
  },
];

/**
 * Decides whether bytes are a cover image this service accepts (JPEG, PNG, WebP or GIF, by their magic
 * bytes rather than any name or declared type) and reads its pixel dimensions.
 *
 * @example
 * const verdict = inspectImage((await covers.readStart(key, 64 * 1024))?.bytes ?? new Uint8Array());
 */
export function inspectImage(bytes: Uint8Array): ImageVerdict {
  const format = SIGNATURES.find((signature) => signature.matches(bytes));
  if (!format) return { accepted: false, reason: 'not a JPEG, PNG, WebP or GIF image' };
  try {
    const { width, height } = imageSize(bytes);
    if (!width || !height) return { accepted: false, reason: 'image dimensions could not be read' };
    return { accepted: true, contentType: format.contentType, width, height };
  } catch {
    return { accepted: false, reason: `damaged ${format.contentType.slice(6).toUpperCase()} image` };
  }
}
