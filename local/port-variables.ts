import { createServer } from 'node:net';
import { freePort } from './ports.js';

/** The variables that choose `npm start`'s ports, with their defaults, in the order the README lists them. */
export const PORT_VARIABLES = {
  PORT: 3000,
  LAMBDA_PORT: 3002,
  DATA_API_PORT: 4010,
  S3_PORT: 4569,
  SQS_PORT: 9324,
} as const;

export type PortVariable = keyof typeof PORT_VARIABLES;

export interface BusyPort {
  variable: PortVariable;
  port: number;
}

/** The port each variable chooses under `env` (0, a free port picked at start, included). */
export function chosenPorts(env: NodeJS.ProcessEnv): BusyPort[] {
  return (Object.keys(PORT_VARIABLES) as PortVariable[]).map((variable) => ({
    variable,
    port: Number(env[variable] ?? PORT_VARIABLES[variable]),
  }));
}

/**
 * The first chosen port something else already listens on, found before anything starts so the newcomer
 * learns which variable to change instead of reading a stack trace.
 *
 * @example
 * const busy = await firstBusyPort(process.env); // { variable: 'PORT', port: 3000 } while 3000 is taken
 */
export async function firstBusyPort(env: NodeJS.ProcessEnv): Promise<BusyPort | undefined> {
  for (const chosen of chosenPorts(env)) {
    if (chosen.port !== 0 && !(await isFree(chosen.port))) return chosen;
  }
  return undefined;
}

/** The variable that chose `port`, for a listen error that slipped past {@link firstBusyPort}. */
export function variableOfPort(env: NodeJS.ProcessEnv, port: number): PortVariable | undefined {
  return chosenPorts(env).find((chosen) => chosen.port === port)?.variable;
}

/**
 * One line saying which port is taken, which variable moves it, and a port free right now to move it to
 * (none the other variables choose under `env`).
 *
 * @example
 * await busyPortMessage({ variable: 'S3_PORT', port: 4569 }, process.env);
 * // 'Port 4569 is already in use: stop what holds it, or choose another with S3_PORT, e.g. S3_PORT=4669 npm start'
 */
export async function busyPortMessage({ variable, port }: BusyPort, env: NodeJS.ProcessEnv): Promise<string> {
  const suggestion = await freePortNear(port, new Set(chosenPorts(env).map((chosen) => chosen.port)));
  return `Port ${port} is already in use: stop what holds it, or choose another with ${variable}, e.g. ${variable}=${suggestion} npm start`;
}

/** A free port a round hundred above `port` when one is, so it reads like the default it moves; else any. */
async function freePortNear(port: number, taken: Set<number>): Promise<number> {
  for (let candidate = port + 100; candidate <= Math.min(port + 1000, 65535); candidate += 100) {
    if (!taken.has(candidate) && (await isFree(candidate))) return candidate;
  }
  return freePort();
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    // The stack's servers listen on 127.0.0.1, so that is where a clash would happen.
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
