import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFunctions, createDatabaseTemplate } from '@album-service/local';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the run's stacks find what they start from (local/stack.ts, `functionsBuildDir` and `databaseTemplateDir`). */
    stackTemplate: { functionsBuildDir: string; databaseTemplateDir: string };
  }
}

/**
 * Global setup of the tests that start stacks: builds the functions and creates an empty embedded database once
 * for all of them, rather than once per stack (most of a stack's start), and removes both after the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const folder = await mkdtemp(join(tmpdir(), 'album-stack-template-'));
  const remove = () => rm(folder, { recursive: true, force: true });
  const template = {
    functionsBuildDir: join(folder, 'functions'),
    databaseTemplateDir: join(folder, 'pglite'),
  };
  const logs: string[] = [];
  try {
    await Promise.all([
      buildFunctions(template.functionsBuildDir, (line) => logs.push(line)),
      createDatabaseTemplate(template.databaseTemplateDir),
    ]);
  } catch (error) {
    await remove();
    throw new Error(`Preparing the stacks' template failed:\n${logs.slice(-40).join('\n')}`, {
      cause: error,
    });
  }
  project.provide('stackTemplate', template);
  return remove;
}
