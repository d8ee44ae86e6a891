import type { TypeSummary } from './recorder.js';

/** Thrown for a threshold that does not follow the grammar; the message shows it. */
export class ThresholdSyntaxError extends Error {
  override readonly name = 'ThresholdSyntaxError';
}

type Operator = '<' | '<=' | '>' | '>=' | '==';
type Metric =
  | { kind: 'latency'; name: string; percentile?: number }
  | { kind: 'rate' }
  | { kind: 'failed'; percent: boolean };

/** A pass/fail criterion on the run, e.g. p99 below 200 ms. */
export interface Threshold {
  /** As written on the command line. */
  source: string;
  metric: Metric;
  operator: Operator;
  /** In ms for latencies, req/s for the rate, a count or a percentage for failures. */
  limit: number;
}

export interface ThresholdResult {
  threshold: string;
  /** The run's value, in the threshold's unit; null when the run has none (no request measured). */
  actual: number | null;
  unit: string;
  passed: boolean;
}

export const THRESHOLD_GRAMMAR = `  <metric><op><value>, e.g. "p99<200", "p99.9<=1s", "mean<50ms", "rate>=500", "failed<1%", "failed==0"
  metric  p<N> (any percentile: p50, p95, p99.9), mean, min, max: latency in ms (or a value ending in s)
          rate: measured requests per second
          failed: failed requests, a count, or with % a share of all measured requests
  op      <  <=  >  >=  ==`;

const SYNTAX =
  /^\s*(p\d+(?:\.\d+)?|mean|min|max|rate|failed)\s*(<=|>=|==|<|>)\s*(\d+(?:\.\d+)?)\s*(ms|s|%)?\s*$/;

/**
 * Reads a threshold as written after --threshold.
 *
 * @example
 * parseThreshold('p99<200'); // { metric: { kind: 'latency', name: 'p99', percentile: 99 }, operator: '<', limit: 200 }
 */
export function parseThreshold(source: string): Threshold {
  const match = SYNTAX.exec(source);
  if (!match) throw new ThresholdSyntaxError(`cannot read threshold '${source}'`);
  const [, name = '', operator = '<', value = '', unit] = match;
  const metric = metricNamed(name, unit, source);
  const limit = unit === 's' ? Number(value) * 1000 : Number(value);
  return { source: source.replace(/\s+/g, ''), metric, operator: operator as Operator, limit };
}

function metricNamed(name: string, unit: string | undefined, source: string): Metric {
  const fail = (why: string) => new ThresholdSyntaxError(`threshold '${source}': ${why}`);
  if (name === 'rate') {
    if (unit) throw fail('rate is in requests per second, without a unit');
    return { kind: 'rate' };
  }
  if (name === 'failed') {
    if (unit && unit !== '%') throw fail('failed is a count, or a share with %');
    return { kind: 'failed', percent: unit === '%' };
  }
  if (unit === '%') throw fail('latencies are in ms or s');
  if (!name.startsWith('p')) return { kind: 'latency', name };
  const percentile = Number(name.slice(1));
  if (!(percentile > 0 && percentile <= 100)) throw fail('a percentile is above 0 and at most 100');
  return { kind: 'latency', name, percentile };
}

/** What a threshold is checked against: the run's totals and any percentile of its latencies. */
export interface Measured {
  total: TypeSummary;
  percentileMs(percentile: number): number;
}

const COMPARE: Record<Operator, (actual: number, limit: number) => boolean> = {
  '<': (actual, limit) => actual < limit,
  '<=': (actual, limit) => actual <= limit,
  '>': (actual, limit) => actual > limit,
  '>=': (actual, limit) => actual >= limit,
  '==': (actual, limit) => actual === limit,
};

/**
 * Checks each threshold against a finished run. A latency threshold fails when no request was measured,
 * as there is nothing to show it holds.
 */
export function checkThresholds(thresholds: Threshold[], measured: Measured): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const [actual, unit] = measuredValue(threshold.metric, measured);
    const passed = actual !== null && COMPARE[threshold.operator](actual, threshold.limit);
    return { threshold: threshold.source, actual, unit, passed };
  });
}

function measuredValue(metric: Metric, measured: Measured): [number | null, string] {
  const { total } = measured;
  if (metric.kind === 'rate') return [total.throughput, 'req/s'];
  if (metric.kind === 'failed')
    return metric.percent
      ? [total.count === 0 ? null : (100 * total.failed) / total.count, '%']
      : [total.failed, 'requests'];
  if (total.count === 0) return [null, 'ms'];
  if (metric.percentile !== undefined) return [measured.percentileMs(metric.percentile), 'ms'];
  const latency = { mean: total.meanMs, min: total.minMs, max: total.maxMs }[metric.name];
  return [latency ?? null, 'ms'];
}
