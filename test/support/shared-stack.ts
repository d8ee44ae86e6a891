import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '@album-service/local';
import type { TestProject } from 'vitest/node';
import { startStackFrom, type TestStack } from './stack-start.js';
import { templateOfThisRun } from './stack-template.js';

/** What files get of the shared stack: its addresses and settings, but neither its logs nor its stop. */
export type SharedStack = Omit<LocalStack, 'stop' | 'queueLink' | 'databaseLink'>;

declare module 'vitest' {
  export interface ProvidedContext {
    /** Written once the shared stack is up: `{ "ok": true, "stack": … }`, or `{ "ok": false, "error": … }`. */
    sharedStack: { readyFile: string };
  }
}

/**
 * Global setup: one stack with default options, shared by the files that need nothing else
 * (test/support/stack.ts, `sharedStack`), as each stack started is seconds of CPU. It starts once the run's
 * template is made, while the in-process tests run, and stops after the run. Named after
 * test/support/stack-template.ts in its project.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const folder = await mkdtemp(join(tmpdir(), 'album-shared-stack-'));
  const readyFile = join(folder, 'ready.json');
  project.provide('sharedStack', { readyFile });
  const starting = start(readyFile);
  return async () => {
    await (await starting)?.stop();
    await rm(folder, { recursive: true, force: true });
  };
}

async function start(readyFile: string): Promise<TestStack | undefined> {
  try {
    const template = await templateOfThisRun();
    const made = JSON.parse(await readFile(template.readyFile, 'utf8')) as { ok: boolean; error?: string };
    if (!made.ok) throw new Error(`Preparing the stacks' template failed:\n${made.error}`);
    const stack = await startStackFrom(template);
    const { stop: _stop, queueLink: _queueLink, databaseLink: _databaseLink, logs: _logs, ...shared } = stack;
    await writeFile(readyFile, JSON.stringify({ ok: true, stack: shared }));
    return stack;
  } catch (error) {
    const cause = error instanceof Error && error.cause ? `\n${error.cause}` : '';
    await writeFile(readyFile, JSON.stringify({ ok: false, error: `${error}${cause}` }));
    return undefined;
  }
}
