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
