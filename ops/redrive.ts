/**
 * `npm run redrive`: moves the reviews that reached the dead-letter queue back to the reviews queue, where
 * the consumer applies them, each review id once.
 *
 * Without options it works on the running local stack (`npm start`), found as `npm run invoke` finds it,
 * through the endpoints it publishes (SQS_ENDPOINT wins when set), and on the queues serverless.yml names in
 * `params.local`. The emulator has no message move tasks, so the messages are received, sent and deleted here.
 *
 * `--stage <name>` works on that deployed stage with the caller's AWS credentials (`--region` if not the
 * default one), through an SQS message move task. The reviews queue is the stage's stack output
 * ReviewsQueueUrl, or REVIEWS_QUEUE_URL when set; its dead-letter queue is the one its redrive policy names.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { LOCAL_CREDENTIALS } from '@album-service/local/credentials';
import { localDataDir, readEndpoints } from '@album-service/local/endpoints';
import { localName, readServerlessConfig, serverlessBin } from '@album-service/local/serverless-config';
import { localQueueArn, localQueueUrl } from '@album-service/local/sqs';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  RedriveIncompleteError,
  type RedriveResult,
  redriveDeadLetters,
  redriveQueues,
} from './dead-letters.js';

const projectRoot = resolve(import.meta.dirname, '..');

const USAGE = `usage: npm run redrive [-- --stage <name> [--region <region>]]
  Moves the reviews in the dead-letter queue back to the reviews queue.
  without --stage   the running local stack (npm start; LOCAL_DATA_DIR if you gave it one)
  --stage <name>    that deployed stage, with your AWS credentials
  --region <name>   the stage's region (default: your AWS configuration's)`;

let options: { stage?: string; region?: string; help?: boolean };
try {
  options = parseArgs({
    options: { stage: { type: 'string' }, region: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  }).values;
} catch (error) {
  console.error(`${(error as Error).message}; npm run redrive -- --help shows the usage`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

try {
  const result = options.stage ? await redriveStage(options.stage, options.region) : await redriveLocal();
  console.log(`Moved ${result.moved} messages from ${result.from} back to ${result.to}`);
} catch (error) {
  console.error(`Redrive failed: ${describe(error)}`);
  process.exit(1);
}

interface Redriven extends RedriveResult {
  from: string;
  to: string;
}

async function redriveLocal(): Promise<Redriven> {
  const endpoint = process.env.SQS_ENDPOINT || (await readEndpoints(localDataDir(process.env))).sqsUrl;
  const config = await readServerlessConfig(projectRoot, process.env);
  const queue = (logicalId: string) => {
    const name = localName(config, logicalId);
    return { url: localQueueUrl(endpoint, name), arn: localQueueArn(name) };
  };
  const sqs = new SQSClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
  try {
    return await redriveNamed({
      sqs,
      deadLetterQueue: queue('ReviewsDeadLetterQueue'),
      sourceQueue: queue('ReviewsQueue'),
      method: 'receive-send-delete',
    });
  } finally {
    sqs.destroy();
  }
}

async function redriveStage(stage: string, region: string | undefined): Promise<Redriven> {
  const sourceQueueUrl = process.env.REVIEWS_QUEUE_URL || (await deployedReviewsQueueUrl(stage, region));
  const sqs = new SQSClient({ region });
  try {
    return await redriveNamed({
      sqs,
      ...(await redriveQueues(sqs, sourceQueueUrl)),
      method: 'message-move-task',
    });
  } finally {
    sqs.destroy();
  }
}

async function redriveNamed(options: Parameters<typeof redriveDeadLetters>[0]): Promise<Redriven> {
  const queueName = (arn: string) => arn.split(':').at(-1) ?? arn;
  const result = await redriveDeadLetters(options);
  return { ...result, from: queueName(options.deadLetterQueue.arn), to: queueName(options.sourceQueue.arn) };
}

/** The stage's stack output ReviewsQueueUrl, as `serverless info --verbose` lists the stack outputs. */
async function deployedReviewsQueueUrl(stage: string, region: string | undefined): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [serverlessBin, 'info', '--stage', stage, '--verbose', ...(region ? ['--region', region] : [])],
    { cwd: projectRoot, env: process.env },
  );
  const url = /^\s*ReviewsQueueUrl: (\S+)\s*$/m.exec(stdout)?.[1];
  if (!url) throw new Error(`the stack of stage ${stage} has no ReviewsQueueUrl output`);
  return url;
}

/** One line saying why: SDK and network errors can span several. */
function describe(error: unknown): string {
  if (error instanceof RedriveIncompleteError) return `${error.message} (${error.moved} moved)`;
  const text = error instanceof Error ? error.message || error.name : String(error);
  return text.split('\n')[0] ?? text;
}
