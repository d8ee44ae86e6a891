import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { serverlessBin } from './serverless-config.js';

const START_TIMEOUT_MS = 90_000;
const exitWithParent = resolve(import.meta.dirname, 'exit-with-parent.cjs');

export interface OfflineOptions {
  /** The folder whose serverless.yml to serve. */
  cwd: string;
  /** Added to this process's environment; `PORT` and `LAMBDA_PORT` choose the ports. */
  env: Record<string, string>;
  log: (line: string) => void;
  /** Called when serverless-offline ends without having been asked to stop. */
  onUnexpectedExit?: (description: string) => void;
}

export interface RunningOffline {
  stop(): Promise<void>;
}

/**
 * Runs `serverless offline` for the `local` stage in its own process group and resolves once its HTTP
 * server is listening. `stop()` ends the whole group, so nothing it started is left behind; and the process
 * ends by itself if this one dies, even by SIGKILL (see exit-with-parent.cjs).
 */
export async function startServerlessOffline(options: OfflineOptions): Promise<RunningOffline> {
  const child = spawn(
    process.execPath,
    ['--require', exitWithParent, serverlessBin, 'offline', 'start', '--stage', 'local'],
    {
      cwd: options.cwd,
      env: { ...functionsNeutralEnvironment(), ...options.env, SLS_TELEMETRY_DISABLED: '1' },
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
  await new Promise<void>((resolveStart, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`serverless offline did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    const onOutput = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim()) options.log(line);
        if (line.includes('Server ready:')) {
          clearTimeout(timer);
          resolveStart();
        }
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`serverless offline exited (${signal ?? `code ${code}`}) before it was ready`));
    });
  });
  child.once('exit', (code, signal) => {
    if (!stopping) options.onUnexpectedExit?.(`serverless offline exited (${signal ?? `code ${code}`})`);
  });
  return { stop };
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
