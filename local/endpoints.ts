import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Where a running `npm start` can be reached: what `npm run invoke`, `npm run token` and `npm run upload-cover` read. */
export interface LocalEndpoints {
  apiUrl: string;
  lambdaUrl: string;
  dataApiUrl: string;
  s3Url: string;
  sqsUrl: string;
  /** The issuer URL of the local OpenID provider, whose token endpoint `npm run token` asks. */
  auth: string;
  /** The environment the functions run with (endpoints, ARNs, names, credentials). */
  environment: Record<string, string>;
}

/** The local stack is not running (or runs with another data folder). */
export class StackNotRunning extends Error {
  override name = 'StackNotRunning';
}

const projectRoot = resolve(import.meta.dirname, '..');
const FILE_NAME = 'endpoints.json';

/** The local data folder `npm start` uses under `env` (`LOCAL_DATA_DIR`, default `.local-data`). */
export function localDataDir(env: NodeJS.ProcessEnv): string {
  return resolve(projectRoot, env.LOCAL_DATA_DIR ?? '.local-data');
}

/**
 * Publishes the running stack's endpoints in its data folder, so tools find it on whatever ports it runs.
 *
 * @example
 * await writeEndpoints(localDataDir(process.env), { apiUrl: stack.apiUrl, ... });
 */
export async function writeEndpoints(dataDir: string, endpoints: LocalEndpoints): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  await writeFile(join(dataDir, FILE_NAME), `${JSON.stringify(endpoints, null, 2)}\n`);
}

/** Withdraws what {@link writeEndpoints} published, once the stack stops. */
export async function removeEndpoints(dataDir: string): Promise<void> {
  await rm(join(dataDir, FILE_NAME), { force: true });
}

/** The endpoints the running stack published; {@link StackNotRunning} when there are none. */
export async function readEndpoints(dataDir: string): Promise<LocalEndpoints> {
  try {
    return JSON.parse(await readFile(join(dataDir, FILE_NAME), 'utf8')) as LocalEndpoints;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new StackNotRunning(
      `the local stack is not running (no ${join(dataDir, FILE_NAME)}): start it with npm start`,
    );
  }
}
