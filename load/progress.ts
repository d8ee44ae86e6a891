import type { Recorder } from './recorder.js';

/** Where progress goes: stderr, or a stand-in with the same two members. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * Reports progress once a second on a terminal, as one line rewritten in place: answers per second, requests
 * done, and the failed among them, those with no answer apart. Not on a terminal (a log, a pipe, CI) it
 * says nothing, so the log holds only the report.
 */
export function startProgress(recorder: Recorder, stream: ProgressStream = process.stderr): { stop(): void } {
  if (stream.isTTY !== true) return { stop() {} };
  let last = recorder.progress;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = recorder.progress;
    ticks++;
    const answered = now.completed - now.unanswered - (last.completed - last.unanswered);
    const failed = `${now.errors} failed${now.unanswered > 0 ? ` (${now.unanswered} no answer)` : ''}`;
    stream.write(`\r${`${ticks} s  ${answered} req/s  ${now.completed} done  ${failed}`.padEnd(70)}`);
    last = now;
  }, 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      stream.write('\n');
    },
  };
}
