import { createServer } from 'node:net';

/**
 * Where {@link freePort} looks: below the ephemeral ranges the kernels hand out for `listen(0)` (Linux from
 * 32768, macOS and Windows from 49152), so a server elsewhere on the machine asking for any free port is not
 * given one a stack has picked and not yet bound.
 */
const PICKED_PORTS = { from: 20_000, to: 32_000 };
const ATTEMPTS = 50;

/** A TCP port that was free a moment ago on 127.0.0.1, for services that must be told their port up front. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = PICKED_PORTS.from + Math.floor(Math.random() * (PICKED_PORTS.to - PICKED_PORTS.from));
    if (await isFree(port)) return port;
  }
  throw new Error(
    `No free port found in ${ATTEMPTS} tries between ${PICKED_PORTS.from} and ${PICKED_PORTS.to}`,
  );
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
