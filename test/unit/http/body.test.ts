import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { rawBody } from '../../../lib/http/body.js';

const withBody = (body: unknown, isBase64Encoded = false) =>
  ({ body, isBase64Encoded }) as unknown as APIGatewayProxyEventV2;

describe('rawBody', () => {
  it('reads text as UTF-8', () => {
    expect(rawBody(withBody('{"title":"Café"}')).toString('utf8')).toBe('{"title":"Café"}');
  });

  it('decodes a base64-encoded body byte for byte, binary included', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    expect(rawBody(withBody(bytes.toString('base64'), true))).toEqual(bytes);
  });

  it('reads a request without a body as empty', () => {
    expect(rawBody(withBody(undefined))).toHaveLength(0);
    expect(rawBody(withBody(null))).toHaveLength(0);
  });

  it('writes back as JSON a falsy value the local front parsed itself', () => {
    expect(rawBody(withBody(false)).toString()).toBe('false');
    expect(rawBody(withBody(0)).toString()).toBe('0');
  });
});
