import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The oldest Node the project runs on, from package.json's `engines` (`>=22.13`: `node:sqlite` without a
 * flag, which the S3 and SQS emulators keep their state in).
 */
export function requiredNode(): string {
  const manifest = JSON.parse(readFileSync(resolve(import.meta.dirname, '..', 'package.json'), 'utf8')) as {
    engines: { node: string };
  };
  const minimum = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(manifest.engines.node)?.[1];
  if (!minimum) throw new Error(`package.json engines.node is not ">=<version>": ${manifest.engines.node}`);
  return minimum;
}

/**
 * One line saying that `version` (as `process.version` gives it) is older than `minimum` and how to run
 * on a Node new enough; undefined when it is recent enough.
 *
 * @example
 * tooOldNodeMessage('v20.20.2', '22.13'); // 'Node v20.20.2 is too old for the local stack: it needs 22.13 or newer…'
 */
export function tooOldNodeMessage(version: string, minimum: string): string | undefined {
  const have = version.replace(/^v/, '').split('.').map(Number);
  const need = minimum.split('.').map(Number);
  for (let i = 0; i < need.length; i++) {
    const difference = (have[i] ?? 0) - (need[i] ?? 0);
    if (difference > 0) return undefined;
    if (difference < 0) {
      return `Node ${version} is too old for the local stack: it needs ${minimum} or newer (npm start runs the Node 22 that npm install brings)`;
    }
  }
  return undefined;
}
