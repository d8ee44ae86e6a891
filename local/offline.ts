import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { serverlessBin } from './serverless-config.js';

// `npm start` builds the functions first: on a machine whose cores are all busy, that alone can take over a minute.
const DEFAULT_START_TIMEOUT_MS = 180_000;
const READY_POLL_MS = 100;
const exitWithParent = resolve(import.meta.dirname, 'exit-with-parent.cjs');
const lambdaTraceContext = resolve(import.meta.dirname, 'lambda-trace-context.cjs');

export interface OfflineOptions {
  /** The folder whose serverless.yml to serve. */
  cwd: string;
  /** Added to this process's environment; `PORT` and `LAMBDA_PORT` choose the ports (`PORT` is required). */
  env: Record<string, string>;
  /** How long it may take to build the functions and listen (default 90 s). */
  startTimeoutMs?: number;
  /** Whether serverless-offline logs every request it serves (several lines each: costly under load). */
  logRequests?: boolean;
  log: (line: string) => void;
  /** Called when serverless-offline ends without having been asked to stop. */
  onUnexpectedExit?: (description: string) => void;
}

export interface RunningOffline {
  stop(): Promise<void>;
}

/**
 * Runs `serverless offline` for the `local` stage in its own process group and resolves once its HTTP
 * server accepts connections. `stop()` ends the whole group, so nothing it started is left behind; and the process
 * ends by itself if this one dies, even by SIGKILL (see exit-with-parent.cjs).
 */
export async function startServerlessOffline(options: OfflineOptions): Promise<RunningOffline> {
  const child = spawn(
    process.execPath,
    [
      // Every function runs in this one process, each request allocating afresh: 64 MB semi-spaces for the
      // young generation let most of it die there rather than be promoted and collected with the old one,
      // for less CPU and a lower peak (docs/performance.md#local-stack-and-load-client).
      '--max-semi-space-size=64',
      '--require',
      exitWithParent,
      // Each invocation's trace id where the AWS SDK reads it, as on Lambda (lambda-trace-context.cjs).
      '--require',
      lambdaTraceContext,
      serverlessBin,
      'offline',
      'start',
      '--stage',
      'local',
    ],
    {
      cwd: options.cwd,
      env: {
        ...functionsNeutralEnvironment(),
        ...options.env,
        SLS_TELEMETRY_DISABLED: '1',
        SLS_LOG_LEVEL: options.logRequests ? 'notice' : 'warning',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    },
  );
  child.channel?.unref();
  let stopping = false;
  const stop = () => {
    stopping = true;
    return stopProcessGroup(child);
  };
  const onOutput = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) options.log(line);
  };
  child.stdout?.on('data', onOutput);
  child.stderr?.on('data', onOutput);
  const exitedEarly = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`serverless offline exited (${signal ?? `code ${code}`}) before it was ready`)),
    ),
  );
  exitedEarly.catch(() => undefined); // an exit after start is reported through onUnexpectedExit instead
  const running = () => child.exitCode === null && child.signalCode === null;
  try {
    await Promise.race([
      listening(Number(options.env.PORT), options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, running),
      exitedEarly,
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  child.once('exit', (code, signal) => {
    if (!stopping) options.onUnexpectedExit?.(`serverless offline exited (${signal ?? `code ${code}`})`);
  });
  return { stop };
}

/** Resolves once something accepts connections on the port, polling until the timeout or the process ends. */
async function listening(port: number, timeoutMs: number, running: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (running()) {
    const accepted = await new Promise<boolean>((resolveAttempt) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolveAttempt(true);
      });
      socket.once('error', () => resolveAttempt(false));
    });
    if (accepted) return;
    if (Date.now() > deadline) {
      throw new Error(`serverless offline did not start within ${timeoutMs / 1000} s`);
    }
    await new Promise((wait) => setTimeout(wait, READY_POLL_MS));
  }
  throw new Error('serverless offline exited before it was ready');
}

/**
 * This process's environment without the settings of Powertools for AWS Lambda: functions running in the
 * emulator's process would otherwise take them (a test runner's silenced logs, say) over what serverless.yml
 * gives them, as they never would on Lambda.
 */
function functionsNeutralEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('POWERTOOLS_')));
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  process.kill(-pid, 'SIGTERM');
  const forced = setTimeout(() => process.kill(-pid, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(forced);
}
