/**
 * One cold start, in a fresh Node process started by bench/cold.ts: loads a bundle as Lambda's runtime
 * would (its init), invokes its handler once with an event, and reports the times to the parent over IPC.
 * Plain CommonJS, so nothing but the bundle is loaded.
 *
 * Arguments: <bundle path> <export name> <event file> <function name>
 */
'use strict';
const { randomUUID } = require('node:crypto');
const { readFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

const [bundlePath, exportName, eventPath, functionName] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventPath, 'utf8'));
const region = process.env.AWS_REGION;
const timeoutMs = 10_000;

/** A body is reported only to tell what went wrong, or what a setup invocation created. */
const REPORTED_BODY_CHARS = 2_000;

const report = (message) => process.send(message, () => process.exit(0));

async function main() {
  const initStarted = performance.now();
  const cpuBefore = process.cpuUsage();
  const handler = require(bundlePath)[exportName];
  const cpu = process.cpuUsage(cpuBefore);
  const initMs = performance.now() - initStarted;

  const deadline = Date.now() + timeoutMs;
  const context = {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'cold-start',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  const invokeStarted = performance.now();
  const result = await handler(event, context);
  const invokeMs = performance.now() - invokeStarted;
  report({
    initMs,
    // CPU time (all of the process's threads): steadier than the wall clock on a busy machine.
    initCpuMs: (cpu.user + cpu.system) / 1000,
    invokeMs,
    statusCode: result?.statusCode,
    failedItems: result?.batchItemFailures?.length,
    body: typeof result?.body === 'string' ? result.body.slice(0, REPORTED_BODY_CHARS) : undefined,
  });
}

main().catch((error) =>
  report({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
);
