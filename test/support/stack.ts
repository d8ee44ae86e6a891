import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '@album-service/local';
import { createScratchDatabase } from '@album-service/local/testing/mysql';
import { inject } from 'vitest';
import type { StackTemplate } from './stack-template.js';

export interface TestStack extends LocalStack {
  /** Everything the stack and its functions logged so far. */
  logs: string[];
}

/**
 * Starts the whole local stack on free ports, with a throwaway data folder unless one is given, from the
 * functions and the empty database the run's global setup made (test/support/stack-template.ts); stop it in
 * afterAll. With a `mysql://` (or `mariadb://`) `DATABASE_URL`, the stack runs on that server, in a database
 * of its own dropped when it stops.
 */
export async function startTestStack(
  options: Omit<LocalStackOptions, 'ephemeral' | 'log'> = {},
): Promise<TestStack> {
  const logs: string[] = [];
  const serverUrl = process.env.DATABASE_URL;
  const scratch =
    options.databaseUrl === undefined && serverUrl && /^(mysql|mariadb):/i.test(serverUrl)
      ? await createScratchDatabase(serverUrl)
      : undefined;
  try {
    const stack = await startLocalStack({
      ...(await stackTemplate()),
      ...options,
      ...(scratch ? { databaseUrl: scratch.url } : {}),
      ephemeral: true,
      log: (line) => logs.push(line),
    });
    if (!scratch) return Object.assign(stack, { logs });
    const stop = stack.stop;
    return Object.assign(stack, { logs, stop: () => stop().finally(() => scratch.drop()) });
  } catch (error) {
    await scratch?.drop();
    throw new Error(`Local stack failed to start:\n${logs.slice(-40).join('\n')}`, { cause: error });
  }
}

/**
 * The functions and the empty database the run's global setup makes (test/support/stack-template.ts), once
 * they are made: the in-process tests run while they are.
 */
export async function stackTemplate(): Promise<
  Pick<StackTemplate, 'functionsBuildDir' | 'databaseTemplateDir'>
> {
  const { readyFile, ...template } = inject('stackTemplate');
  const ready = await eventually(
    async () => (existsSync(readyFile) ? readFile(readyFile, 'utf8') : undefined),
    600_000,
    "the stacks' functions and database template",
  );
  const outcome = JSON.parse(ready) as { ok: boolean; error?: string };
  if (!outcome.ok) throw new Error(`Preparing the stacks' template failed:\n${outcome.error}`);
  return template;
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
