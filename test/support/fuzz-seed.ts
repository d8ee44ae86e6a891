/** The seed every property test runs with: `FUZZ_SEED`, or the one CI runs, so that a failure replays. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 6650);

/**
 * The first line of a failed property run's report: its seed and the command that replays it.
 *
 * @example
 * throw new Error(`${replayLine('test/fuzz')}\n${error.message}`);
 */
export const replayLine = (testPath: string) =>
  `Failed with seed ${FUZZ_SEED}; replay it with: FUZZ_SEED=${FUZZ_SEED} npx vitest run ${testPath}`;

/**
 * A generator of numbers in [0, 1) from a seed (mulberry32), for tests that draw at random outside
 * fast-check: the same seed, the same draws.
 *
 * @example
 * const next = seededRandom(FUZZ_SEED);
 * const kind = next() < 0.5 ? 'like' : 'dislike';
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
