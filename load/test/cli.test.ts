import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, refusingUrl, scriptedServers } from './server.js';

let out: string;
const { serve, closeAll } = scriptedServers();

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'load-cli-'));
});

afterAll(async () => {
  closeAll();
  await rm(out, { recursive: true, force: true });
});

/** Runs the album-load command as a user would, and collects what it printed and its exit code. */
async function albumLoad(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'album-load.mjs'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

const lines = (text: string) => text.trim().split('\n');

describe('the album-load command', () => {
  it('answers a bad flag or argument with one line and exit 2, no stack trace', async () => {
    for (const args of [
      ['closed', 'http://127.0.0.1:1/', '--bogus'],
      ['closed', 'http://127.0.0.1:1/', '--threshold', 'p99 < fast'],
      ['closed', 'http://127.0.0.1:1/', '--connections', 'many'],
      ['open', 'http://127.0.0.1:1/'],
      ['sideways', 'http://127.0.0.1:1/'],
      ['course', '1', '1', '0', 'http://127.0.0.1:1/', '--api', 'native'],
      ['course', '1', '1', '0', 'http://127.0.0.1:1/cs6650/', '--token', 'a.b.c'],
    ]) {
      const { code, stdout, stderr } = await albumLoad(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stdout).toBe('');
      expect(lines(stderr)).toHaveLength(1);
      expect(stderr).toMatch(/^album-load: .*\(usage: album-load course\|closed\|open/);
      expect(stderr).not.toMatch(/\n\s+at |ERR_PARSE_ARGS/);
    }
    expect((await albumLoad(['closed', 'http://127.0.0.1:1/', '--bogus'])).stderr).toContain("'--bogus'");
    expect(
      (await albumLoad(['course', '1', '1', '0', 'http://127.0.0.1:1/', '--api', 'native'])).stderr,
    ).toContain('--api native needs --token <jwt>');
  });

  it('fails a run where every request failed, saying why in one line', async () => {
    const url = await refusingUrl();
    const { code, stderr } = await albumLoad([
      'closed',
      `${url}/`,
      '--requests',
      '60',
      '--quiet',
      '--out',
      join(out, 'refused'),
    ]);
    expect(code).toBe(97);
    expect(lines(stderr)).toEqual([
      expect.stringMatching(/^album-load: every request failed: 60 × connection refused \(ECONNREFUSED/),
    ]);
  });

  it('stops a run whose every request failed in its first seconds, with the cause, in one line', async () => {
    const url = await refusingUrl();
    const startedAt = Date.now();
    const { code, stderr } = await albumLoad([
      'closed',
      `${url}/`,
      '--duration',
      '60',
      '--quiet',
      '--out',
      join(out, 'stopped'),
    ]);
    expect(code).toBe(97);
    expect(Date.now() - startedAt).toBeLessThan(20_000);
    expect(lines(stderr)).toEqual([
      expect.stringMatching(
        /^album-load: stopped after 3 s: all \d+ requests failed, the first with connection refused \(ECONNREFUSED/,
      ),
    ]);
  });

  it('lists each threshold with pass or fail, and exits 99 when one is crossed', async () => {
    const url = await serve((_request, response) => json(response, 200));
    const base = ['closed', `${url}/`, '--requests', '200', '--out', join(out, 'thresholds')];
    const failing = await albumLoad([...base, '--threshold', 'p99<1000', '--threshold', 'p50<0.001']);
    expect(failing.code).toBe(99);
    expect(failing.stdout).toMatch(/✓ pass\s+p99<1000\s+[\d.]+ ms/);
    expect(failing.stdout).toMatch(/✗ FAIL\s+p50<0.001\s+[\d.]+ ms/);
    expect(failing.stdout).toContain('✗ FAILED: 1 of 2 thresholds crossed: p50<0.001');

    const passing = await albumLoad([...base, '--threshold', 'p99<1000', '--max-failed', '0']);
    expect(passing.code).toBe(0);
    expect(passing.stdout).toContain('✓ passed: all 2 thresholds held');
  });
});
