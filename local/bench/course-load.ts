/**
 * The load client of `npm run bench:course`, in a process of its own so that its CPU and memory stay out
 * of the stack's figures. It runs the jobs its parent sends (the course protocol, one request type at a
 * time, or a closed loop) with the modules of `npm run load`, and answers each with the run's summary and
 * what the service accepted: the albums it created (by the id it gave and the title sent, which the bench
 * keeps unique so the albums can be found again whatever shape of id the course API hands out) and the
 * reviews it took for each.
 */
import { type AlbumApiDialect, courseDialect, type ReviewKind } from '@album-service/load/dialects';
import { HttpClient, type RequestSpec, type Response, timedRequest } from '@album-service/load/http';
import { type CourseOptions, type RunContext, runClosedLoop, runCourse } from '@album-service/load/modes';
import { Recorder, type RunSummary } from '@album-service/load/recorder';

/** The request types of the course protocol, named as the load client records them. */
export type RequestType = 'POST album' | 'GET album' | 'POST review' | 'GET review';

/** The size of a course run, as the load client's course options give it. */
export type CourseSize = Pick<
  CourseOptions,
  | 'threadGroupSize'
  | 'numThreadGroups'
  | 'delaySeconds'
  | 'startupIterations'
  | 'iterations'
  | 'reviewReaders'
>;

export type LoadJob =
  /** `firstIndex` numbers the album titles, so that every job's titles differ. */
  | { kind: 'course'; baseUrl: string; size: CourseSize; connections: number; firstIndex: number }
  /** `requests` requests of one type, by `workers` workers, over the albums given (cycled). */
  | {
      kind: 'phase';
      baseUrl: string;
      type: RequestType;
      requests: number;
      workers: number;
      albums: string[];
      firstIndex: number;
    }
  | { kind: 'closed'; url: string; requests: number; workers: number };

export interface CreatedAlbum {
  /** The id the API answered with. */
  albumId: string;
  title: string;
}

export interface AcceptedReviews {
  likes: number;
  dislikes: number;
}

export interface LoadResult {
  summary: RunSummary;
  /** Albums the service created during this job. */
  albums: CreatedAlbum[];
  /** Reviews the service accepted during this job, by album. */
  reviews: Record<string, AcceptedReviews>;
}

const REVIEW_PATH = /\/review\/(like|dislike)\/([^/]+)$/;
const PROFILE_TITLE = /"title":"((?:[^"\\]|\\.)*)"/;

/** Notes what the service accepted (any 2XX answer), whichever attempt it was: albums and reviews. */
class AcceptanceClient extends HttpClient {
  readonly albums: CreatedAlbum[] = [];
  readonly reviews: Record<string, AcceptedReviews> = {};

  constructor(
    options: ConstructorParameters<typeof HttpClient>[0],
    private readonly dialect: AlbumApiDialect,
  ) {
    super(options);
  }

  override async send(spec: RequestSpec): Promise<Response> {
    const response = await super.send(spec);
    if (response.status < 200 || response.status >= 300) return response;
    const review = REVIEW_PATH.exec(new URL(spec.url).pathname);
    if (review) {
      const [, kind, albumId] = review as unknown as [string, ReviewKind, string];
      this.reviews[albumId] ??= { likes: 0, dislikes: 0 };
      this.reviews[albumId][kind === 'like' ? 'likes' : 'dislikes']++;
    }
    const title =
      spec.method === 'POST' && spec.body ? PROFILE_TITLE.exec(spec.body.toString())?.[1] : undefined;
    const albumId = title === undefined ? undefined : this.dialect.albumIdFrom(response.body);
    if (title !== undefined && albumId) this.albums.push({ albumId, title: JSON.parse(`"${title}"`) });
    return response;
  }
}

/** The course dialect, its album titles numbered from `firstIndex`. */
function numberedDialect(baseUrl: string, firstIndex: number): AlbumApiDialect {
  const dialect = courseDialect(baseUrl);
  return { ...dialect, createAlbum: (index) => dialect.createAlbum(firstIndex + index) };
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
        await timedRequest(context.http, context.recorder, job.type, phaseRequest(dialect, job, index), {
          maxRetries: 0,
        });
      }
    }),
  );
}

async function run(job: LoadJob): Promise<LoadResult> {
  const connections = job.kind === 'course' ? job.connections : job.workers;
  const dialect = numberedDialect(
    job.kind === 'closed' ? job.url : job.baseUrl,
    job.kind === 'closed' ? 0 : job.firstIndex,
  );
  const http = new AcceptanceClient({ connections }, dialect);
  const recorder = new Recorder();
  const context: RunContext = { http, recorder, signal: new AbortController().signal };
  try {
    if (job.kind === 'course') {
      await runCourse(context, {
        dialect,
        scenario: 'reviews',
        ...job.size,
        maxRetries: 5,
      });
    } else if (job.kind === 'phase') {
      await runPhase(context, dialect, job);
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
  return { summary: await recorder.finish(), albums: http.albums, reviews: http.reviews };
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send?.({ result }),
    (error: unknown) => process.send?.({ error: String(error instanceof Error ? error.stack : error) }),
  );
});
process.on('disconnect', () => process.exit(0));
