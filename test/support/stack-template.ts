import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFunctions, createDatabaseTemplate } from '@album-service/local';
import type { TestProject } from 'vitest/node';

/** Where the run's stacks find what they start from (local/stack.ts, `functionsBuildDir` and `databaseTemplateDir`). */
export interface StackTemplate {
  functionsBuildDir: string;
  databaseTemplateDir: string;
  /** Written once both are made: `{ "ok": true }`, or `{ "ok": false, "error": … }` with the build's last lines. */
  readyFile: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    stackTemplate: StackTemplate;
  }
}

interface Preparation {
  template: StackTemplate;
  /** Settles once the ready file is written: with why the template could not be made, or undefined. */
  made: Promise<string | undefined>;
  users: number;
  remove: () => Promise<void>;
}

const PREPARATION = Symbol.for('album-service.stack-template');
const shared = globalThis as typeof globalThis & { [PREPARATION]?: Promise<Preparation> };

/**
 * Global setup of the projects whose tests start stacks: builds the functions and creates an empty embedded
 * database once for all of them (most of a stack's start), and removes both after the run. It does not wait
 * for them: the in-process tests run meanwhile, and a stack waits for the ready file
 * (test/support/stack.ts). Every project that names it shares the one preparation.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  shared[PREPARATION] ??= prepare();
  const preparation = await shared[PREPARATION];
  preparation.users += 1;
  project.provide('stackTemplate', preparation.template);
  return async () => {
    preparation.users -= 1;
    if (preparation.users === 0) await preparation.remove();
  };
}

/**
 * For another global setup of the run, in this process: the functions and the database once made, or the
 * reason they were not. Its project must name this setup before the other.
 */
export async function templateOfThisRun(): Promise<
  Pick<StackTemplate, 'functionsBuildDir' | 'databaseTemplateDir'>
> {
  const preparation = await shared[PREPARATION];
  if (!preparation) throw new Error('test/support/stack-template.ts must run before the setups that use it');
  const failure = await preparation.made;
  if (failure) throw new Error(`Preparing the stacks' template failed:\n${failure}`);
  const { readyFile: _readyFile, ...template } = preparation.template;
  return template;
}

async function prepare(): Promise<Preparation> {
  const folder = await mkdtemp(join(tmpdir(), 'album-stack-template-'));
  const template = {
    functionsBuildDir: join(folder, 'functions'),
    databaseTemplateDir: join(folder, 'pglite'),
    readyFile: join(folder, 'ready.json'),
  };
  const logs: string[] = [];
  const making = Promise.all([
    buildFunctions(template.functionsBuildDir, (line) => logs.push(line)),
    createDatabaseTemplate(template.databaseTemplateDir),
  ]).then(
    () => undefined,
    (error: unknown) => `${error}\n${logs.slice(-40).join('\n')}`,
  );
  const made = making.then(async (failure) => {
    await writeFile(
      template.readyFile,
      JSON.stringify(failure === undefined ? { ok: true } : { ok: false, error: failure }),
    );
    return failure;
  });
  return {
    template,
    made,
    users: 0,
    remove: async () => {
      await made.finally(() => rm(folder, { recursive: true, force: true }));
    },
  };
}
