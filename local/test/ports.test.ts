import { createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { freePort } from '../ports.js';

const listenOn = (port: number) =>
  new Promise<() => Promise<void>>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve(() => new Promise<void>((closed) => server.close(() => closed()))),
    );
  });

describe('freePort', () => {
  it('picks ports below the ranges the kernel hands out for listen(0), which a service can then bind', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, freePort));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(32_000);
    }
    const close = await listenOn(ports[0] as number);
    await close();
  });

  it('never picks a port something is listening on', async () => {
    const taken = await freePort();
    const close = await listenOn(taken);
    // The first port it tries is the taken one.
    const random = vi.spyOn(Math, 'random').mockReturnValueOnce((taken - 20_000 + 0.5) / 12_000);
    try {
      const picked = await freePort();
      expect(random).toHaveBeenCalledTimes(2);
      expect(picked).not.toBe(taken);
    } finally {
      random.mockRestore();
      await close();
    }
  });
});
