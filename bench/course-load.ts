/**
 * The load client of `npm run bench:course`, in a process of its own so that its CPU and memory stay out
 * of the stack's figures. It runs the jobs its parent sends (the course protocol, one request type at a
 * time, or a closed loop) with the modules of `npm run load`, and answers each with the run's summary and
 * what the service accepted: the albums it created and the reviews it took for each.
 */
import { type AlbumApiDialect, courseDialect, type ReviewKind } from '../load/dialects.js';
import { HttpClient, type RequestSpec, type Response, timedRequest } from '../load/http.js';
import { type RunContext, runClosedLoop, runCourse } from '../load/modes.js';
import { Recorder, type RunSummary } from '../load/recorder.js';

/** The request types of the course protocol, named as the load client records them. */
export type RequestType = 'POST album' | 'GET album' | 'POST review' | 'GET review';

export interface CourseSize {
  threadGroupSize: number;
  numThreadGroups: number;
  delaySeconds: number;
  startupIterations: number;
  iterations: number;
  reviewReaders: number;
}

export type LoadJob =
  | { kind: 'course'; baseUrl: string; size: CourseSize; connections: number }
  /** `requests` requests of one type, by `workers` workers, over the albums given (cycled). */
  | { kind: 'phase'; baseUrl: string; type: RequestType; requests: number; workers: number; albums: string[] }
  | { kind: 'closed'; url: string; requests: number; workers: number };

export interface AcceptedReviews {
  likes: number;
  dislikes: number;
}

export interface LoadResult {
  summary: RunSummary;
  /** Albums the service created during this job, in order. */
  albums: string[];
  /** Reviews the service accepted during this job, by album. */
  reviews: Record<string, AcceptedReviews>;
}

const REVIEW_PATH = /\/review\/(like|dislike)\/([^/]+)$/;

/** Notes every review the service accepts (any 2XX answer), whichever attempt it was. */
class ReviewCountingClient extends HttpClient {
  readonly reviews: Record<string, AcceptedReviews> = {};

  override async send(spec: RequestSpec): Promise<Response> {
    const response = await super.send(spec);
    const review = REVIEW_PATH.exec(new URL(spec.url).pathname);
    if (review && response.status >= 200 && response.status < 300) {
      const [, kind, albumId] = review as unknown as [string, ReviewKind, string];
      this.reviews[albumId] ??= { likes: 0, dislikes: 0 };
      this.reviews[albumId][kind === 'like' ? 'likes' : 'dislikes']++;
    }
    return response;
  }
}

/** The course dialect, noting the id of every album created. */
function recordingDialect(baseUrl: string, albums: string[]): AlbumApiDialect {
  const dialect = courseDialect(baseUrl);
  return {
    ...dialect,
    albumIdFrom(body) {
      const albumId = dialect.albumIdFrom(body);
      if (albumId) albums.push(albumId);
      return albumId;
    },
  };
}

/** The request a phase sends `index`-th. */
function phaseRequest(dialect: AlbumApiDialect, job: Extract<LoadJob, { kind: 'phase' }>, index: number) {
  const albumId = job.albums[index % Math.max(1, job.albums.length)] ?? '';
  switch (job.type) {
    case 'POST album':
      return dialect.createAlbum(index);
    case 'GET album':
      return dialect.getAlbum(albumId);
    case 'POST review':
      return dialect.review(albumId, index % 3 === 2 ? 'dislike' : 'like');
    case 'GET review':
      return dialect.getReviews(albumId);
  }
}

async function runPhase(
  context: RunContext,
  dialect: AlbumApiDialect,
  job: Extract<LoadJob, { kind: 'phase' }>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: job.workers }, async () => {
      for (let index = next++; index < job.requests; index = next++) {
        // No retries: a retry would be one more request's worth of statements.
        const response = await timedRequest(
          context.http,
          context.recorder,
          job.type,
          phaseRequest(dialect, job, index),
          { maxRetries: 0 },
        );
        if (job.type === 'POST album' && response) dialect.albumIdFrom(response.body);
      }
    }),
  );
}

async function run(job: LoadJob): Promise<LoadResult> {
  const connections = job.kind === 'course' ? job.connections : job.workers;
  const http = new ReviewCountingClient({ connections });
  const recorder = new Recorder();
  const context: RunContext = { http, recorder, signal: new AbortController().signal };
  const albums: string[] = [];
  try {
    if (job.kind === 'course') {
      await runCourse(context, {
        dialect: recordingDialect(job.baseUrl, albums),
        scenario: 'reviews',
        ...job.size,
        maxRetries: 5,
      });
    } else if (job.kind === 'phase') {
      await runPhase(context, recordingDialect(job.baseUrl, albums), job);
    } else {
      await runClosedLoop(context, {
        request: { method: 'GET', url: job.url },
        type: 'GET minimal',
        connections: job.workers,
        requests: job.requests,
        maxRetries: 0,
      });
    }
  } finally {
    await http.close();
  }
  return { summary: await recorder.finish(), albums, reviews: http.reviews };
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send?.({ result }),
    (error: unknown) => process.send?.({ error: String(error instanceof Error ? error.stack : error) }),
  );
});
process.on('disconnect', () => process.exit(0));
