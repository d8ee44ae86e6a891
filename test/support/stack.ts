import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../local/stack.js';

export interface TestStack extends LocalStack {
  /** Everything the stack and its functions logged so far. */
  logs: string[];
}

/** Starts the whole local stack on free ports, with a throwaway data folder unless one is given; stop it in afterAll. */
export async function startTestStack(
  options: Omit<LocalStackOptions, 'ephemeral' | 'log'> = {},
): Promise<TestStack> {
  const logs: string[] = [];
  try {
    const stack = await startLocalStack({ ...options, ephemeral: true, log: (line) => logs.push(line) });
    return Object.assign(stack, { logs });
  } catch (error) {
    throw new Error(`Local stack failed to start:\n${logs.slice(-40).join('\n')}`, { cause: error });
  }
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
