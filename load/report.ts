import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunSummary, SecondSummary, TypeSummary } from './recorder.js';

const COLUMNS: Array<[string, (row: TypeSummary) => string]> = [
  ['type', (r) => r.type],
  ['count', (r) => String(r.count)],
  ['ok', (r) => String(r.ok)],
  ['failed', (r) => String(r.failed)],
  ['req/s', (r) => r.throughput.toFixed(1)],
  ['mean ms', (r) => r.meanMs.toFixed(2)],
  ['p50', (r) => r.p50Ms.toFixed(2)],
  ['p90', (r) => r.p90Ms.toFixed(2)],
  ['p99', (r) => r.p99Ms.toFixed(2)],
  ['p99.9', (r) => r.p999Ms.toFixed(2)],
  ['min', (r) => r.minMs.toFixed(2)],
  ['max', (r) => r.maxMs.toFixed(2)],
];

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** The end-of-run table: one row per request type and a total. */
export function formatTable(summary: RunSummary): string {
  const rows = [...summary.byType, summary.total].map((row) => COLUMNS.map(([, cell]) => cell(row)));
  const widths = COLUMNS.map(([title], i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  return [
    `wall time ${summary.wallTimeSeconds.toFixed(2)} s, ${summary.total.ok} ok, ${summary.total.failed} failed, ` +
      `throughput ${summary.total.throughput.toFixed(1)} req/s`,
    line(COLUMNS.map(([title]) => title)),
    ...rows.map(line),
  ].join('\n');
}

/** A chart of completed requests and p99 latency for each second of the run, as a standalone SVG. */
export function throughputChart(perSecond: SecondSummary[], title: string): string {
  const width = 800;
  const height = 320;
  const margin = { left: 60, right: 60, top: 30, bottom: 40 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const seconds = Math.max(1, perSecond.length - 1);
  const maxRate = Math.max(1, ...perSecond.map((s) => s.completed));
  const maxP99 = Math.max(1, ...perSecond.map((s) => s.p99Ms));
  const x = (second: number) => margin.left + (second / seconds) * plotWidth;
  const y = (value: number, max: number) => margin.top + plotHeight - (value / max) * plotHeight;
  const line = (values: number[], max: number) =>
    values.map((v, i) => `${x(i).toFixed(1)},${y(v, max).toFixed(1)}`).join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">
  <rect width="100%" height="100%" fill="white"/>
  <text x="${width / 2}" y="18" text-anchor="middle" font-size="14">${escapeXml(title)}</text>
  <line x1="${margin.left}" y1="${margin.top + plotHeight}" x2="${margin.left + plotWidth}" y2="${margin.top + plotHeight}" stroke="#444"/>
  <line x1="${margin.left}" y1="${margin.top}" x2="${margin.left}" y2="${margin.top + plotHeight}" stroke="#1f77b4"/>
  <line x1="${margin.left + plotWidth}" y1="${margin.top}" x2="${margin.left + plotWidth}" y2="${margin.top + plotHeight}" stroke="#d62728"/>
  <text x="${margin.left - 6}" y="${margin.top + 4}" text-anchor="end" fill="#1f77b4">${maxRate}</text>
  <text x="${margin.left - 6}" y="${margin.top + plotHeight}" text-anchor="end" fill="#1f77b4">0</text>
  <text x="${margin.left + plotWidth + 6}" y="${margin.top + 4}" fill="#d62728">${maxP99.toFixed(1)}</text>
  <text x="${margin.left + plotWidth + 6}" y="${margin.top + plotHeight}" fill="#d62728">0</text>
  <text x="${margin.left + plotWidth / 2}" y="${height - 8}" text-anchor="middle">seconds into the run (0–${seconds})</text>
  <text x="14" y="${margin.top + plotHeight / 2}" transform="rotate(-90 14 ${margin.top + plotHeight / 2})" text-anchor="middle" fill="#1f77b4">requests completed / s</text>
  <text x="${width - 10}" y="${margin.top + plotHeight / 2}" transform="rotate(90 ${width - 10} ${margin.top + plotHeight / 2})" text-anchor="middle" fill="#d62728">p99 latency (ms)</text>
  <polyline fill="none" stroke="#1f77b4" stroke-width="2" points="${line(
    perSecond.map((s) => s.completed),
    maxRate,
  )}"/>
  <polyline fill="none" stroke="#d62728" stroke-width="2" points="${line(
    perSecond.map((s) => s.p99Ms),
    maxP99,
  )}"/>
</svg>`;
}

function htmlReport(summary: RunSummary, title: string, chart: string): string {
  const rows = [...summary.byType, summary.total]
    .map(
      (row) =>
        `<tr>${COLUMNS.map(([, cell], i) => (i === 0 ? `<th>${cell(row)}</th>` : `<td>${cell(row)}</td>`)).join('')}</tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(title)}</title>
<style>body{font-family:sans-serif;margin:2rem}table{border-collapse:collapse}td,th{padding:.3rem .7rem;border-bottom:1px solid #ddd}td{text-align:right}</style>
</head><body>
<h1>${escapeXml(title)}</h1>
<p>Started ${summary.startedAt}; wall time ${summary.wallTimeSeconds.toFixed(2)} s; throughput ${summary.total.throughput.toFixed(1)} req/s;
${summary.total.ok} succeeded, ${summary.total.failed} failed. Latencies in milliseconds.</p>
<table><tr>${COLUMNS.map(([name]) => `<th>${name}</th>`).join('')}</tr>
${rows}
</table>
${chart}
</body></html>
`;
}

/** Writes summary.json, report.html and throughput.svg into `dir` (the CSV is written during the run). */
export async function writeReports(dir: string, summary: RunSummary, title: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const chart = throughputChart(summary.perSecond, title);
  await Promise.all([
    writeFile(join(dir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`),
    writeFile(join(dir, 'throughput.svg'), chart),
    writeFile(join(dir, 'report.html'), htmlReport(summary, title, chart)),
  ]);
}
