import { afterEach, describe, expect, it, vi } from 'vitest';
import { Recorder, runClock } from '../recorder.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the recorder', () => {
  it("keeps a run's requests out of its warm-up when the wall clock has drifted from the run's clock", async () => {
    // A long-lived process's Date.now() can stand seconds away from performance's monotonic clock.
    vi.spyOn(Date, 'now').mockReturnValue(runClock() + 5_000);
    const recorder = new Recorder();
    recorder.record(runClock(), 'GET /albums', 3, 200, 0);
    const summary = await recorder.finish();
    expect(summary.warmupRequests).toBe(0);
    expect(summary.total).toMatchObject({ count: 1, ok: 1, failed: 0 });
  });
});
