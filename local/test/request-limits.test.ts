import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody } from '../read-body.js';
import { limitedServerOptions, limitRequests } from '../request-limits.js';
import { rawExchange } from '../testing/raw-http.js';

// The limits on a bare server of their own, whose handler reads each body whole and says how long it was.

const limits = { receiveTimeoutMs: 800, maxBodyBytes: 1_000, answerTimeoutMs: 5_000 };
let server: Server;
let port: number;
let cutOff = 0;

beforeAll(async () => {
  server = createServer(limitedServerOptions(limits), (request, response) => {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    if (limiter.refuse(request, response, path, () => cutOff++)) return;
    readBody(request).then(
      (body) => response.end(JSON.stringify({ received: body.length })),
      () => undefined,
    );
  });
  const limiter = limitRequests(server, limits);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const post = (path: string, headers: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\n${headers}\r\n`;

describe('limitRequests', () => {
  it('lets a request within the limits through', async () => {
    const { status, body } = await rawExchange(port, [post('/a', 'Content-Length: 3\r\n'), 'abc'], 500);
    expect(status).toBe(200);
    expect(JSON.parse(body ?? '')).toEqual({ received: 3 });
  });

  it('cuts a request that has not arrived within the timeout with a JSON 408, and closes it', async () => {
    const answer = await rawExchange(port, [post('/cs6650/a', 'Content-Length: 9\r\n'), 'abc'], 3_000);
    expect(answer).toMatchObject({ status: 408, closed: true });
    expect(JSON.parse(answer.body ?? '')).toEqual({
      msg: 'Request Timeout: the request did not arrive within 1 s',
    });
    expect(answer.elapsedMs).toBeLessThan(2_500);
  });

  it('refuses a chunked body once past the limit with a JSON 413, cutting off whoever was reading it', async () => {
    const before = cutOff;
    const chunk = `200\r\n${'x'.repeat(0x200)}\r\n`;
    const answer = await rawExchange(
      port,
      [post('/a', 'Transfer-Encoding: chunked\r\n'), chunk, chunk, chunk],
      2_000,
    );
    expect(answer).toMatchObject({ status: 413, closed: true });
    expect(JSON.parse(answer.body ?? '')).toEqual({ message: 'Request Entity Too Large' });
    expect(cutOff).toBe(before + 1);
  });

  it("answers what Node's parser refuses in JSON: the path's dialect where the request line was read", async () => {
    const course = await rawExchange(port, [post('/cs6650/a', 'Bad Header\r\n')], 2_000);
    expect(course.status).toBe(400);
    expect(JSON.parse(course.body ?? '')).toEqual({
      msg: expect.stringMatching(/^Bad Request: Parse Error/),
    });
    const unreadable = await rawExchange(port, ['\u0016\u0003\u0001 hello\r\n\r\n'], 2_000);
    expect(unreadable.status).toBe(400);
    expect(JSON.parse(unreadable.body ?? '')).toEqual({ message: expect.stringMatching(/^Bad Request/) });
  });
});
