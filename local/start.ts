import { startLocalStack } from './stack.js';

/** `npm start`: the whole service on this machine until Ctrl-C. */
const startedAt = performance.now();
const verbose = process.env.VERBOSE === '1';
let stopping = false;

async function stopAndExit(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await stack.stop();
  }
  process.exit(code);
}

const stack = await startLocalStack({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: process.env.LOCAL_DATA_DIR,
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

console.log(`
Album service is ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s
  API           ${stack.apiUrl}
  API docs      ${stack.apiUrl}/docs
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

// npm and tsx run this under wrappers; if one of them is killed outright, this process is handed to another
// parent. Stop then rather than run on unseen, holding the ports.
const parentAtStart = process.ppid;
setInterval(() => {
  if (process.ppid !== parentAtStart) void stopAndExit(1);
}, 1_000).unref();
