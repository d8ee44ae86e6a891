import { localUserToken } from './auth/local-user-token.js';
import { localDataDir, readEndpoints } from './endpoints.js';

/**
 * `npm run token -- <user>`: prints a bearer token for a named local user, from the OpenID provider of the
 * running local stack (on whatever port it runs), for curl and the load client. Any name signs in; each
 * name is always the same user (the same `sub`). Exits 1 when the stack cannot give one, 2 on a command line
 * it cannot run.
 */

class UsageError extends Error {}

function parseArguments(args: string[]): string {
  const [user, ...extra] = args;
  if (!user || user.startsWith('-') || extra.length > 0)
    throw new UsageError('usage: npm run token -- <user>');
  return user;
}

async function main(): Promise<number> {
  try {
    const user = parseArguments(process.argv.slice(2));
    const { auth } = await readEndpoints(localDataDir(process.env));
    console.log(await localUserToken(auth, user));
    return 0;
  } catch (error) {
    const { cause } = error as { cause?: NodeJS.ErrnoException };
    if (cause?.code === 'ECONNREFUSED') {
      console.error('the local stack does not answer (connection refused): start it with npm start');
    } else console.error(error instanceof Error ? error.message : String(error));
    return error instanceof UsageError ? 2 : 1;
  }
}

process.exitCode = await main();
