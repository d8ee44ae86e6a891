import { createServer } from 'node:net';

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

/** One line saying which port is taken and which variable moves it. */
export function busyPortMessage({ variable, port }: BusyPort): string {
  return `Port ${port} is already in use: stop what holds it, or choose another with ${variable}, e.g. ${variable}=${port + 100} npm start`;
}

async function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    // The stack's servers listen on 127.0.0.1, so that is where a clash would happen.
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
