import type { Logger } from '@aws-lambda-powertools/logger';
import type { CoverUploads } from './uploads.js';
import type { CoverVerifier } from './verification.js';

/** What one sweep did with the uploads it found pending. */
export interface SweepResult {
  /** Judged now: their object had arrived but no notification had judged it. */
  judged: number;
  /** Forgotten: their form expired and no object ever arrived. */
  cleared: number;
  /** Left for a later sweep: the form is still valid, or judging failed. */
  waiting: number;
}

/** Uploads looked at per sweep: each may mean reading and decoding a whole cover. */
const SWEEP_BATCH = 25;
/** An upload the form allowed may finish a little after the form expires. */
const UPLOAD_GRACE_MS = 60_000;

/**
 * The sweeper: judges, through the same verifier as a bucket notification, every upload still pending
 * `pendingForMs` after its form was issued, so an upload whose notification was lost (a crash before
 * delivery, an invocation that kept failing) is judged within a sweep period; an upload whose form expired
 * with nothing uploaded is forgotten. Safe alongside the notification: whichever judges first records the
 * verdict, and the other finds the upload judged.
 *
 * @example
 * const sweep = createCoverSweeper({ uploads, verify, pendingForMs: 180_000, log: logger });
 * const { judged, cleared } = await sweep();
 */
export function createCoverSweeper(deps: {
  uploads: Pick<CoverUploads, 'pending' | 'drop'>;
  verify: CoverVerifier;
  pendingForMs: number;
  log: Pick<Logger, 'info' | 'warn'>;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());
  return async function sweep(): Promise<SweepResult> {
    const result: SweepResult = { judged: 0, cleared: 0, waiting: 0 };
    const started = now();
    const pending = await deps.uploads.pending(new Date(started.getTime() - deps.pendingForMs), SWEEP_BATCH);
    for (const upload of pending) {
      try {
        const outcome = await deps.verify(upload.key);
        if (outcome !== 'stale') {
          result.judged += 1;
          deps.log.info('Pending cover judged by the sweeper', { key: upload.key, outcome });
        } else if (upload.expiresAt.getTime() + UPLOAD_GRACE_MS < now().getTime()) {
          await deps.uploads.drop(upload.key);
          result.cleared += 1;
        } else {
          result.waiting += 1;
        }
      } catch (error) {
        // The next sweep tries again; one failure does not hold up the others.
        deps.log.warn('Sweeping a pending cover failed', { key: upload.key, error });
        result.waiting += 1;
      }
    }
    return result;
  };
}
