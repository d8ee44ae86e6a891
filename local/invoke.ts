import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { parse } from 'yaml';
import { type LocalEndpoints, localDataDir, readEndpoints } from './endpoints.js';

/**
 * `npm run invoke -- <function> [event.json]`: invokes one function of the running local stack with an
 * event, as `sam local invoke` does, on whatever ports the stack runs, through its serverless-offline (the
 * functions as npm start built them). Prints what the function returned; exits 1 when it failed or answered
 * 5xx, 2 on a command line it cannot run.
 */

class UsageError extends Error {}

interface Invocation {
  functionName: string;
  eventPath: string;
}

/** The service's name and its functions, as serverless.yml declares them. */
interface Manifest {
  service: string;
  functions: string[];
}

async function readManifest(): Promise<Manifest> {
  const text = await readFile(resolve(import.meta.dirname, '..', 'serverless.yml'), 'utf8');
  // Its CloudFormation tags (!GetAtt, !Ref) are not YAML's own; only the names are read here.
  const manifest = parse(text, { logLevel: 'error' }) as { service: string; functions: object };
  return { service: manifest.service, functions: Object.keys(manifest.functions) };
}

function parseArguments(args: string[], manifest: Manifest): Invocation {
  const [functionName, eventPath, ...extra] = args;
  if (!functionName || functionName.startsWith('-') || extra.length > 0) {
    throw new UsageError('usage: npm run invoke -- <function> [event.json] (default events/<function>.json)');
  }
  if (!manifest.functions.includes(functionName)) {
    throw new UsageError(`no function ${functionName}; the functions are ${manifest.functions.join(', ')}`);
  }
  return { functionName, eventPath: eventPath ?? `events/${functionName}.json` };
}

/** The event file's text, checked to be JSON here: the emulator answers a malformed one with a bare 500. */
async function readEvent(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read the event file ${path}`);
  }
  try {
    JSON.parse(text);
  } catch (error) {
    throw new UsageError(`the event file ${path} is not JSON: ${(error as SyntaxError).message}`);
  }
  return text;
}

/** Whether the function failed: it threw, or it answered as an HTTP API with a 5xx. */
function failed(functionError: string | undefined, result: unknown): boolean {
  if (functionError) return true;
  const status = (result as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && status >= 500;
}

async function invoke(endpoints: LocalEndpoints, deployedName: string, event: string): Promise<boolean> {
  const lambda = new LambdaClient({
    endpoint: endpoints.lambdaUrl,
    region: endpoints.environment.AWS_REGION ?? 'us-east-1',
    credentials: {
      accessKeyId: endpoints.environment.AWS_ACCESS_KEY_ID ?? '',
      secretAccessKey: endpoints.environment.AWS_SECRET_ACCESS_KEY ?? '',
    },
  });
  try {
    const output = await lambda.send(new InvokeCommand({ FunctionName: deployedName, Payload: event }));
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
    const manifest = await readManifest();
    const { functionName, eventPath } = parseArguments(process.argv.slice(2), manifest);
    const event = await readEvent(eventPath);
    const endpoints = await readEndpoints(localDataDir(process.env));
    // The name the stack knows the function by, as deployed: `<service>-local-<function>`.
    return (await invoke(endpoints, `${manifest.service}-local-${functionName}`, event)) ? 0 : 1;
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
