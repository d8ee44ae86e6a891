import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '@album-service/local';
import type { TestProject } from 'vitest/node';
import { startStackFrom } from './stack-start.js';
import { templateOfThisRun } from './stack-template.js';

/** What files get of the shared stack: its addresses and settings, and the file it logs to; not its stop. */
export type SharedStack = Omit<LocalStack, 'stop' | 'queueLink' | 'databaseLink'> & { logFile: string };

interface StartedStack {
  stop(): Promise<void>;
}

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
  const starting = start(readyFile, join(folder, 'stack.log'));
  return async () => {
    await (await starting)?.stop();
    await rm(folder, { recursive: true, force: true });
  };
}

async function start(readyFile: string, logFile: string): Promise<StartedStack | undefined> {
  const log = createWriteStream(logFile);
  const lastLines: string[] = [];
  try {
    const stack = await startStackFrom(await templateOfThisRun(), {
      // A change shows within a second rather than npm start's ten (getAlbum's cached copy, README "Caching").
      settings: { ALBUM_CACHE_TTL_SECONDS: '1' },
      log: (line) => {
        log.write(`${line}\n`);
        lastLines.push(line);
        if (lastLines.length > 40) lastLines.shift();
      },
    });
    const { stop, logs: _logs, queueLink: _queueLink, databaseLink: _databaseLink, ...shared } = stack;
    await writeFile(readyFile, JSON.stringify({ ok: true, stack: { ...shared, logFile } }));
    return { stop: () => stop().finally(() => log.end()) };
  } catch (error) {
    const cause = error instanceof Error && error.cause ? `\n${error.cause}` : '';
    await writeFile(
      readyFile,
      JSON.stringify({ ok: false, error: `${error}${cause}\n${lastLines.join('\n')}` }),
    );
    log.end();
    return undefined;
  }
}
