import busboy from 'busboy';
import { ValidationError } from './errors.js';

export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: Record<string, UploadedFile>;
}

/**
 * Parses a `multipart/form-data` body held in memory (an API Gateway event's body). A file larger than
 * `maxFileBytes` is refused with a {@link ValidationError} naming its part, as is a malformed body.
 *
 * @example
 * const form = await parseMultipart(Buffer.from(event.body, 'base64'), event.headers['content-type'], 5 << 20);
 */
export function parseMultipart(
  body: Buffer,
  contentType: string,
  maxFileBytes: number,
): Promise<MultipartForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        limits: { fileSize: maxFileBytes, fields: 20, files: 5 },
      });
    } catch {
      reject(
        new ValidationError('Body must be multipart/form-data with a boundary', [
          { field: 'body', message: 'is not multipart/form-data' },
        ]),
      );
      return;
    }
    const form: MultipartForm = { fields: {}, files: {} };
    let tooLarge: string | undefined;
    parser.on('field', (name, value) => {
      form.fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => {
        tooLarge = name;
      });
      stream.on('close', () => {
        form.files[name] = {
          filename: info.filename ?? '',
          contentType: info.mimeType,
          data: Buffer.concat(chunks),
        };
      });
    });
    parser.on('error', () =>
      reject(
        new ValidationError('Body is not well-formed multipart/form-data', [
          { field: 'body', message: 'is malformed' },
        ]),
      ),
    );
    parser.on('close', () => {
      if (tooLarge) {
        reject(
          new ValidationError(`Part ${tooLarge} is larger than ${maxFileBytes} bytes`, [
            { field: tooLarge, message: `must be at most ${maxFileBytes} bytes` },
          ]),
        );
      } else {
        resolve(form);
      }
    });
    parser.end(body);
  });
}
