import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_CREDENTIALS } from '@album-service/local/credentials';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonAs } from '../support/auth.js';
import { coverJudged, shownCoverBytes, type Upload, uploadCover } from '../support/covers.js';
import { png } from '../support/images.js';
import { eventually, startTestStack, type TestStack } from '../support/stack.js';

// A bucket notification lives only in memory until the verifier has it (on AWS too, once Lambda's retries
// are spent): a crash between S3's 204 and its delivery loses it. The sweeper must judge the upload anyway.
const SWEEP_EVERY_MS = 1_000;
const PENDING_FOR_SECONDS = 2;
/** The stack after the restart: it sweeps every second, and its functions' Data API traffic can be cut. */
const SWEEPING = {
  interruptibleDatabase: true,
  coverSweep: { everyMs: SWEEP_EVERY_MS, afterSeconds: PENDING_FOR_SECONDS },
};

let stack: TestStack | undefined;
/** The restarted stack of the first test, which the second goes on with rather than starting another. */
let sweeping: TestStack | undefined;
let dataDir: string | undefined;

afterAll(async () => {
  await stack?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a cover upload whose verification never happened', () => {
  it('is judged after a restart that lost its notification, within the sweep period', {
    timeout: 300_000,
  }, async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cover-sweep-'));
    // First run: S3 takes the upload, and its notification is lost; no sweep happens before the crash.
    stack = await startTestStack({
      dataDir,
      withoutBucketNotifications: true,
      coverSweep: { everyMs: 3_600_000, afterSeconds: PENDING_FOR_SECONDS },
    });
    const created = await fetch(`${stack.apiUrl}/albums`, {
      method: 'POST',
      headers: await jsonAs(stack, 'owner'),
      body: JSON.stringify({ artist: 'Lost', title: 'Notification', year: 2003 }),
    });
    expect(created.status).toBe(201);
    const { albumId, upload } = (await created.json()) as { albumId: string; upload: Upload };
    const image = png(20, 20);
    expect((await uploadCover(upload, image)).status).toBe(204);
    // Long enough for a notification to have been judged, had one been delivered.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const before = (await (await fetch(`${stack.apiUrl}/albums/${albumId}`)).json()) as {
      cover: { status: string; upload?: unknown };
    };
    expect(before.cover).toEqual({ status: 'pending' });
    await stack.stop();

    // After the restart nothing will notify the verifier again; only the sweeper can judge the upload.
    stack = sweeping = await startTestStack({ dataDir, ...SWEEPING });
    // Within a few sweeps of the restart; the first sweep also loads the functions, slow on a busy machine.
    const album = await coverJudged(stack.apiUrl, albumId, upload.key, 30_000);
    expect(album.cover).toMatchObject({ status: 'ready', width: 20, height: 20 });
    expect(await shownCoverBytes(album)).toEqual(image);
  });

  it('goes to the on-failure queue when every attempt fails, and is judged by a sweep once the cause is gone', {
    timeout: 300_000,
  }, async () => {
    if (!sweeping) {
      await stack?.stop();
      stack = sweeping = await startTestStack(SWEEPING);
    }
    const running = sweeping;
    const created = await fetch(`${running.apiUrl}/albums`, {
      method: 'POST',
      headers: await jsonAs(running, 'owner'),
      body: JSON.stringify({ artist: 'Failed', title: 'Three Times', year: 2004 }),
    });
    expect(created.status).toBe(201);
    const { albumId, upload } = (await created.json()) as { albumId: string; upload: Upload };
    running.databaseLink?.cut();
    const image = png(24, 24);
    expect((await uploadCover(upload, image)).status).toBe(204);

    // The verifier cannot record its verdict: its invocation fails, is retried twice, then sent on.
    const sqs = new SQSClient({
      endpoint: running.sqsUrl,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    const failed = await eventually(
      async () => {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: running.queueUrls.CoverVerificationFailuresQueue,
            WaitTimeSeconds: 1,
          }),
        );
        return Messages[0];
      },
      60_000,
      'the failed invocation to reach the on-failure queue',
    );
    sqs.destroy();
    const record = JSON.parse(failed.Body ?? '{}');
    expect(record.requestContext).toMatchObject({ condition: 'RetriesExhausted', approximateInvokeCount: 3 });
    expect(record.requestPayload.Records[0].s3.object.key).toBe(upload.key);

    running.databaseLink?.restore();
    const album = await coverJudged(running.apiUrl, albumId, upload.key, 30_000);
    expect(album.cover).toMatchObject({ status: 'ready', width: 24, height: 24 });
    expect(await shownCoverBytes(album)).toEqual(image);
  });
});
