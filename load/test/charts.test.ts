import { describe, expect, it } from 'vitest';
import { latencyDistributionChart, niceTicks, throughputChart } from '../charts.js';

/** The x coordinates of the first line drawn. */
const firstLineXs = (svg: string) =>
  (/points="([^"]*)"/.exec(svg)?.[1] ?? '').split(' ').map((point) => Number(point.split(',')[0]));
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);

describe('charts', () => {
  it('put ticks on round numbers covering the range', () => {
    expect(niceTicks(87)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(12_400)).toEqual([0, 2500, 5000, 7500, 10_000, 12_500]);
  });

  it('label gridlines on both scales, shade the warm-up, and scale p99 to the measured seconds', () => {
    const perSecond = [
      { second: 0, completed: 50, errors: 0, p99Ms: 900, warmup: true },
      { second: 1, completed: 400, errors: 0, p99Ms: 8, warmup: false },
      { second: 2, completed: 410, errors: 0, p99Ms: 9, warmup: false },
    ];
    const svg = throughputChart(perSecond, 'a run', 3);
    expect(texts(svg)).toEqual(expect.arrayContaining(['0', '100', '200', '300', '400', '500', '2', '10']));
    expect(svg).toContain('warm-up');
    expect(texts(svg)).not.toContain('1000'); // the 900 ms warm-up spike does not set the p99 scale
  });

  it('leave out a last second that mostly lies past the end of the run', () => {
    const second = (n: number, completed: number) => ({
      second: n,
      completed,
      errors: 0,
      p99Ms: 1,
      warmup: false,
    });
    const perSecond = [second(0, 400), second(1, 400), second(2, 3)];
    expect(firstLineXs(throughputChart(perSecond, 'a run', 2.1))).toHaveLength(2);
    expect(firstLineXs(throughputChart(perSecond, 'a run', 2.9))).toHaveLength(3);
  });

  it('plot latency by percentile on a log axis of nines', () => {
    const svg = latencyDistributionChart(
      [
        {
          type: 'all',
          points: [
            [0, 1],
            [90, 2],
            [99, 5],
            [99.9, 20],
            [99.99, 21],
          ],
        },
      ],
      'latency',
    );
    expect(texts(svg)).toEqual(expect.arrayContaining(['0', '90', '99', '99.9', '99.99', 'all']));
    const [x0 = 0, x90 = 0, x99 = 0] = firstLineXs(svg);
    expect(x99 - x90).toBeCloseTo(x90 - x0, 0); // as much room for each nine
  });
});
