import { startLocalStack } from './stack.js';

/** `npm start`: the whole service on this machine until Ctrl-C. */
const startedAt = performance.now();
const verbose = process.env.VERBOSE === '1';
const stack = await startLocalStack({
  databaseUrl: process.env.DATABASE_URL,
  dataDir: process.env.LOCAL_DATA_DIR,
  log: (line) => {
    // serverless-offline logs every request; that is the useful part of its output.
    if (verbose || /λ:|Error|error|Migrations|migrations|schema/.test(line)) console.log(line);
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

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await stack.stop();
    process.exit(0);
  });
}
