import type { AddressInfo } from 'node:net';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { requestBytes, WirePool } from '../wire.js';

const servers: Server[] = [];
afterAll(() => {
  for (const server of servers) server.close();
});

/** A TCP server that answers each request (one per `\r\n\r\n`) with the given pieces, sent apart. */
async function rawServer(
  answer: (index: number) => string[],
): Promise<{ origin: string; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  let index = 0;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', async (data) => {
      for (let n = data.toString('latin1').split('\r\n\r\n').length - 1; n > 0; n--) {
        for (const piece of answer(index++)) {
          socket.write(piece);
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

const get = (origin: string) => requestBytes(new URL(`${origin}/x`), 'GET', {});

describe('the wire pool', () => {
  it('reads bodies framed by length or chunks, split anyhow across packets, over one kept-alive connection', async () => {
    const { origin, sockets } = await rawServer((index) =>
      index % 2 === 0
        ? ['HTTP/1.1 200 OK\r\nContent-Len', 'gth: 11\r\n\r\n{"ok":', 'true}']
        : [
            'HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n{"ok":\r\n',
            '5\r\ntrue}\r\n0\r\n\r\n',
          ],
    );
    const pool = new WirePool(origin, { connections: 1, timeoutMs: 2000 });
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await pool.send(get(origin)));
    pool.close();
    expect(answers.map((a) => [a.status, a.body])).toEqual([
      [200, '{"ok":true}'],
      [201, '{"ok":true}'],
      [200, '{"ok":true}'],
      [201, '{"ok":true}'],
    ]);
    expect(sockets.size).toBe(1);
  });

  it('reconnects after an answer that closes the connection', async () => {
    const { origin, sockets } = await rawServer(() => [
      'HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n',
    ]);
    const pool = new WirePool(origin, { connections: 1, timeoutMs: 2000 });
    expect((await pool.send(get(origin))).status).toBe(204);
    expect((await pool.send(get(origin))).status).toBe(204);
    pool.close();
    expect(sockets.size).toBe(2);
  });

  it('reads a body without a length up to the close, as HTTP/1.0 sends it', async () => {
    const { origin, sockets } = await rawServer(() => ['HTTP/1.0 200 OK\r\n\r\nuntil the end']);
    const pool = new WirePool(origin, { connections: 1, timeoutMs: 2000 });
    const answer = pool.send(get(origin));
    setTimeout(() => {
      for (const socket of sockets) socket.end();
    }, 50);
    expect((await answer).body).toBe('until the end');
    pool.close();
  });

  it('queues requests beyond its connections, one in flight on each', async () => {
    const { origin, sockets } = await rawServer(() => ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok']);
    const pool = new WirePool(origin, { connections: 3, timeoutMs: 2000 });
    const answers = await Promise.all(Array.from({ length: 12 }, () => pool.send(get(origin))));
    pool.close();
    expect(answers.every((a) => a.status === 200 && a.body === 'ok')).toBe(true);
    expect(sockets.size).toBe(3);
  });

  it('writes the request line, host, headers and a POST body with its length', () => {
    const bytes = requestBytes(
      new URL('http://127.0.0.1:3000/albums?x=1'),
      'POST',
      { 'content-type': 'application/json' },
      '{}',
    );
    expect(bytes.toString()).toBe(
      'POST /albums?x=1 HTTP/1.1\r\nhost: 127.0.0.1:3000\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}',
    );
  });
});
