import { describe, expect, it } from 'vitest';
import { json, MAX_RESPONSE_BYTES, ResponseTooLargeError } from '../../../lib/http/responses.js';

describe('json', () => {
  it('answers with the status, a JSON content type, the headers given and the body as JSON', () => {
    expect(json(200, { title: 'Pastel Blues' }, { 'cache-control': 'max-age=1' })).toEqual({
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'max-age=1' },
      body: '{"title":"Pastel Blues"}',
    });
  });

  it('sends a body of exactly the limit', () => {
    const padding = MAX_RESPONSE_BYTES - '{"text":""}'.length;
    expect(json(200, { text: 'a'.repeat(padding) }).body).toHaveLength(MAX_RESPONSE_BYTES);
  });

  it('refuses to build a body over the limit, counting UTF-8 bytes rather than characters', () => {
    expect(() => json(200, { text: 'a'.repeat(MAX_RESPONSE_BYTES) })).toThrow(ResponseTooLargeError);
    // Fewer characters than the limit, but each is three bytes in UTF-8.
    const wide = '€'.repeat(Math.ceil(MAX_RESPONSE_BYTES / 3));
    expect(wide.length).toBeLessThan(MAX_RESPONSE_BYTES);
    expect(() => json(200, wide)).toThrow(ResponseTooLargeError);
  });
});
