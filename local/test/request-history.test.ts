import { describe, expect, it } from 'vitest';
import { createRequestHistory } from '../request-history.js';

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
});
