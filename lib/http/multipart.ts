import busboy from 'busboy';
import { ValidationError } from '../errors.js';

export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: Record<string, UploadedFile>;
}

/** More parts than any form of ours has; beyond it the body is refused rather than read on. */
export const MAX_PARTS = 10;
/** Text fields are small (a profile is a few hundred bytes); a larger one is refused, never cut short. */
export const MAX_FIELD_BYTES = 64 * 1024;
/** RFC 2046: a boundary is 1 to 70 characters. */
const BOUNDARY = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^\s;]*))/i;

/**
 * Parses a `multipart/form-data` body held in memory (an API Gateway event's body). Anything but a
 * well-formed form within the limits is refused with a {@link ValidationError} naming the problem: no
 * boundary or an empty one, a body cut short or closed with the wrong boundary, a malformed part header, a
 * file larger than `maxFileBytes`, a field larger than {@link MAX_FIELD_BYTES}, more than
 * {@link MAX_PARTS} parts, or a part name sent twice.
 *
 * @example
 * const form = await parseMultipart(rawBody(event), event.headers['content-type'], 5 << 20);
 */
export function parseMultipart(
  body: Buffer,
  contentType: string,
  maxFileBytes: number,
): Promise<MultipartForm> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const refuse = (message: string, field: string, problem: string) => {
      if (settled) return;
      settled = true;
      reject(new ValidationError(message, [{ field, message: problem }]));
    };

    const match = BOUNDARY.exec(contentType);
    const boundary = match?.[1] ?? match?.[2];
    if (boundary !== undefined && (boundary.length === 0 || boundary.length > 70)) {
      refuse('The multipart boundary must be 1 to 70 characters', 'content-type', 'has an invalid boundary');
      return;
    }
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        // busboy reports a part as over its limit once it reaches it: one byte more allows exactly the limit.
        limits: { fileSize: maxFileBytes + 1, fieldSize: MAX_FIELD_BYTES + 1 },
      });
    } catch {
      refuse('Body must be multipart/form-data with a boundary', 'content-type', 'has no multipart boundary');
      return;
    }

    const form: MultipartForm = { fields: {}, files: {} };
    const names = new Set<string>();
    // Every part is counted and named once; false when the part is refused and must not be kept. busboy
    // gives a part whose Content-Disposition has no name the name undefined, whatever its types say.
    const admit = (name: string | undefined): boolean => {
      if (name === undefined) {
        refuse('Every part must have a name', 'body', 'has a part without a name');
      } else if (names.size === MAX_PARTS) {
        refuse(`Body has more than ${MAX_PARTS} parts`, 'body', `must have at most ${MAX_PARTS} parts`);
      } else if (names.has(name)) {
        refuse(`Part ${name} is sent more than once`, name, 'must be sent once');
      } else {
        names.add(name);
      }
      return !settled;
    };
    const malformed = (error: Error) =>
      refuse(
        `Body is not well-formed multipart/form-data: ${error.message.toLowerCase()}`,
        'body',
        'is malformed',
      );

    parser.on('field', (name, value, info) => {
      if (!admit(name)) return;
      if (info.valueTruncated || info.nameTruncated) {
        refuse(
          `Part ${name} is larger than ${MAX_FIELD_BYTES} bytes`,
          name,
          `must be at most ${MAX_FIELD_BYTES} bytes`,
        );
        return;
      }
      form.fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      // Every file stream is read to its end and heard on error, whatever becomes of its part: a body cut
      // short inside a file fails the file's stream, and an unheard stream error would end the process.
      stream.on('error', malformed);
      if (!admit(name)) {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () =>
        refuse(
          `Part ${name} is larger than ${maxFileBytes} bytes`,
          name,
          `must be at most ${maxFileBytes} bytes`,
        ),
      );
      stream.on('end', () => {
        form.files[name] = {
          filename: info.filename ?? '',
          contentType: info.mimeType,
          data: Buffer.concat(chunks),
        };
      });
    });
    parser.on('error', malformed);
    parser.on('close', () => {
      if (settled) return;
      settled = true;
      resolve(form);
    });
    parser.end(body);
  });
}
