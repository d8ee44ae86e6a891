import type { RunSummary } from './recorder.js';
import type { ThresholdResult } from './thresholds.js';

/** The exit codes, as --help lists them; 99 for crossed thresholds as k6 has it. */
export const EXIT_CODES = { passed: 0, usage: 2, allFailed: 97, thresholds: 99 } as const;

/** An open loop's target arrival rate against the rate it achieved. */
export interface OpenLoopRate {
  targetRate: number;
  achievedRate: number;
}

/** Below this share of its target, an open loop was not the test asked for, and says so. */
export const RATE_SHORTFALL = 0.95;

/** A finished run with its verdict: what the reports show and what the exit code says. */
export interface RunResult extends RunSummary {
  title: string;
  thresholds: ThresholdResult[];
  openLoop?: OpenLoopRate;
  /** Things worth knowing that do not fail the run, one line each. */
  warnings: string[];
  /** Why the run failed, one line each; empty when it passed. */
  problems: string[];
  exitCode: number;
}

/** A failure's example on one line, short enough for a console. */
export function shorten(text: string, length = 100): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}

/** Why a run with nothing to measure measured nothing, in one line, or undefined when it measured. */
function nothingMeasured(summary: RunSummary): string | undefined {
  const { total, failures } = summary;
  if (total.count === 0)
    return summary.warmupRequests > 0
      ? 'no request was measured: every request started in the warm-up'
      : 'no request was sent';
  if (total.ok > 0) return undefined;
  const causes = failures.map((f) => `${f.count} × ${f.cause} (${shorten(f.example)})`).join('; ');
  return `every request failed: ${causes}`;
}

/**
 * Judges a finished run: it fails when every request failed (exit 97; `stoppedEarly` says why when the run
 * stopped for that before its end) or a threshold is crossed (99); an open loop short of its target rate is
 * a warning.
 *
 * @example
 * const result = judge(summary, 'closed loop', checkThresholds(thresholds, recorder));
 * process.exitCode = result.exitCode;
 */
export function judge(
  summary: RunSummary,
  title: string,
  thresholds: ThresholdResult[],
  openLoop?: OpenLoopRate & { connections: number },
  stoppedEarly?: string,
): RunResult {
  const warnings: string[] = [];
  const problems: string[] = [];
  let exitCode: number = EXIT_CODES.passed;
  if (openLoop && openLoop.achievedRate < RATE_SHORTFALL * openLoop.targetRate) {
    const share = Math.round((100 * openLoop.achievedRate) / openLoop.targetRate);
    warnings.push(
      `achieved ${openLoop.achievedRate.toFixed(1)} req/s, ${share} % of the ${openLoop.targetRate} req/s target: ` +
        `the server (or --connections ${openLoop.connections}) could not keep up, and latencies count the wait`,
    );
  }
  const crossed = thresholds.filter((t) => !t.passed);
  if (crossed.length > 0) {
    problems.push(
      `${crossed.length} of ${thresholds.length} thresholds crossed: ${crossed.map((t) => t.threshold).join(', ')}`,
    );
    exitCode = EXIT_CODES.thresholds;
  }
  const nothing = stoppedEarly ?? nothingMeasured(summary);
  if (nothing) {
    problems.unshift(nothing);
    exitCode = EXIT_CODES.allFailed;
  }
  const rate = openLoop && { targetRate: openLoop.targetRate, achievedRate: openLoop.achievedRate };
  return { ...summary, title, thresholds, openLoop: rate, warnings, problems, exitCode };
}
