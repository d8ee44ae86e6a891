import { type LocalStack, type LocalStackOptions, startLocalStack } from '@album-service/local';
import { createScratchDatabase } from '@album-service/local/testing/mysql';
import type { StackTemplate } from './stack-template.js';

export interface TestStack extends LocalStack {
  /** Everything the stack and its functions logged so far, unless the options took its lines elsewhere. */
  logs: string[];
}

export type TestStackOptions = Omit<LocalStackOptions, 'ephemeral'>;

/**
 * Starts the whole local stack on free ports, with a throwaway data folder unless one is given, from the
 * run's functions and empty database. With a `mysql://` (or `mariadb://`) `DATABASE_URL`, the stack runs on
 * that server, in a database of its own dropped when it stops.
 */
export async function startStackFrom(
  template: Pick<StackTemplate, 'functionsBuildDir' | 'databaseTemplateDir'>,
  options: TestStackOptions = {},
): Promise<TestStack> {
  const logs: string[] = [];
  const serverUrl = process.env.DATABASE_URL;
  const scratch =
    options.databaseUrl === undefined && serverUrl && /^(mysql|mariadb):/i.test(serverUrl)
      ? await createScratchDatabase(serverUrl)
      : undefined;
  try {
    const stack = await startLocalStack({
      ...template,
      ...options,
      ...(scratch ? { databaseUrl: scratch.url } : {}),
      ephemeral: true,
      log: options.log ?? ((line) => logs.push(line)),
    });
    if (!scratch) return Object.assign(stack, { logs });
    const stop = stack.stop;
    return Object.assign(stack, { logs, stop: () => stop().finally(() => scratch.drop()) });
  } catch (error) {
    await scratch?.drop();
    throw new Error(`Local stack failed to start:\n${logs.slice(-40).join('\n')}`, { cause: error });
  }
}
