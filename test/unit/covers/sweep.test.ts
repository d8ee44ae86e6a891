import { describe, expect, it } from 'vitest';
import { createCoverSweeper } from '../../../lib/covers/sweep.js';
import type { PendingCoverUpload } from '../../../lib/covers/uploads.js';
import type { CoverVerifier, VerificationOutcome } from '../../../lib/covers/verification.js';

// The clock is the one thing the stack cannot move on demand: whether a form has expired is tested here,
// a lost notification judged after a crash in test/api/cover-sweep.test.ts.
const NOW = new Date('2026-12-02T10:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
const silent = { info: () => undefined, warn: () => undefined };

function pending(key: string, issuedMinutesAgo: number, formMinutes = 5): PendingCoverUpload {
  return {
    albumId: 'a',
    key,
    issuedAt: minutesAgo(issuedMinutesAgo),
    expiresAt: minutesAgo(issuedMinutesAgo - formMinutes),
  };
}

function sweeperOver(
  pendingUploads: PendingCoverUpload[],
  outcomes: Record<string, VerificationOutcome | Error>,
) {
  const asked: Date[] = [];
  const dropped: string[] = [];
  const verified: string[] = [];
  const uploads = {
    pending: async (issuedBefore: Date) => {
      asked.push(issuedBefore);
      return pendingUploads.filter((upload) => upload.issuedAt < issuedBefore);
    },
    drop: async (key: string) => {
      dropped.push(key);
    },
  };
  const verify: CoverVerifier = async (key, eventETag) => {
    expect(eventETag).toBeUndefined(); // whatever object is there is judged
    verified.push(key);
    const outcome = outcomes[key] ?? 'stale';
    if (outcome instanceof Error) throw outcome;
    return outcome;
  };
  const sweep = createCoverSweeper({
    uploads,
    verify,
    pendingForMs: 3 * 60_000,
    log: silent,
    now: () => NOW,
  });
  return { sweep, asked, dropped, verified };
}

describe('the cover sweeper', () => {
  it('judges uploads pending longer than the sweep delay through the verifier', async () => {
    const { sweep, asked, verified } = sweeperOver([pending('covers/a/1', 4), pending('covers/a/2', 1)], {
      'covers/a/1': 'ready',
    });
    expect(await sweep()).toEqual({ judged: 1, cleared: 0, waiting: 0 });
    expect(asked).toEqual([minutesAgo(3)]);
    expect(verified).toEqual(['covers/a/1']);
  });

  it('forgets an upload whose form expired with nothing uploaded, and waits for one still valid', async () => {
    const { sweep, dropped } = sweeperOver(
      [pending('covers/a/expired', 10), pending('covers/a/valid', 4), pending('covers/a/just-expired', 5.5)],
      {},
    );
    // The form of `just-expired` ran out 30 s ago: an upload it allowed may still be finishing.
    expect(await sweep()).toEqual({ judged: 0, cleared: 1, waiting: 2 });
    expect(dropped).toEqual(['covers/a/expired']);
  });

  it('goes on past an upload it could not judge, leaving it for the next sweep', async () => {
    const { sweep, verified, dropped } = sweeperOver([pending('covers/a/1', 9), pending('covers/a/2', 8)], {
      'covers/a/1': new Error('S3 is unavailable'),
      'covers/a/2': 'rejected',
    });
    expect(await sweep()).toEqual({ judged: 1, cleared: 0, waiting: 1 });
    expect(verified).toEqual(['covers/a/1', 'covers/a/2']);
    expect(dropped).toEqual([]);
  });
});
