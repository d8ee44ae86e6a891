/**
 * Why the front refuses `path` (a request target's path, as sent) before any route sees it, or undefined if
 * it may be routed. API Gateway's HTTP API matches a path segment by segment (its documentation describes
 * no resolution of dot segments), so there a `.` or `..` segment can only stand where an id or a file name
 * does, and none of ours is one: the function refuses it. serverless-offline's router, behind the front,
 * resolves them instead (percent-encoded ones too, and `\` as `/`, as a browser would), serving another
 * route than the one the path names or listing every route in a 404. Refusing such paths outright keeps
 * the answer a 400 either way, and keeps the emulator's own router out of reach.
 *
 * @example
 * pathProblem('/albums/../cover'); // "the path must not contain '.' or '..' segments"
 * pathProblem('/albums/6f1c2a1e-0000-4000-8000-000000000000'); // undefined
 */
export function pathProblem(path: string): string | undefined {
  if (path.includes('\\')) return 'the path must not contain backslashes';
  if (path.split('/').some((segment) => DOT_SEGMENT.test(segment))) {
    return "the path must not contain '.' or '..' segments";
  }
  return undefined;
}

/** `.` or `..`, either dot written as itself or percent-encoded. */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
