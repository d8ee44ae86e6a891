import { describe, expect, it } from 'vitest';
import { pathProblem } from '../api-paths.js';

describe('pathProblem', () => {
  it.each([
    '/',
    '/albums',
    '/albums/6f1c2a1e-0000-4000-8000-000000000000/cover',
    '/albums/...',
    '/albums/.hidden',
    '/albums/a..b',
    '/albums/%2e%2e%2e',
    '/app/app.js',
  ])('routes %s as it stands', (path) => {
    expect(pathProblem(path)).toBeUndefined();
  });

  it.each([
    '/albums/..',
    '/albums/.',
    '/albums/../cover',
    '/./albums',
    '/albums/%2e%2E',
    '/albums/.%2e/x',
    '/%2e',
  ])('refuses the dot segment in %s', (path) => {
    expect(pathProblem(path)).toBe("the path must not contain '.' or '..' segments");
  });

  it('refuses a backslash, which the router behind would read as a slash', () => {
    expect(pathProblem('/albums\\..\\cover')).toBe('the path must not contain backslashes');
  });
});
