import type { S3Event } from 'aws-lambda';
import type { ObjectStore } from './object-store.js';

export interface S3EventSourceOptions {
  store: ObjectStore;
  bucket: string;
  prefix?: string;
  invoke: (event: S3Event) => Promise<unknown>;
  /** Where an event goes once every attempt failed, as Lambda's on-failure destination; else it is dropped. */
  onFailure?: (event: S3Event, error: unknown, attempts: number) => Promise<void>;
  log?: (line: string) => void;
}

/** Lambda retries an asynchronous invocation that failed twice more. */
const RETRIES = 2;
const RETRY_DELAY_MS = 1_000;

/**
 * Delivers a bucket's object-created notifications to a function as S3 does: one record per event,
 * invoked asynchronously, retried twice on failure, then handed to `onFailure` (the function's on-failure
 * destination) or dropped; never holding up the upload that caused it.
 *
 * @example
 * const source = startS3EventSource({ store, bucket: 'album-covers-local', prefix: 'covers/', invoke });
 */
export function startS3EventSource(options: S3EventSourceOptions): { stop(): Promise<void> } {
  const log = options.log ?? (() => undefined);
  const pending = new Set<Promise<void>>();
  let stopped = false;

  const deliver = async (event: S3Event) => {
    let lastError: unknown;
    for (let attempt = 1; attempt <= RETRIES + 1; attempt++) {
      try {
        await options.invoke(event);
        return;
      } catch (error) {
        lastError = error;
        log(`S3 event source: invocation failed (attempt ${attempt}): ${error}`);
      }
      if (stopped) return; // as a crash would: the event is lost
      if (attempt <= RETRIES) await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
    }
    await options.onFailure?.(event, lastError, RETRIES + 1).catch((error: unknown) => {
      log(`S3 event source: the on-failure destination refused the event: ${error}`);
    });
  };

  const unsubscribe = options.store.onObjectCreated((record) => {
    if (stopped || record.s3.bucket.name !== options.bucket) return;
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
    if (!key.startsWith(options.prefix ?? '')) return;
    const delivery = deliver({ Records: [record] });
    pending.add(delivery);
    void delivery.finally(() => pending.delete(delivery));
  });

  return {
    async stop() {
      stopped = true;
      unsubscribe();
      await Promise.all(pending);
    },
  };
}
