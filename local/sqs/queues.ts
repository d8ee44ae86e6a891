import { mkdir } from 'node:fs/promises';
import { DatabaseSync } from 'node:sqlite';
import { startFauxqs } from 'fauxqs';

export interface QueuesOptions {
  port?: number;
  /** Where queues and their messages are kept across restarts; omitted, in memory. */
  dataDir?: string;
  queues: Array<{ name: string; attributes?: Record<string, string> }>;
  log?: (line: string) => void;
}

export interface Queues {
  url: string;
  port: number;
  /** The URL of a queue, on 127.0.0.1 so no name resolution is involved. */
  queueUrl(name: string): string;
  /** The ARN the emulator gives a queue (what a redrive policy names). */
  queueArn(name: string): string;
  close(): Promise<void>;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';

/** The URL of a queue reached through `endpoint` (the emulator, or a link in front of it). */
export const localQueueUrl = (endpoint: string, name: string) => `${endpoint}/${ACCOUNT}/${name}`;

/** The ARN a queue of this name has in the local emulator. */
export const localQueueArn = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;

/**
 * Local SQS on fauxqs, with the declared queues created (dead-letter queues first, so redrive policies
 * can name them).
 *
 * @example
 * const queues = await startQueues({ queues: [{ name: 'album-reviews-local' }] });
 * new SQSClient({ endpoint: queues.url });
 */
export async function startQueues(options: QueuesOptions): Promise<Queues> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const start = () =>
    startFauxqs({
      port: options.port ?? 0,
      host: '127.0.0.1',
      logger: false,
      defaultRegion: REGION,
      dataDir: options.dataDir,
    });
  const server = options.dataDir ? await withoutFsyncPerChange(start) : await start();
  const url = `http://127.0.0.1:${server.port}`;
  const ordered = [...options.queues].sort(
    (a, b) =>
      Number('RedrivePolicy' in (a.attributes ?? {})) - Number('RedrivePolicy' in (b.attributes ?? {})),
  );
  for (const queue of ordered) {
    // Re-declaring on restart keeps the messages a persistent queue already holds.
    if (!server.inspectQueue(queue.name)) server.createQueue(queue.name, { attributes: queue.attributes });
  }
  options.log?.(`SQS listening on ${url}`);
  return {
    url,
    port: server.port,
    queueUrl: (name) => localQueueUrl(url, name),
    queueArn: localQueueArn,
    close: () => server.stop(),
  };
}

/**
 * Runs `startFauxqs` with its SQLite database set to `synchronous = NORMAL`. fauxqs writes every change to
 * a message (sent, received, deleted) through to SQLite in WAL mode, where SQLite's default (FULL) syncs the
 * log to disk on every commit: three fsyncs per review, each blocking the stack's event loop (for how long:
 * docs/performance.md#local-stack-and-load-client). With NORMAL a commit still survives the stack being killed, as the restart
 * test checks; only a crash of the machine itself may lose the last ones. fauxqs does not expose its
 * connection, so the setting follows the statement fauxqs opens it with; if fauxqs stops making that
 * statement, starting fails here rather than quietly running slow.
 */
export async function withoutFsyncPerChange<T>(startFauxqs: () => Promise<T>): Promise<T> {
  const exec = DatabaseSync.prototype.exec;
  let relaxed = false;
  DatabaseSync.prototype.exec = function (this: DatabaseSync, sql: string) {
    exec.call(this, sql);
    if (/^PRAGMA journal_mode = WAL$/i.test(sql)) {
      exec.call(this, 'PRAGMA synchronous = NORMAL');
      relaxed = true;
    }
  };
  try {
    const started = await startFauxqs();
    if (!relaxed)
      throw new Error('fauxqs no longer opens its database in WAL mode: see withoutFsyncPerChange');
    return started;
  } finally {
    DatabaseSync.prototype.exec = exec;
  }
}
