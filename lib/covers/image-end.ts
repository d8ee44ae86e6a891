/*
 * Where an image's own structure says it ends, found by walking its container by the lengths it declares:
 * the bytes a decoder reads. No decoder reports where it stopped, and what follows that point is what a
 * browser sniffing the file, or any other tool, may take for HTML; so the verifier refuses a file that
 * goes on after it. The decoders judge the pixels; this walk reads lengths and markers only.
 */

/** The formats a cover may be. */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

/**
 * The offset just past the image's end marker: PNG's IEND chunk, JPEG's EOI marker, GIF's trailer, or the
 * end of WebP's RIFF container (with its padding byte); undefined when the structure is cut short or
 * malformed before it.
 *
 * @example
 * const trailing = bytes.length - (imageEnd('png', bytes) ?? bytes.length);
 */
export function imageEnd(format: ImageFormat, bytes: Uint8Array): number | undefined {
  const end = ENDS[format](bytes);
  return end !== undefined && end <= bytes.length ? end : undefined;
}

const ENDS: Record<ImageFormat, (bytes: Uint8Array) => number | undefined> = {
  png: pngEnd,
  jpeg: jpegEnd,
  gif: gifEnd,
  webp: webpEnd,
};

const view = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Chunks of length, type, data and CRC after the 8-byte signature, up to and including IEND. */
function pngEnd(bytes: Uint8Array): number | undefined {
  const data = view(bytes);
  let offset = 8;
  while (offset + 8 <= bytes.length) {
    const next = offset + 12 + data.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (type === 'IEND') return next;
    offset = next;
  }
  return undefined;
}

/**
 * Marker segments after SOI, each with its length; after a start of scan, entropy-coded data runs to the next
 * marker (0xFF followed by neither a stuffed zero, a restart marker nor a fill byte); EOI ends the image.
 */
function jpegEnd(bytes: Uint8Array): number | undefined {
  const data = view(bytes);
  let offset = 2;
  while (offset + 1 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // a fill byte before a marker
      continue;
    }
    if (marker === 0xd9) return offset + 2;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    if (offset + 4 > bytes.length) return undefined;
    offset += 2 + data.getUint16(offset + 2);
    if (marker === 0xda) offset = nextMarker(bytes, offset);
  }
  return undefined;
}

function nextMarker(bytes: Uint8Array, from: number): number {
  let offset = from;
  while (offset + 1 < bytes.length) {
    const following = bytes[offset + 1] ?? 0;
    if (
      bytes[offset] === 0xff &&
      following !== 0 &&
      following !== 0xff &&
      (following < 0xd0 || following > 0xd7)
    ) {
      return offset;
    }
    offset += 1;
  }
  return bytes.length;
}

/** Header and colour table, then extensions and images, each ending in data sub-blocks, up to the trailer. */
function gifEnd(bytes: Uint8Array): number | undefined {
  const colourTable = (flags: number) => (flags & 0x80 ? 3 * (1 << ((flags & 0x07) + 1)) : 0);
  const skipSubBlocks = (from: number) => {
    let offset = from;
    while (offset < bytes.length) {
      const size = bytes[offset] ?? 0;
      offset += 1 + size;
      if (size === 0) return offset;
    }
    return undefined;
  };
  let offset: number | undefined = 13 + colourTable(bytes[10] ?? 0);
  while (offset !== undefined && offset < bytes.length) {
    const block = bytes[offset];
    if (block === 0x3b) return offset + 1;
    if (block === 0x21) offset = skipSubBlocks(offset + 2);
    else if (block === 0x2c) offset = skipSubBlocks(offset + 10 + colourTable(bytes[offset + 9] ?? 0) + 1);
    else return undefined;
  }
  return undefined;
}

/** The RIFF header's size counts what follows its first 8 bytes; an odd size is padded by one byte. */
function webpEnd(bytes: Uint8Array): number | undefined {
  if (bytes.length < 12) return undefined;
  const size = view(bytes).getUint32(4, true);
  return 8 + size + (size & 1);
}
