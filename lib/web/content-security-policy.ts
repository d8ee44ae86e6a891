import type { WebPageConfig } from '../config.js';

/**
 * The Content-Security-Policy of the web page: it runs and styles only its own files, shows images from
 * itself (the favicon is a `data:` URL) and the covers bucket, sends requests only to the API, the bucket
 * (cover uploads) and the sign-in service (its discovery document, keys and token endpoint), and may not be
 * framed, so an injected script or a rogue frame
 * has nowhere to load from or report to.
 *
 * @example
 * headers: { 'content-security-policy': pageContentSecurityPolicy(loadWebPageConfig()) }
 */
export function pageContentSecurityPolicy(config: WebPageConfig): string {
  return Object.entries(pageContentSecurityDirectives(config))
    .map(([directive, sources]) => `${directive} ${sources}`)
    .join('; ');
}

/**
 * The same policy as directives and their sources, as middy's http-security-headers takes it.
 *
 * @example
 * pageSecurityHeaders(pageContentSecurityDirectives(loadWebPageConfig()));
 */
export function pageContentSecurityDirectives({
  signInOrigins,
  storageOrigin,
}: WebPageConfig): Record<string, string> {
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', storageOrigin],
    'connect-src': ["'self'", storageOrigin, ...signInOrigins],
    'form-action': ["'self'"],
    'base-uri': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.fromEntries(
    Object.entries(directives).map(([directive, sources]) => [directive, [...new Set(sources)].join(' ')]),
  );
}
