import type { Recorder } from './recorder.js';

/**
 * Reports progress on stderr once a second: on a terminal as one line rewritten in place, otherwise as
 * a plain line every five seconds, so logs stay readable.
 */
export function startProgress(recorder: Recorder): { stop(): void } {
  const interactive = process.stderr.isTTY === true;
  let last = recorder.progress;
  let ticks = 0;
  const timer = setInterval(() => {
    const now = recorder.progress;
    ticks++;
    const line = `${ticks} s  ${now.completed - last.completed} req/s  ${now.completed} done  ${now.errors} errors`;
    last = now;
    if (interactive) process.stderr.write(`\r${line.padEnd(70)}`);
    else if (ticks % 5 === 0) process.stderr.write(`${line}\n`);
  }, 1000);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      if (interactive) process.stderr.write('\n');
    },
  };
}
