import { type LocalStack, startLocalStack } from '../../local/stack.js';

/** Starts the whole local stack on free ports with a throwaway data folder; stop it in afterAll. */
export async function startTestStack(): Promise<LocalStack> {
  const lines: string[] = [];
  try {
    return await startLocalStack({ ephemeral: true, log: (line) => lines.push(line) });
  } catch (error) {
    throw new Error(`Local stack failed to start:\n${lines.slice(-40).join('\n')}`, { cause: error });
  }
}
