import type { AlbumApiDialect, ReviewKind } from './dialects.js';
import { type HttpClient, type RequestSpec, timedRequest } from './http.js';
import { type Recorder, runClock } from './recorder.js';

/** What every mode shares: where to send, where to record, and when to stop early (Ctrl-C). */
export interface RunContext {
  http: HttpClient;
  recorder: Recorder;
  signal: AbortSignal;
}

// The abort listener goes when the timer fires: an open loop sleeps thousands of times on one signal.
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const wake = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal.addEventListener('abort', wake, { once: true });
  });

export type CourseScenario = 'albums' | 'reviews';

export interface CourseOptions {
  dialect: AlbumApiDialect;
  scenario: CourseScenario;
  threadGroupSize: number;
  numThreadGroups: number;
  delaySeconds: number;
  /** Iterations of each startup thread (the protocol: 10 threads × 100). */
  startupIterations: number;
  /** Iterations of each group thread (the protocol: 1000 for albums, 100 for reviews). */
  iterations: number;
  /** Threads reading review counts while the groups run (the protocol from v1.2: 3; 0 for none). */
  reviewReaders: number;
  maxRetries: number;
}

const STARTUP_THREADS = 10;

/**
 * The CS6650 load-client protocol: a startup phase, then `numThreadGroups` groups of `threadGroupSize`
 * threads started `delay` seconds apart, with review readers from the moment the first group finishes.
 */
export async function runCourse(context: RunContext, options: CourseOptions): Promise<void> {
  const { http, recorder, signal } = context;
  const { dialect, maxRetries } = options;
  const knownAlbums: string[] = [];
  let created = 0;
  const send = (type: string, spec: RequestSpec) => timedRequest(http, recorder, type, spec, { maxRetries });

  const createAlbum = async () => {
    const response = await send('POST album', dialect.createAlbum(created++));
    const albumId = response ? dialect.albumIdFrom(response.body) : undefined;
    if (albumId) knownAlbums.push(albumId);
    return albumId;
  };
  const albumsIteration = async () => {
    const albumId = await createAlbum();
    if (albumId) await send('GET album', dialect.getAlbum(albumId));
  };
  const reviewsIteration = async () => {
    const albumId = await createAlbum();
    if (!albumId) return;
    for (const kind of ['like', 'like', 'dislike'] as ReviewKind[])
      await send(`POST review`, dialect.review(albumId, kind));
  };
  const thread = async (iterations: number, iteration: () => Promise<void>) => {
    for (let i = 0; i < iterations && !signal.aborted; i++) await iteration();
  };

  await Promise.all(
    Array.from({ length: STARTUP_THREADS }, () => thread(options.startupIterations, albumsIteration)),
  );

  const groupIteration = options.scenario === 'albums' ? albumsIteration : reviewsIteration;
  const groups: Array<Promise<void>> = [];
  for (let group = 0; group < options.numThreadGroups && !signal.aborted; group++) {
    if (group > 0) await sleep(options.delaySeconds * 1000, signal);
    groups.push(
      Promise.all(
        Array.from({ length: options.threadGroupSize }, () => thread(options.iterations, groupIteration)),
      ).then(() => undefined),
    );
  }

  const allDone = Promise.all(groups);
  let finished = false;
  void allDone.then(() => (finished = true));
  const readers = (async () => {
    if (options.reviewReaders === 0 || groups.length === 0) return;
    await Promise.race(groups);
    await Promise.all(
      Array.from({ length: options.reviewReaders }, async () => {
        while (!finished && !signal.aborted && knownAlbums.length > 0) {
          const albumId = knownAlbums[Math.floor(Math.random() * knownAlbums.length)] as string;
          await send('GET review', dialect.getReviews(albumId));
        }
      }),
    );
  })();
  await Promise.all([allDone, readers]);
}

export interface ClosedLoopOptions {
  request: RequestSpec;
  type: string;
  connections: number;
  durationSeconds?: number;
  requests?: number;
  maxRetries: number;
}

/** N workers, each sending its next request as soon as the last one is answered. */
export async function runClosedLoop(context: RunContext, options: ClosedLoopOptions): Promise<void> {
  const deadline = options.durationSeconds
    ? Date.now() + options.durationSeconds * 1000
    : Number.POSITIVE_INFINITY;
  let remaining = options.requests ?? Number.POSITIVE_INFINITY;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (!context.signal.aborted && Date.now() < deadline && remaining-- > 0) {
        await timedRequest(context.http, context.recorder, options.type, options.request, {
          maxRetries: options.maxRetries,
        });
      }
    }),
  );
}

export interface OpenLoopOptions {
  request: RequestSpec;
  type: string;
  /** Requests started per second, whatever the server's pace. */
  rate: number;
  durationSeconds: number;
  /** Requests in flight at most; beyond it a request waits, and the wait counts in its latency. */
  maxInFlight: number;
  maxRetries: number;
}

/**
 * A constant arrival rate, as wrk2 does: request i is due at start + i/rate, and its latency is counted
 * from then, so a server that stalls shows the stall in every request that queued behind it.
 */
export async function runOpenLoop(context: RunContext, options: OpenLoopOptions): Promise<void> {
  const start = runClock();
  const total = Math.floor(options.rate * options.durationSeconds);
  const intervalMs = 1000 / options.rate;
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < total && !context.signal.aborted; i++) {
    const due = start + i * intervalMs;
    const wait = due - runClock();
    if (wait > 0) await sleep(wait, context.signal);
    while (inFlight.size >= options.maxInFlight) await Promise.race(inFlight);
    const request = timedRequest(context.http, context.recorder, options.type, options.request, {
      maxRetries: options.maxRetries,
      intendedStart: due,
    });
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
  }
  await Promise.all(inFlight);
}
