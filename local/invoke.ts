import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { localUserToken } from './auth/local-user-token.js';
import { type LocalEndpoints, localDataDir, readEndpoints } from './endpoints.js';

/**
 * `npm run invoke -- <function> [event.json]`: invokes one function of the running local stack with an
 * event, as `sam local invoke` does, on whatever ports the stack runs. Prints what the function returned;
 * exits 1 when it failed or answered 5xx, 2 on a command line it cannot run.
 */

/** The album id the sample events in events/ name; each invocation puts a newly created album in its place. */
const SAMPLE_ALBUM_ID = '00000000-0000-4000-8000-000000000000';
/** The local user the sample events' claims name (requestContext.authorizer.jwt.claims): the sample album's owner. */
const SAMPLE_USER = 'sample-user';

class UsageError extends Error {}

interface Invocation {
  functionName: string;
  eventPath: string;
}

function parseArguments(args: string[]): Invocation {
  const [functionName, eventPath, ...extra] = args;
  if (!functionName || functionName.startsWith('-') || extra.length > 0) {
    throw new UsageError('usage: npm run invoke -- <function> [event.json] (default events/<function>.json)');
  }
  return { functionName, eventPath: eventPath ?? `events/${functionName}.json` };
}

async function readEvent(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read the event file ${path}`);
  }
}

/** Creates an album through the API as the sample events' user, for events that name the sample album. */
async function createSampleAlbum(endpoints: LocalEndpoints): Promise<string> {
  const token = await localUserToken(endpoints.auth, SAMPLE_USER);
  const response = await fetch(`${endpoints.apiUrl}/albums`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ artist: 'Sample Artist', title: 'Sample Album', year: 2000 }),
  });
  if (response.status !== 201) throw new Error(`creating the sample album answered ${response.status}`);
  return ((await response.json()) as { albumId: string }).albumId;
}

/** The event with a new album in place of the sample album, so it names one the stack has. */
async function withSampleAlbum(event: string, endpoints: LocalEndpoints): Promise<string> {
  if (!event.includes(SAMPLE_ALBUM_ID)) return event;
  const albumId = await createSampleAlbum(endpoints);
  console.error(`The event names the sample album: invoking with album ${albumId}, created for it.`);
  return event.replaceAll(SAMPLE_ALBUM_ID, albumId);
}

/** Whether the function failed: it threw, or it answered as an HTTP API with a 5xx. */
function failed(functionError: string | undefined, result: unknown): boolean {
  if (functionError) return true;
  const status = (result as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 500;
}

/** The name the stack knows a function by, as deployed: `<service>-local-<function>`. */
async function deployedName(functionName: string): Promise<string> {
  const manifest = await readFile(resolve(import.meta.dirname, '..', 'serverless.yml'), 'utf8');
  const service = /^service:\s*(\S+)/m.exec(manifest)?.[1];
  return `${service}-local-${functionName}`;
}

async function invoke(endpoints: LocalEndpoints, functionName: string, event: string): Promise<boolean> {
  const lambda = new LambdaClient({
    endpoint: endpoints.lambdaUrl,
    region: endpoints.environment.AWS_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: endpoints.environment.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: endpoints.environment.AWS_SECRET_ACCESS_KEY ?? '',
    },
  });
  try {
    const output = await lambda.send(
      new InvokeCommand({ FunctionName: await deployedName(functionName), Payload: event }),
    );
    const text = output.Payload ? Buffer.from(output.Payload).toString() : '';
    const result: unknown = text ? JSON.parse(text) : undefined;
    console.log(JSON.stringify(result ?? null, null, 2)); // as Lambda shows a function that returned nothing
    return !failed(output.FunctionError, result);
  } finally {
    lambda.destroy();
  }
}

async function main(): Promise<number> {
  try {
    const { functionName, eventPath } = parseArguments(process.argv.slice(2));
    const rawEvent = await readEvent(eventPath);
    const endpoints = await readEndpoints(localDataDir(process.env));
    const event = await withSampleAlbum(rawEvent, endpoints);
    return (await invoke(endpoints, functionName, event)) ? 0 : 1;
  } catch (error) {
    console.error(explain(error));
    return error instanceof UsageError ? 2 : 1;
  }
}

/** One line for a failure; a refused connection means endpoints were published by a stack since stopped. */
function explain(error: unknown): string {
  const { code, cause } = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  if (code === 'ECONNREFUSED' || cause?.code === 'ECONNREFUSED') {
    return 'the local stack does not answer (connection refused): start it with npm start';
  }
  return error instanceof Error ? error.message : String(error);
}

process.exitCode = await main();
