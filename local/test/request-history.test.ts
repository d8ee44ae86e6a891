import { describe, expect, it } from 'vitest';
import { createRequestHistory, invokeBatch, newTraceId, traceRoot } from '../request-history.js';

function manualClock() {
  let now = 1_000;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const logLine = (fields: Record<string, unknown>) =>
  `[applyReviews] ${JSON.stringify({ level: 'INFO', timestamp: '2026-12-02T08:00:00Z', ...fields })}`;

describe('the local request history', () => {
  it("keeps a request with its hops in the order they happened, its functions' lines among them", () => {
    const clock = manualClock();
    const history = createRequestHistory(10, clock.now);
    history.start('r1', 'POST', '/albums/a/reviews');
    clock.advance(2);
    history.noteLogLine(
      logLine({
        message: 'Review queued',
        function_name: 'album-service-local-postReview',
        correlation_id: 'r1',
      }),
    );
    clock.advance(3);
    history.hop('r1', 'function', 4.5); // began 0.5 ms after arrival, answered now
    history.finish('r1', 202);
    clock.advance(500);
    history.noteLogLine(
      logLine({
        message: 'Applying review',
        function_name: 'album-service-local-applyReviews',
        correlation_id: 'r1',
      }),
    );
    const [request, ...others] = history.list();
    expect(others).toEqual([]);
    expect(request).toMatchObject({
      id: 'r1',
      method: 'POST',
      path: '/albums/a/reviews',
      status: 202,
      durationMs: 5,
    });
    expect(request?.hops).toEqual([
      { name: 'front', atMs: 0, durationMs: 5 },
      { name: 'function', atMs: 0.5, durationMs: 4.5 },
      { name: 'postReview: Review queued', atMs: 2 },
      { name: 'applyReviews: Applying review', atMs: 505 },
    ]);
  });

  it('ignores lines that name no request it keeps, and lines that are not JSON', () => {
    const history = createRequestHistory();
    history.start('r1', 'GET', '/albums');
    history.noteLogLine('Applied migrations 001, 002');
    history.noteLogLine(logLine({ message: 'Applied review batch', applied: 3 }));
    history.noteLogLine(logLine({ message: 'Review queued', correlation_id: 'someone else' }));
    history.noteLogLine('"correlation_id": not JSON {');
    expect(history.list()[0]?.hops).toEqual([]);
  });

  it('keeps only the newest requests, newest first', () => {
    const history = createRequestHistory(3);
    for (const id of ['a', 'b', 'c', 'd', 'e']) history.start(id, 'GET', `/albums/${id}`);
    expect(history.list().map((request) => request.id)).toEqual(['e', 'd', 'c']);
  });

  it('escapes what a client sent on its page', async () => {
    const history = createRequestHistory();
    history.start('r1', 'GET', '/albums/<script>alert(1)</script>');
    let body = '';
    const response = {
      writeHead: () => response,
      end: (text: string) => {
        body = text;
      },
    };
    expect(history.serve('/__requests', {} as never, response as never)).toBe(true);
    expect(body).toContain('&#60;script&#62;');
    expect(body).not.toContain('<script>');
    expect(history.serve('/albums', {} as never, response as never)).toBe(false);
  });

  it("adds an emulator's call to the request whose trace it carried, and to no other", () => {
    const clock = manualClock();
    const history = createRequestHistory(10, clock.now);
    const trace = newTraceId();
    expect(trace).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    history.start('r1', 'GET', '/albums/a', trace);
    history.start('r2', 'GET', '/albums/b', newTraceId());
    clock.advance(10);
    // The SDK sends the trace with its own fields after the root.
    history.noteCall(`${trace};Parent=53995c3f42cd8ad8;Sampled=0`, 'data-api: ExecuteStatement SELECT 1', 4);
    history.noteCall(undefined, 'data-api: ExecuteStatement SELECT 2', 1);
    history.noteCall('Root=1-00000000-000000000000000000000000', 'data-api: ExecuteStatement SELECT 3', 1);
    expect(history.get('r1')?.hops).toEqual([
      { name: 'data-api: ExecuteStatement SELECT 1', atMs: 6, durationMs: 4 },
    ]);
    expect(history.get('r2')?.hops).toEqual([]);
    expect(traceRoot('Root=1-a-b;Parent=c')).toBe('1-a-b');
    expect(traceRoot('Parent=c')).toBeUndefined();
  });

  it("gives a consumer's batch to every request whose review is in it, with its time in the queue and its statements", async () => {
    const clock = manualClock();
    const history = createRequestHistory(10, clock.now);
    history.start('r1', 'POST', '/albums/a/reviews', newTraceId());
    history.start('r2', 'POST', '/albums/b/reviews', newTraceId());
    history.start('r3', 'GET', '/albums', newTraceId());
    const record = (id: string | undefined) => ({
      attributes: { SentTimestamp: String(Date.now() - 50) },
      messageAttributes: id ? { correlationId: { stringValue: id } } : {},
    });
    let batchTrace = '';
    await invokeBatch(
      history,
      'album-service-local-applyReviews',
      'correlationId',
      [record('r1'), record('r2'), record(undefined)],
      async (traceId) => {
        batchTrace = traceId;
        history.noteCall(traceId, 'data-api: ExecuteStatement INSERT INTO votes', 3);
      },
    );
    for (const id of ['r1', 'r2']) {
      const names = history.get(id)?.hops.map((hop) => hop.name);
      expect(names).toEqual(
        expect.arrayContaining([
          'queue: waited',
          'data-api: ExecuteStatement INSERT INTO votes',
          'applyReviews: batch of 3 (done)',
        ]),
      );
      const waited = history.get(id)?.hops.find((hop) => hop.name === 'queue: waited');
      expect(waited?.durationMs).toBeGreaterThanOrEqual(50);
    }
    expect(history.get('r3')?.hops).toEqual([]);
    expect(batchTrace).toMatch(/^Root=1-/);
    await expect(
      invokeBatch(history, 'applyReviews', 'correlationId', [record('r3')], async () => {
        throw new Error('the function failed');
      }),
    ).rejects.toThrow('the function failed');
    expect(history.get('r3')?.hops.map((hop) => hop.name)).toContain('applyReviews: batch of 1 (failed)');
  });

  it('keeps the slowest requests past the newest, and serves one by its id', () => {
    const clock = manualClock();
    const history = createRequestHistory(2, clock.now, 1);
    history.start('slow/+=', 'GET', '/albums');
    clock.advance(900);
    history.finish('slow/+=', 200);
    for (const id of ['a', 'b', 'c']) {
      history.start(id, 'GET', '/albums');
      clock.advance(5);
      history.finish(id, 200);
    }
    expect(history.list().map((request) => request.id)).toEqual(['c', 'b']);
    expect(history.get('slow/+=')).toMatchObject({ status: 200, durationMs: 900 });
    expect(history.get('a')).toBeUndefined();

    const served: { status?: number; body?: string } = {};
    const response = {
      writeHead: (status: number) => {
        served.status = status;
        return response;
      },
      end: (text: string) => {
        served.body = text;
      },
    };
    expect(
      history.serve(`/__requests/${encodeURIComponent('slow/+=')}.json`, {} as never, response as never),
    ).toBe(true);
    expect(served.status).toBe(200);
    expect(JSON.parse(served.body ?? '')).toMatchObject({ id: 'slow/+=', durationMs: 900 });
    history.serve(`/__requests/${encodeURIComponent('slow/+=')}`, {} as never, response as never);
    expect(served.body).toContain('slow/+=');
    history.serve('/__requests/a.json', {} as never, response as never);
    expect(served.status).toBe(404);
    history.serve('/__requests/%E0%A4%A', {} as never, response as never);
    expect(served.status).toBe(404);
  });

  it("keeps each minute's slowest, so that an earlier load run's do not crowd out a later one's", () => {
    const clock = manualClock();
    const history = createRequestHistory(1, clock.now, 2);
    const served = (id: string, ms: number) => {
      history.start(id, 'GET', '/albums');
      clock.advance(ms);
      history.finish(id, 200);
    };
    served('early-slow-1', 5_000);
    served('early-slow-2', 5_000);
    clock.advance(60_000);
    served('late-1', 300);
    served('late-2', 200);
    served('late-3', 100);
    served('newest', 1);
    expect(['early-slow-1', 'early-slow-2', 'late-1', 'late-2'].map((id) => history.get(id)?.id)).toEqual([
      'early-slow-1',
      'early-slow-2',
      'late-1',
      'late-2',
    ]);
    expect(history.get('late-3')).toBeUndefined();
    // Ten minutes on, the early ones are gone.
    clock.advance(10 * 60_000);
    served('much-later', 1);
    expect(history.get('early-slow-1')).toBeUndefined();
  });
});
