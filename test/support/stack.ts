import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { inject } from 'vitest';
import type { SharedStack } from './shared-stack.js';
import type { TestStack, TestStackOptions } from './stack-start.js';
import type { StackTemplate } from './stack-template.js';

export type { SharedStack, TestStack };

/**
 * Starts a stack of the test's own (test/support/stack-start.ts) from the functions and the empty database the
 * run's global setup made (test/support/stack-template.ts); stop it in afterAll. Tests that need no option and
 * no logs share one instead: {@link sharedStack}.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  // Loaded here, not above: a file on the shared stack is spared loading the whole local stack.
  const { startStackFrom } = await import('./stack-start.js');
  return startStackFrom(await stackTemplate(), options);
}

/**
 * The stack the run's files share (test/support/shared-stack.ts), once it is up. Files run beside each other
 * on it: what a test counts or lists must be its own (its albums, its user, its artist), never the whole
 * stack's.
 */
export async function sharedStack(): Promise<SharedStack> {
  const outcome = await readyOutcome<{ stack: SharedStack }>(
    inject('sharedStack').readyFile,
    'the shared stack',
  );
  if (!outcome.ok) throw new Error(`The shared stack failed to start:\n${outcome.error}`);
  return outcome.stack;
}

/**
 * The functions and the empty database the run's global setup makes (test/support/stack-template.ts), once
 * they are made: the in-process tests run while they are.
 */
export async function stackTemplate(): Promise<
  Pick<StackTemplate, 'functionsBuildDir' | 'databaseTemplateDir'>
> {
  const { readyFile, ...template } = inject('stackTemplate');
  const outcome = await readyOutcome<object>(readyFile, "the stacks' functions and database template");
  if (!outcome.ok) throw new Error(`Preparing the stacks' template failed:\n${outcome.error}`);
  return template;
}

/** What a global setup wrote to `readyFile` once done, waited for. */
async function readyOutcome<T extends object>(
  readyFile: string,
  what: string,
): Promise<({ ok: true } & T) | { ok: false; error: string }> {
  const ready = await eventually(
    async () => (existsSync(readyFile) ? readFile(readyFile, 'utf8') : undefined),
    600_000,
    what,
  );
  return JSON.parse(ready);
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
