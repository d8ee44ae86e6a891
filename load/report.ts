import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { latencyDistributionChart, throughputChart } from './charts.js';
import { type RunResult, shorten } from './outcome.js';
import type { FailureSummary, SlowRequest, TypeSummary } from './recorder.js';
import type { ThresholdResult } from './thresholds.js';

type Column<Row> = [string, (row: Row) => string];

const LATENCY_COLUMNS: Array<Column<TypeSummary>> = [
  ['type', (r) => r.type],
  ['count', (r) => String(r.count)],
  ['ok', (r) => String(r.ok)],
  ['failed', (r) => String(r.failed)],
  ['no answer', (r) => String(r.unanswered)],
  ['req/s', (r) => r.throughput.toFixed(1)],
  ['mean ms', (r) => r.meanMs.toFixed(2)],
  ['p50', (r) => r.p50Ms.toFixed(2)],
  ['p90', (r) => r.p90Ms.toFixed(2)],
  ['p95', (r) => r.p95Ms.toFixed(2)],
  ['p99', (r) => r.p99Ms.toFixed(2)],
  ['p99.9', (r) => r.p999Ms.toFixed(2)],
  ['min', (r) => r.minMs.toFixed(2)],
  ['max', (r) => r.maxMs.toFixed(2)],
];

const percent = (share: number) => `${(100 * share).toFixed(1)} %`;

const FAILURE_COLUMNS: Array<Column<FailureSummary>> = [
  ['cause', (f) => f.cause],
  ['count', (f) => String(f.count)],
  ['share', (f) => percent(f.share)],
  ['first seen', (f) => shorten(f.example, 80)],
];

const formatActual = (result: ThresholdResult) =>
  result.actual === null ? 'no requests measured' : `${Number(result.actual.toFixed(2))} ${result.unit}`;

const THRESHOLD_COLUMNS: Array<Column<ThresholdResult>> = [
  ['', (t) => (t.passed ? '✓ pass' : '✗ FAIL')],
  ['threshold', (t) => t.threshold],
  ['actual', formatActual],
];

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Rows aligned in columns: text (the columns listed in `left`) to the left, numbers to the right. */
function textTable<Row>(columns: Array<Column<Row>>, rows: Row[], left: number[] = [0]): string {
  const cells = rows.map((row) => columns.map(([, cell]) => cell(row)));
  const widths = columns.map(([title], i) =>
    Math.max(title.length, ...cells.map((row) => row[i]?.length ?? 0)),
  );
  const line = (row: string[]) =>
    row
      .map((cell, i) => (left.includes(i) ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map(([title]) => title)), ...cells.map(line)].join('\n');
}

/** One line on how long the run took and how much of it was measured. */
function headline(result: RunResult): string {
  const { total, warmupSeconds, warmupRequests } = result;
  const warmup =
    warmupSeconds > 0 ? ` (first ${warmupSeconds} s warm-up: ${warmupRequests} requests left out)` : '';
  const unanswered =
    total.unanswered > 0 ? ` (${total.unanswered} with no answer, left out of latency and throughput)` : '';
  return (
    `wall time ${result.wallTimeSeconds.toFixed(2)} s${warmup}, ${total.ok} ok, ${total.failed} failed${unanswered}, ` +
    `throughput ${total.throughput.toFixed(1)} req/s`
  );
}

function rateLine(result: RunResult): string | undefined {
  if (!result.openLoop) return undefined;
  const { targetRate, achievedRate } = result.openLoop;
  return `open loop: target ${targetRate} req/s, achieved ${achievedRate.toFixed(1)} req/s (${percent(achievedRate / targetRate)})`;
}

/**
 * How often the API throttled the run: every 429 answer counts, a request retried past one too, since the
 * failures table shows only the requests that gave up on one.
 */
function throttledLine(result: RunResult): string | undefined {
  if (result.throttled === 0) return undefined;
  const gaveUp = result.failures.find((failure) => failure.cause === 'throttled')?.count ?? 0;
  return `throttled: ${result.throttled} answers 429 Too Many Requests, ${gaveUp} requests failed on one`;
}

const SLOWEST_COLUMNS: Array<Column<SlowRequest>> = [
  ['ms', (r) => r.latencyMs.toFixed(1)],
  ['type', (r) => r.type],
  ['status', (r) => String(r.status)],
  ['request id', (r) => r.requestId ?? '-'],
  ['path through the stack', (r) => r.historyUrl ?? ''],
];

/**
 * The slowest requests, each with the id the service gave it (its log lines' correlation id) and, against
 * the local stack, where its hops are in the request history; undefined when none was answered.
 */
function slowestSection(result: RunResult): string | undefined {
  if (result.slowest.length === 0) return undefined;
  return `slowest requests\n${textTable(SLOWEST_COLUMNS, result.slowest, [1, 3, 4])}`;
}

/** Where the local stack keeps its recent requests (local/request-history.ts); other servers have none. */
const HISTORY_PATH = '/__requests';

/**
 * Gives each of the slowest requests the address of its path through the stack, where its server is the
 * local stack, which keeps its recent and slowest requests at `/__requests` (answered with JSON there).
 *
 * @example
 * const slowest = await linkToRequestHistory(summary.slowest);
 */
export async function linkToRequestHistory(slowest: SlowRequest[]): Promise<SlowRequest[]> {
  // Only servers that give their requests ids, as API Gateway and the local stack do, are asked.
  const origins = [
    ...new Set(slowest.filter((request) => request.requestId).map((request) => new URL(request.url).origin)),
  ];
  const keeping = new Set<string>();
  await Promise.all(
    origins.map(async (origin) => {
      try {
        const answer = await fetch(`${origin}${HISTORY_PATH}.json`, { signal: AbortSignal.timeout(5_000) });
        await answer.body?.cancel();
        if (answer.ok && /^application\/json/.test(answer.headers.get('content-type') ?? ''))
          keeping.add(origin);
      } catch {
        // No history there, or the server is gone: the report lists the ids alone.
      }
    }),
  );
  return slowest.map((request) => {
    const origin = new URL(request.url).origin;
    if (!request.requestId || !keeping.has(origin)) return request;
    return { ...request, historyUrl: `${origin}${HISTORY_PATH}/${encodeURIComponent(request.requestId)}` };
  });
}

/** The verdict's last line: what failed, or that the run passed. */
function verdictLine(result: RunResult): string {
  if (result.problems.length > 0) return `✗ FAILED: ${result.problems.join('; ')}`;
  return result.thresholds.length > 0
    ? `✓ passed: all ${result.thresholds.length} thresholds held`
    : '✓ passed';
}

/**
 * The end-of-run console report: a headline, the latency table, failures by cause, the open loop's rate,
 * each threshold with pass or fail, warnings, and the verdict.
 */
export function formatReport(result: RunResult): string {
  const sections = [
    `${headline(result)}\n${textTable(LATENCY_COLUMNS, [...result.byType, result.total])}`,
    result.failures.length > 0
      ? `failures by cause\n${textTable(FAILURE_COLUMNS, result.failures, [0, 3])}`
      : '',
    rateLine(result) ?? '',
    throttledLine(result) ?? '',
    slowestSection(result) ?? '',
    result.thresholds.length > 0
      ? `thresholds\n${textTable(THRESHOLD_COLUMNS, result.thresholds, [0, 1])}`
      : '',
    result.warnings.map((warning) => `WARNING: ${warning}`).join('\n'),
    verdictLine(result),
  ];
  return sections.filter((section) => section !== '').join('\n\n');
}

function htmlTable<Row>(columns: Array<Column<Row>>, rows: Row[], rowClass = (_row: Row) => ''): string {
  const head = columns.map(([name]) => `<th>${escapeXml(name)}</th>`).join('');
  const body = rows
    .map((row) => {
      const cells = columns.map(([, cell], i) =>
        i === 0 ? `<th>${escapeXml(cell(row))}</th>` : `<td>${escapeXml(cell(row))}</td>`,
      );
      return `<tr class="${rowClass(row)}">${cells.join('')}</tr>`;
    })
    .join('\n');
  return `<table><tr>${head}</tr>\n${body}\n</table>`;
}

/** The slowest requests, each linked to its path through the stack when the local history keeps it. */
function slowestTable(slowest: SlowRequest[]): string {
  const rows = slowest.map((request) => {
    const id = escapeXml(request.requestId ?? '-');
    const href = escapeXml(request.historyUrl ?? '').replace(/"/g, '&quot;');
    const linked = request.historyUrl ? `<a href="${href}">${id}</a>` : id;
    return `<tr><td>${request.latencyMs.toFixed(1)}</td><td>${escapeXml(request.type)}</td><td>${request.status}</td><td><code>${linked}</code></td></tr>`;
  });
  return `<table><tr><th>ms</th><th>type</th><th>status</th><th>request id</th></tr>\n${rows.join('\n')}\n</table>`;
}

function htmlReport(result: RunResult, charts: string[]): string {
  const section = (title: string, content: string) => `<h2>${title}</h2>\n${content}`;
  const paragraphs = (lines: string[], cls: string) =>
    lines.map((line) => `<p class="${cls}">${escapeXml(line)}</p>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(result.title)}</title>
<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse;margin-bottom:1rem}td,th{padding:.3rem .7rem;border-bottom:1px solid #ddd}td{text-align:right}
.fail,.problem{color:#b00}.pass,.ok{color:#070}.warning{color:#a60}svg{display:block;margin:1rem 0}</style>
</head><body>
<h1>${escapeXml(result.title)}</h1>
<p>Started ${result.startedAt}; ${escapeXml(headline(result))}. Latencies in milliseconds.</p>
${paragraphs([verdictLine(result)], result.problems.length > 0 ? 'problem' : 'ok')}
${paragraphs(result.warnings, 'warning')}
${htmlTable(LATENCY_COLUMNS, [...result.byType, result.total])}
${result.failures.length > 0 ? section('Failures by cause', htmlTable(FAILURE_COLUMNS, result.failures)) : ''}
${rateLine(result) ? `<p>${escapeXml(rateLine(result) ?? '')}</p>` : ''}
${throttledLine(result) ? `<p>${escapeXml(throttledLine(result) ?? '')}</p>` : ''}
${result.slowest.length > 0 ? section('Slowest requests', slowestTable(result.slowest)) : ''}
${
  result.thresholds.length > 0
    ? section(
        'Thresholds',
        htmlTable(THRESHOLD_COLUMNS, result.thresholds, (t) => (t.passed ? 'pass' : 'fail')),
      )
    : ''
}
${charts.join('\n')}
</body></html>
`;
}

/**
 * Writes summary.json, report.html, throughput.svg and latency.svg into `dir` (the CSV is written during
 * the run).
 */
export async function writeReports(dir: string, result: RunResult): Promise<void> {
  await mkdir(dir, { recursive: true });
  const throughput = throughputChart(result.perSecond, result.title, result.wallTimeSeconds);
  // With one request type, its line and the total's are the same line.
  const lines = result.distribution.length === 2 ? result.distribution.slice(1) : result.distribution;
  const latency = latencyDistributionChart(lines, `latency by percentile: ${result.title}`);
  await Promise.all([
    writeFile(join(dir, 'summary.json'), `${JSON.stringify(result, null, 2)}\n`),
    writeFile(join(dir, 'throughput.svg'), throughput),
    writeFile(join(dir, 'latency.svg'), latency),
    writeFile(join(dir, 'report.html'), htmlReport(result, [throughput, latency])),
  ]);
}
