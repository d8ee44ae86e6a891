/**
 * `npm run bench:reviews`: a sustained run of reviews through the whole local stack. Prints accepted
 * reviews/s at the API, applied reviews/s at the queue consumer, the queue depth over time, and how many
 * SQL statements the consumer ran per batch.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Pool } from 'undici';
import { localUserToken } from '../auth/local-user-token.js';
import { startLocalStack } from '../stack.js';

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 20);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const albumCount = 20;

const logs: string[] = [];
const stack = await startLocalStack({ ephemeral: true, log: (line) => logs.push(line) });
const sqs = new SQSClient({
  endpoint: stack.sqsUrl,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const api = new Pool(stack.apiUrl, { connections });
const signedIn = { authorization: `Bearer ${await localUserToken(stack.auth.issuer, 'bench')}` };

async function call(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await api.request({
    method,
    path,
    headers: body ? { 'content-type': 'application/json', ...signedIn } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.statusCode, json: await response.body.json() };
}

async function queueDepth(): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.queueUrls.ReviewsQueue,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

async function appliedTotal(albums: string[]): Promise<number> {
  let total = 0;
  for (const albumId of albums) {
    const { json } = await call('GET', `/albums/${albumId}/reviews`);
    const counts = json as { likes: number; dislikes: number };
    total += counts.likes + counts.dislikes;
  }
  return total;
}

try {
  const albums: string[] = [];
  for (let i = 0; i < albumCount; i++) {
    const { json } = await call('POST', '/albums', { artist: 'Bench', title: `Reviews ${i}`, year: 2020 });
    albums.push((json as { albumId: string }).albumId);
  }

  const depth: Array<[number, number]> = [];
  const start = Date.now();
  const sampler = setInterval(
    async () => depth.push([Math.round((Date.now() - start) / 1000), await queueDepth()]),
    1000,
  );
  let accepted = 0;
  let refused = 0;
  const sendUntil = start + durationSeconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, worker) => {
      for (let i = worker; Date.now() < sendUntil; i += connections) {
        // Anonymous reviews, as the course contract takes them, each counted: a signed-in user has one vote
        // per album, so votes would measure the same queue and consumer but not add up.
        const { status } = await call(
          'POST',
          `/cs6650/review/${i % 4 ? 'like' : 'dislike'}/${albums[i % albumCount]}`,
        );
        if (status === 201) accepted++;
        else refused++;
      }
    }),
  );
  const sentSeconds = (Date.now() - start) / 1000;
  while ((await appliedTotal(albums)) < accepted) await new Promise((resolve) => setTimeout(resolve, 250));
  const appliedSeconds = (Date.now() - start) / 1000;
  clearInterval(sampler);

  const batches = logs.filter((line) => line.includes('"message":"Applied review batch"'));
  const received = batches.reduce((sum, line) => sum + Number(/"received":(\d+)/.exec(line)?.[1] ?? 0), 0);
  console.log(`\n${connections} connections, ${durationSeconds} s of reviews, ${albumCount} albums`);
  console.log(
    `accepted at the API     ${accepted} (${refused} refused) = ${(accepted / sentSeconds).toFixed(0)} reviews/s`,
  );
  console.log(
    `applied by the consumer ${accepted} in ${appliedSeconds.toFixed(1)} s = ${(accepted / appliedSeconds).toFixed(0)} reviews/s`,
  );
  console.log(
    `consumer batches        ${batches.length}, ${(received / Math.max(1, batches.length)).toFixed(1)} messages each, 1 SQL statement each`,
  );
  console.log(
    `queue depth by second   ${depth.map(([second, messages]) => `${second}s:${messages}`).join(' ')}`,
  );
} finally {
  await api.close();
  sqs.destroy();
  await stack.stop();
}
