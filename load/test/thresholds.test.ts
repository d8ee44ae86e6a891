import { describe, expect, it } from 'vitest';
import type { TypeSummary } from '../recorder.js';
import { checkThresholds, parseThreshold, ThresholdSyntaxError } from '../thresholds.js';

const total: TypeSummary = {
  type: 'all',
  count: 200,
  ok: 198,
  failed: 2,
  unanswered: 0,
  throughput: 480,
  meanMs: 12,
  p50Ms: 10,
  p90Ms: 20,
  p95Ms: 25,
  p99Ms: 40,
  p999Ms: 90,
  minMs: 2,
  maxMs: 95,
};
const measured = { total, percentileMs: (percentile: number) => percentile }; // p<N> reads N ms
const check = (...sources: string[]) =>
  checkThresholds(sources.map(parseThreshold), measured).map((r) => [r.threshold, r.actual, r.passed]);

describe('thresholds', () => {
  it('read percentiles, mean, min and max in ms, or s', () => {
    expect(check('p99<200', 'p99.9 <= 99.9', 'p95>95', 'mean<12', 'min>=2', 'max<0.1s')).toEqual([
      ['p99<200', 99, true],
      ['p99.9<=99.9', 99.9, true],
      ['p95>95', 95, false],
      ['mean<12', 12, false],
      ['min>=2', 2, true],
      ['max<0.1s', 95, true],
    ]);
  });

  it('read the rate in req/s and failures as a count or a share', () => {
    expect(check('rate>500', 'failed<1%', 'failed<=2', 'failed==0')).toEqual([
      ['rate>500', 480, false],
      ['failed<1%', 1, false],
      ['failed<=2', 2, true],
      ['failed==0', 2, false],
    ]);
  });

  it('fail a latency threshold when nothing was measured', () => {
    const empty = { total: { ...total, count: 0, ok: 0, failed: 0 }, percentileMs: () => 0 };
    expect(checkThresholds([parseThreshold('p99<200')], empty)).toEqual([
      { threshold: 'p99<200', actual: null, unit: 'ms', passed: false },
    ]);
  });

  it('refuse what the grammar does not allow, naming it', () => {
    for (const source of [
      'p99<<200',
      'p99',
      'latency<5',
      'p0<5',
      'p101<5',
      'rate>5ms',
      'failed<5s',
      'p99<5%',
      '',
    ])
      expect(() => parseThreshold(source), source).toThrow(ThresholdSyntaxError);
    expect(() => parseThreshold('p99 < fast')).toThrow("cannot read threshold 'p99 < fast'");
  });
});
