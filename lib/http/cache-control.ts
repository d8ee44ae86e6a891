/**
 * `Cache-Control` of an album. Its most changeable part is the review counts, which a
 * container reuses for `countsTtlMs`: a browser or CDN may reuse the whole response for as long again,
 * whole seconds, and must ask again after (with `If-None-Match`, so an unchanged album costs no body).
 * `public`, as no response depends on who asks. The cover URL inside stays valid far longer than this
 * (the configuration caps the counts' lifetime at a minute; a URL is valid for four at the least).
 *
 * @example
 * albumCacheControl(1_000); // 'public, max-age=1'
 * albumCacheControl(0); // 'no-cache': counts read on every request, so every copy is checked first
 */
export function albumCacheControl(countsTtlMs: number): string {
  const seconds = Math.floor(countsTtlMs / 1000);
  return seconds > 0 ? `public, max-age=${seconds}` : 'no-cache';
}
