import { localDataDir, removeEndpoints, writeEndpoints } from './endpoints.js';
import { busyPortMessage, firstBusyPort, variableOfPort } from './port-variables.js';
import { type LocalStack, startLocalStack } from './stack.js';

/** `npm start`: the whole service on this machine until Ctrl-C. */
const startedAt = performance.now();
const verbose = process.env.VERBOSE === '1';
const dataDir = localDataDir(process.env);
let stopping = false;

async function stopAndExit(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await removeEndpoints(dataDir);
    await stack.stop();
  }
  process.exit(code);
}

/** Exits with one line naming the variable to change when a port is taken, instead of a stack trace. */
async function failOnBusyPort(): Promise<void> {
  const busy = await firstBusyPort(process.env);
  if (!busy) return;
  console.error(busyPortMessage(busy));
  process.exit(1);
}

/** Starts the stack; a port taken between the check and the start is reported as the check would have. */
async function start(): Promise<LocalStack> {
  try {
    return await startLocalStack({
      databaseUrl: process.env.DATABASE_URL,
      dataDir,
      // With VERBOSE=1, serverless-offline also logs every request, and everything any part says is shown.
      logRequests: verbose,
      log: (line) => {
        if (verbose || /Error|error|Migrations|migrations|schema/.test(line)) console.log(line);
      },
      onFailure: (error) => {
        console.error(`\nThe local stack cannot go on: ${error.message}. Stopping.`);
        void stopAndExit(1);
      },
    });
  } catch (error) {
    const { code, port } = error as NodeJS.ErrnoException & { port?: number };
    const variable = port === undefined ? undefined : variableOfPort(process.env, port);
    if (code !== 'EADDRINUSE' || port === undefined || !variable) throw error;
    console.error(busyPortMessage({ variable, port }));
    process.exit(1);
  }
}

await failOnBusyPort();
const stack = await start();
await writeEndpoints(dataDir, {
  apiUrl: stack.apiUrl,
  lambdaUrl: stack.lambdaUrl,
  dataApiUrl: stack.dataApiUrl,
  s3Url: stack.s3Url,
  sqsUrl: stack.sqsUrl,
  auth: stack.auth.issuer,
  environment: stack.environment,
});

console.log(`
Album service is ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s
  Web page      ${stack.apiUrl}/
  API           ${stack.apiUrl}
  API docs      ${stack.apiUrl}/docs
  Sign-in       ${stack.auth.issuer} (a token: npm run token -- <user>)
  Data API      ${stack.dataApiUrl}
  S3            ${stack.s3Url}
  SQS           ${stack.sqsUrl}
  Lambda invoke ${stack.lambdaUrl}
Press Ctrl-C to stop.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    console.log('\nStopping…');
    void stopAndExit(0);
  });
}

// npm runs this under a shell; if that is killed outright, this process is handed to another parent. Stop
// then rather than run on unseen, holding the ports.
const parentAtStart = process.ppid;
setInterval(() => {
  if (process.ppid !== parentAtStart) void stopAndExit(1);
}, 1_000).unref();
