import type { RequestSpec } from './http.js';

export type ReviewKind = 'like' | 'dislike';

/** How one API spells the four requests the course protocol makes. */
export interface AlbumApiDialect {
  createAlbum(index: number): RequestSpec;
  /** The new album's id, read from the create response's body. */
  albumIdFrom(body: string): string | undefined;
  getAlbum(albumId: string): RequestSpec;
  review(albumId: string, kind: ReviewKind): RequestSpec;
  getReviews(albumId: string): RequestSpec;
}

/** A 1×1 PNG: the smallest real image, used when no --image is given. */
export const DEFAULT_IMAGE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

const join = (base: string, path: string) => `${base.replace(/\/+$/, '')}/${path}`;

const profile = (index: number) => ({
  artist: 'Sex Pistols',
  title: `Never Mind The Bollocks ${index}`,
  year: '1977',
});

/** The CS6650 Album Store contract: multipart album creation, `review/{likeornot}/{id}` paths. */
export function courseDialect(baseUrl: string, image: Buffer = DEFAULT_IMAGE): AlbumApiDialect {
  const boundary = '----album-load-client-boundary';
  return {
    createAlbum(index) {
      const body = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="profile"\r\nContent-Type: application/json\r\n\r\n` +
            `${JSON.stringify(profile(index))}\r\n` +
            `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="cover.png"\r\n` +
            'Content-Type: application/octet-stream\r\n\r\n',
        ),
        image,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      return {
        method: 'POST',
        url: join(baseUrl, 'albums'),
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
      };
    },
    albumIdFrom: (body) => (JSON.parse(body) as { albumID?: string }).albumID,
    getAlbum: (albumId) => ({ method: 'GET', url: join(baseUrl, `albums/${albumId}`) }),
    review: (albumId, kind) => ({ method: 'POST', url: join(baseUrl, `review/${kind}/${albumId}`) }),
    getReviews: (albumId) => ({ method: 'GET', url: join(baseUrl, `review/${albumId}`) }),
  };
}

/** This service's own JSON API; its writes carry `token`, a signed-in user's bearer token. */
export function nativeDialect(baseUrl: string, token: string): AlbumApiDialect {
  const json = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  return {
    createAlbum: (index) => ({
      method: 'POST',
      url: join(baseUrl, 'albums'),
      headers: json,
      body: JSON.stringify({ ...profile(index), year: 1977 }),
    }),
    albumIdFrom: (body) => (JSON.parse(body) as { albumId?: string }).albumId,
    getAlbum: (albumId) => ({ method: 'GET', url: join(baseUrl, `albums/${albumId}`) }),
    review: (albumId, kind) => ({
      method: 'POST',
      url: join(baseUrl, `albums/${albumId}/reviews`),
      headers: json,
      body: JSON.stringify({ kind }),
    }),
    getReviews: (albumId) => ({ method: 'GET', url: join(baseUrl, `albums/${albumId}/reviews`) }),
  };
}
