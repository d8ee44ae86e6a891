import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { UnsupportedMediaTypeError, ValidationError } from '../errors.js';
import { rawBody } from './body.js';

// Fatal: bytes that are not UTF-8 are refused, not read as U+FFFD and stored as such; JSON exchanged between
// systems is UTF-8 (RFC 8259). A byte order mark is kept, and refused by JSON.parse, as before.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Replaces `event.body` with the parsed JSON object, after checking the content type. A missing, non-UTF-8,
 * non-JSON or wrongly typed body, or a JSON value other than an object, fails with a named error before the
 * handler runs.
 *
 * @example
 * middy(handler).use(jsonBody());
 */
export function jsonBody(): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: async (request) => {
      const { event } = request;
      const contentType = event.headers?.['content-type'] ?? '';
      if (!/^application\/(.+\+)?json\s*(;|$)/i.test(contentType)) {
        throw new UnsupportedMediaTypeError(
          `Content-Type must be application/json, got ${contentType ? `'${contentType}'` : 'none'}`,
        );
      }
      let text: string;
      try {
        text = UTF8.decode(rawBody(event));
      } catch {
        throw new ValidationError('Request body is not valid UTF-8: JSON text must be UTF-8 encoded', [
          { field: 'body', message: 'must be valid UTF-8' },
        ]);
      }
      if (text.trim() === '') {
        throw new ValidationError('Request body is empty: send a JSON object', [
          { field: 'body', message: 'is required' },
        ]);
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new ValidationError('Request body is not valid JSON', [
          { field: 'body', message: 'must be valid JSON' },
        ]);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ValidationError('Request body must be a JSON object', [
          { field: 'body', message: 'must be a JSON object' },
        ]);
      }
      (event as { body: unknown }).body = value;
    },
  };
}
