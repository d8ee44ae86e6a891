import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { presentCourseError } from '../../../lib/course/contract.js';
import { type FieldError, UnsupportedMediaTypeError, ValidationError } from '../../../lib/errors.js';
import { httpErrors } from '../../../lib/http/errors.js';
import { json, MAX_RESPONSE_BYTES } from '../../../lib/http/responses.js';

const quiet = { error: () => undefined, warn: () => undefined };

/** What a handler with just this middleware answers when it throws `error` or returns `result`. */
async function answer(
  outcome: Error | (() => APIGatewayProxyStructuredResultV2),
  options: Parameters<typeof httpErrors>[0] = {},
) {
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(async () => {
    if (outcome instanceof Error) throw outcome;
    return outcome();
  }).use(httpErrors({ logger: quiet, ...options }));
  const response = (await handler(
    {} as APIGatewayProxyEventV2,
    {} as Context,
  )) as APIGatewayProxyStructuredResultV2;
  return {
    status: response.statusCode,
    body: JSON.parse(String(response.body)),
    bytes: String(response.body).length,
  };
}

const problems = (count: number): FieldError[] =>
  Array.from({ length: count }, (_, i) => ({ field: `field${i}`, message: 'is not an allowed field' }));

describe('httpErrors', () => {
  it('lists at most ten field errors and counts the rest', async () => {
    const { status, body } = await answer(new ValidationError('Invalid album', problems(100_000)));
    expect(status).toBe(400);
    expect(body).toEqual({ message: 'Invalid album', errors: problems(10), omittedErrors: 99_990 });
  });

  it('lists up to ten without a count', async () => {
    expect((await answer(new ValidationError('Invalid album', problems(10)))).body).toEqual({
      message: 'Invalid album',
      errors: problems(10),
    });
  });

  it('keeps any reply far under 1 MB, whatever the error holds', async () => {
    const huge = 'x'.repeat(5 * MAX_RESPONSE_BYTES);
    const validation = await answer(new ValidationError(huge, [{ field: huge, message: huge }]));
    expect(validation.status).toBe(400);
    expect(validation.bytes).toBeLessThan(10_000);
    expect(validation.body.message).toBe(`${'x'.repeat(2_000)}…`);

    const media = await answer(new UnsupportedMediaTypeError(huge));
    expect(media.status).toBe(415);
    expect(media.bytes).toBeLessThan(10_000);

    const course = await answer(new ValidationError(huge, problems(50)), { present: presentCourseError });
    expect(course).toMatchObject({ status: 400, body: { msg: `${'x'.repeat(2_000)}…` } });
    expect(Object.keys(course.body)).toEqual(['msg']);
  });

  it('answers 500 rather than send a response body over 1 MB', async () => {
    const { status, body } = await answer(() => json(200, { items: 'é'.repeat(MAX_RESPONSE_BYTES / 2) }));
    expect(status).toBe(500);
    expect(body).toEqual({ message: 'Internal server error' });
    // Just under the limit is sent as it is.
    const fits = await answer(() => json(200, { items: 'x'.repeat(MAX_RESPONSE_BYTES - 20) }));
    expect(fits.status).toBe(200);
  });
});
