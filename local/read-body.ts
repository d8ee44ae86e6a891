import type { Readable } from 'node:stream';

/**
 * The whole body of an HTTP message, or of any stream of bytes. Read through its events: the small bodies of
 * the stack's hops cost more to read with `for await` than the reading itself.
 */
export function readBody(message: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.on('end', () => resolve(Buffer.concat(chunks)));
    message.on('error', reject);
  });
}
