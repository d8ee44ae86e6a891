import { connect, createServer, type Socket } from 'node:net';

export interface TcpLink {
  port: number;
  /** Drops every open connection and refuses new ones, as if the service behind had gone away. */
  cut(): void;
  /**
   * Stops passing data either way and holds new connections unanswered, as if the service behind had
   * stalled: callers wait rather than fail.
   */
  freeze(): void;
  /** Lets connections through again; what was held while frozen carries on. */
  restore(): void;
  close(): Promise<void>;
}

/**
 * A TCP pass-through to a local service that can be cut, frozen and restored on demand: how tests take a
 * dependency away from the functions mid-run without losing what the service holds.
 */
export async function startTcpLink(options: { targetPort: number; host?: string }): Promise<TcpLink> {
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const held: Socket[] = [];
  let state: 'open' | 'cut' | 'frozen' = 'open';

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // the other side is destroyed along with it
  };
  const join = (client: Socket) => {
    const upstream = connect(options.targetPort, host);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };

  const server = createServer((client) => {
    if (state === 'cut') {
      client.destroy();
      return;
    }
    track(client);
    if (state === 'frozen') held.push(client);
    else join(client);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('TCP link did not bind');
  return {
    port: address.port,
    cut() {
      state = 'cut';
      held.length = 0;
      for (const socket of sockets) socket.destroy();
    },
    freeze() {
      state = 'frozen';
      for (const socket of sockets) socket.pause();
    },
    restore() {
      state = 'open';
      for (const socket of sockets) socket.resume();
      for (const client of held.splice(0)) if (!client.destroyed) join(client);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
