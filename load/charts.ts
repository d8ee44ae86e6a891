import type { LatencyDistribution, SecondSummary } from './recorder.js';

const WIDTH = 800;
const HEIGHT = 340;
const MARGIN = { left: 64, right: 64, top: 34, bottom: 46 };
const PLOT = { width: WIDTH - MARGIN.left - MARGIN.right, height: HEIGHT - MARGIN.top - MARGIN.bottom };
const BOTTOM = MARGIN.top + PLOT.height;
const RIGHT = MARGIN.left + PLOT.width;
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const fixed = (n: number) => n.toFixed(1);

/**
 * Round tick values from 0 to at least `max`, stepping 1, 2, 2.5 or 5 times a power of ten, so gridlines
 * fall on numbers a reader can use.
 *
 * @example
 * niceTicks(87); // [0, 20, 40, 60, 80, 100]
 */
export function niceTicks(max: number, target = 5): number[] {
  const rough = Math.max(max, Number.EPSILON) / target;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * power >= rough) ?? 10) * power;
  const count = Math.max(1, Math.ceil(max / step - 1e-9));
  return Array.from({ length: count + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

const label = (value: number) =>
  value >= 10_000 ? `${value / 1000}k` : String(Number(value.toPrecision(4)));

/** Horizontal gridlines with labels on the left (and, for a second scale, tick labels on the right). */
function yGrid(ticks: number[], y: (v: number) => number, colour: string, side: 'left' | 'right'): string {
  return ticks
    .map((tick) => {
      const at = fixed(y(tick));
      const line =
        side === 'left'
          ? `<line x1="${MARGIN.left}" y1="${at}" x2="${RIGHT}" y2="${at}" stroke="#e4e4e4"/>`
          : `<line x1="${RIGHT}" y1="${at}" x2="${RIGHT + 5}" y2="${at}" stroke="${colour}"/>`;
      const x = side === 'left' ? MARGIN.left - 6 : RIGHT + 8;
      const anchor = side === 'left' ? 'end' : 'start';
      return `${line}<text x="${x}" y="${at}" dy="4" text-anchor="${anchor}" fill="${colour}">${label(tick)}</text>`;
    })
    .join('\n  ');
}

/** Vertical gridlines with a label under each tick. */
function xGrid(ticks: Array<[number, string]>, x: (v: number) => number): string {
  return ticks
    .map(([tick, text]) => {
      const at = fixed(x(tick));
      return `<line x1="${at}" y1="${MARGIN.top}" x2="${at}" y2="${BOTTOM}" stroke="#e4e4e4"/><text x="${at}" y="${BOTTOM + 16}" text-anchor="middle">${text}</text>`;
    })
    .join('\n  ');
}

const frame = (
  title: string,
  body: string,
  xTitle: string,
) => `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">
  <rect width="100%" height="100%" fill="white"/>
  <text x="${WIDTH / 2}" y="20" text-anchor="middle" font-size="14">${escapeXml(title)}</text>
  ${body}
  <rect x="${MARGIN.left}" y="${MARGIN.top}" width="${PLOT.width}" height="${PLOT.height}" fill="none" stroke="#444"/>
  <text x="${MARGIN.left + PLOT.width / 2}" y="${HEIGHT - 8}" text-anchor="middle">${xTitle}</text>
</svg>`;

const verticalTitle = (text: string, x: number, colour: string, angle: number) =>
  `<text x="${x}" y="${MARGIN.top + PLOT.height / 2}" transform="rotate(${angle} ${x} ${MARGIN.top + PLOT.height / 2})" text-anchor="middle" fill="${colour}">${text}</text>`;

/**
 * Requests completed and p99 latency for each second of the run, as a standalone SVG. The warm-up is
 * shaded, and the p99 scale fits the measured seconds, so a warm-up spike does not flatten the rest
 * (it is drawn cut off at the top). A last second that is mostly past the end of the run is left out.
 */
export function throughputChart(allSeconds: SecondSummary[], title: string, wallTimeSeconds: number): string {
  // The run's last moments fill a fraction of a second: drawn as a whole one, they look like a collapse.
  const last = allSeconds.at(-1);
  const perSecond =
    last && allSeconds.length > 1 && wallTimeSeconds - last.second < 0.5
      ? allSeconds.slice(0, -1)
      : allSeconds;
  const seconds = Math.max(1, perSecond.length - 1);
  const measured = perSecond.filter((s) => !s.warmup);
  const rateTicks = niceTicks(Math.max(1, ...perSecond.map((s) => s.completed)));
  const p99Ticks = niceTicks(Math.max(1, ...(measured.length ? measured : perSecond).map((s) => s.p99Ms)));
  const rateTop = rateTicks.at(-1) ?? 1;
  const p99Top = p99Ticks.at(-1) ?? 1;
  const x = (second: number) => MARGIN.left + (second / seconds) * PLOT.width;
  const y = (value: number, top: number) => BOTTOM - (Math.min(value, top) / top) * PLOT.height;
  const line = (values: number[], top: number, colour: string) =>
    `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${values.map((v, i) => `${fixed(x(i))},${fixed(y(v, top))}`).join(' ')}"/>`;
  const warmupEnd = perSecond.findIndex((s) => !s.warmup);
  const warmupSeconds = warmupEnd === -1 ? perSecond.length : warmupEnd;
  const warmup =
    warmupSeconds > 0
      ? `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${fixed(x(Math.min(warmupSeconds, seconds)) - MARGIN.left)}" height="${PLOT.height}" fill="#f0f0f0"/><text x="${MARGIN.left + 4}" y="${MARGIN.top + 14}" fill="#777">warm-up (not in the statistics)</text>`
      : '';
  const body = [
    warmup,
    yGrid(rateTicks, (v) => y(v, rateTop), '#1f77b4', 'left'),
    yGrid(p99Ticks, (v) => y(v, p99Top), '#d62728', 'right'),
    xGrid(
      niceTicks(seconds, 8)
        .filter((tick) => tick <= seconds)
        .map((tick) => [tick, label(tick)]),
      x,
    ),
    verticalTitle('requests completed / s', 16, '#1f77b4', -90),
    verticalTitle('p99 latency (ms)', WIDTH - 12, '#d62728', 90),
    line(
      perSecond.map((s) => s.completed),
      rateTop,
      '#1f77b4',
    ),
    line(
      perSecond.map((s) => s.p99Ms),
      p99Top,
      '#d62728',
    ),
  ].join('\n  ');
  return frame(title, body, 'seconds into the run');
}

/** Where a percentile sits on the HDR plot's axis: 0 at p0, 1 at p90, 2 at p99, 3 at p99.9… */
const nines = (percentile: number) => Math.log10(100 / (100 - Math.min(percentile, 99.9999)));

/**
 * Latency by percentile on a log scale of nines (0, 90, 99, 99.9, 99.99…), one line per request type,
 * as HdrHistogram's plotter draws it: the tail gets as much room as the body.
 */
export function latencyDistributionChart(distributions: LatencyDistribution[], title: string): string {
  const lines = distributions.filter((d) => d.points.length > 0).slice(0, COLOURS.length);
  const reach = Math.max(1, ...lines.flatMap((d) => d.points.map(([p]) => Math.ceil(nines(p) - 1e-9))));
  const msTicks = niceTicks(Math.max(0.001, ...lines.flatMap((d) => d.points.map(([, ms]) => ms))));
  const msTop = msTicks.at(-1) ?? 1;
  const x = (n: number) => MARGIN.left + (n / reach) * PLOT.width;
  const y = (ms: number) => BOTTOM - (ms / msTop) * PLOT.height;
  const percentileTicks = Array.from({ length: reach + 1 }, (_, n): [number, string] => [
    n,
    n === 0 ? '0' : String(Number((100 - 100 / 10 ** n).toFixed(n))),
  ]);
  const body = [
    yGrid(msTicks, y, '#333', 'left'),
    xGrid(percentileTicks, x),
    verticalTitle('latency (ms)', 16, '#333', -90),
    ...lines.map(
      (d, i) =>
        `<polyline fill="none" stroke="${COLOURS[i]}" stroke-width="2" points="${d.points.map(([p, ms]) => `${fixed(x(nines(p)))},${fixed(y(ms))}`).join(' ')}"/>` +
        `<text x="${MARGIN.left + 10}" y="${MARGIN.top + 16 + i * 15}" fill="${COLOURS[i]}">${escapeXml(d.type)}</text>`,
    ),
  ].join('\n  ');
  return frame(title, body, 'percentile (log scale of nines)');
}
