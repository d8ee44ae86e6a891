import { type ChildProcess, spawn } from 'node:child_process';
import { serverlessBin } from './serverless-config.js';

const START_TIMEOUT_MS = 90_000;

export interface OfflineOptions {
  /** The folder whose serverless.yml to serve. */
  cwd: string;
  /** Added to this process's environment; `PORT` and `LAMBDA_PORT` choose the ports. */
  env: Record<string, string>;
  log: (line: string) => void;
}

/**
 * Runs `serverless offline` for the `local` stage in its own process group and resolves once its HTTP
 * server is listening. `stop()` ends the whole group, so nothing it started is left behind.
 */
export async function startServerlessOffline(options: OfflineOptions): Promise<{ stop(): Promise<void> }> {
  const child = spawn(process.execPath, [serverlessBin, 'offline', 'start', '--stage', 'local'], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env, SLS_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const stop = () => stopProcessGroup(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`serverless offline did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    const onOutput = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim()) options.log(line);
        if (line.includes('Server ready:')) {
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serverless offline exited with code ${code} before it was ready`));
    });
  });
  return { stop };
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-pid, 'SIGTERM');
  const forced = setTimeout(() => process.kill(-pid, 'SIGKILL'), 5_000);
  await exited;
  clearTimeout(forced);
}
