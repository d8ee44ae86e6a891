import type { Request } from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { UnsupportedMediaTypeError, ValidationError } from '../../../lib/errors.js';
import { jsonBody } from '../../../lib/http/json-body.js';

/** Runs the middleware on an event with this body, as API Gateway or serverless-offline hands it over. */
async function decode(
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  const event = { headers, body, isBase64Encoded: false } as unknown as APIGatewayProxyEventV2;
  const request = { event, context: {} as Context, response: undefined, error: undefined, internal: {} };
  await jsonBody().before?.(request as Request<APIGatewayProxyEventV2>);
  return (event as { body: unknown }).body;
}

async function refusal(body: unknown, headers?: Record<string, string>) {
  try {
    await decode(body, headers);
  } catch (error) {
    if (error instanceof ValidationError) return { message: error.message, errors: error.errors };
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('jsonBody', () => {
  it('replaces the body with the parsed object', async () => {
    expect(await decode('{"kind":"like"}')).toEqual({ kind: 'like' });
    expect(await decode('{"a":1}', { 'content-type': 'application/vnd.api+json; charset=utf-8' })).toEqual({
      a: 1,
    });
  });

  it('reads a base64-encoded body', async () => {
    const event = {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"kind":"dislike"}').toString('base64'),
      isBase64Encoded: true,
    } as unknown as APIGatewayProxyEventV2;
    await jsonBody().before?.({ event } as Request<APIGatewayProxyEventV2>);
    expect(event.body).toEqual({ kind: 'dislike' });
  });

  it.each(['false', '0', 'null', 'true', '42', '"text"', '[]', '[{"kind":"like"}]'])(
    'refuses the JSON value %s: it is not an object',
    async (text) => {
      expect(await refusal(text)).toEqual({
        message: 'Request body must be a JSON object',
        errors: [{ field: 'body', message: 'must be a JSON object' }],
      });
    },
  );

  // serverless-offline parses a JSON body itself and, when the value is falsy, passes the value on.
  it.each([false, 0, true, 42, [1]])('refuses an already-parsed %j body as not an object', async (value) => {
    expect(await refusal(value)).toEqual({
      message: 'Request body must be a JSON object',
      errors: [{ field: 'body', message: 'must be a JSON object' }],
    });
  });

  it('refuses a missing or blank body as required', async () => {
    for (const body of [undefined, null, '', ' \n']) {
      expect(await refusal(body)).toEqual({
        message: 'Request body is empty: send a JSON object',
        errors: [{ field: 'body', message: 'is required' }],
      });
    }
  });

  it.each(['{', '{"a":1}}', "{'a':1}", '\u0000', '\ufeff{}', 'NaN'])(
    'refuses %j as invalid JSON',
    async (text) => {
      expect(await refusal(text)).toEqual({
        message: 'Request body is not valid JSON',
        errors: [{ field: 'body', message: 'must be valid JSON' }],
      });
    },
  );

  it.each([
    ['a byte that never starts a character', [0xff]],
    ['a sequence cut short', [0xc3]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['an encoded surrogate', [0xed, 0xa0, 0x80]],
  ])('refuses a body that is not UTF-8 (%s) rather than read it as U+FFFD', async (_, bytes) => {
    const raw = Buffer.concat([Buffer.from('{"artist":"'), Buffer.from(bytes), Buffer.from('"}')]);
    const event = {
      headers: { 'content-type': 'application/json' },
      body: raw.toString('base64'),
      isBase64Encoded: true,
    } as unknown as APIGatewayProxyEventV2;
    await expect(jsonBody().before?.({ event } as Request<APIGatewayProxyEventV2>)).rejects.toEqual(
      new ValidationError('Request body is not valid UTF-8: JSON text must be UTF-8 encoded', [
        { field: 'body', message: 'must be valid UTF-8' },
      ]),
    );
  });

  it('refuses other content types', async () => {
    for (const contentType of ['text/plain', 'application/jsonp', 'multipart/form-data; boundary=x']) {
      await expect(decode('{}', { 'content-type': contentType })).rejects.toThrow(UnsupportedMediaTypeError);
    }
    await expect(decode('{}', {})).rejects.toThrow(UnsupportedMediaTypeError);
  });
});
