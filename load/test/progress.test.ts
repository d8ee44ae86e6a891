import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startProgress } from '../progress.js';
import { Recorder } from '../recorder.js';

/** A stand-in for stderr that keeps what was written. */
const stream = (isTTY: boolean) => {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) };
};

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the progress line', () => {
  it('is rewritten every second on a terminal, failures and requests with no answer apart', () => {
    const recorder = new Recorder();
    const terminal = stream(true);
    const progress = startProgress(recorder, terminal);
    for (let i = 0; i < 7; i++) recorder.record(Date.now(), 'GET /', 2, 200, 0);
    recorder.recordFailure(Date.now(), 'GET /', 1, 0, 0, {
      cause: 'connection refused',
      detail: 'ECONNREFUSED',
    });
    vi.advanceTimersByTime(1000);
    expect(terminal.written).toEqual([
      expect.stringMatching(/^\r1 s {2}7 req\/s {2}8 done {2}1 failed \(1 no answer\) *$/),
    ]);
    for (let i = 0; i < 3; i++) recorder.record(Date.now(), 'GET /', 2, 200, 0);
    vi.advanceTimersByTime(1000);
    expect(terminal.written[1]).toMatch(/^\r2 s {2}3 req\/s {2}11 done {2}1 failed \(1 no answer\)/);
    progress.stop();
    expect(terminal.written.at(-1)).toBe('\n');
  });

  it('says nothing when the output is not a terminal', () => {
    const recorder = new Recorder();
    const log = stream(false);
    const progress = startProgress(recorder, log);
    recorder.record(Date.now(), 'GET /', 2, 200, 0);
    vi.advanceTimersByTime(10_000);
    progress.stop();
    expect(log.written).toEqual([]);
  });
});
