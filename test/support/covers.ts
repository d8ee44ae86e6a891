import type { LocalStack } from '@album-service/local';
import { LOCAL_CREDENTIALS } from '@album-service/local/credentials';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Album } from '../../lib/schemas.js';
import { eventually } from './stack.js';

/** A presigned POST as the API hands it out. */
export interface Upload {
  url: string;
  fields: Record<string, string>;
  key: string;
}

/** Uploads bytes as a browser would: the given fields, then the image's Content-Type, then the file. */
export function uploadCover(upload: Upload, bytes: Buffer, contentType = 'image/png'): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('Content-Type', contentType);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }), 'cover');
  return fetch(upload.url, { method: 'POST', body: form });
}

/**
 * Polls `GET /albums/{albumId}` until verification has judged an upload: the one at `key` when given,
 * otherwise any. Returns the album as the API then shows it.
 */
export function coverJudged(apiUrl: string, albumId: string, key?: string, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const album = (await (await fetch(`${apiUrl}/albums/${albumId}`)).json()) as Album;
      const judged = album.cover.upload;
      return judged && (key === undefined || judged.key === key) ? album : undefined;
    },
    timeoutMs,
    `the cover of ${albumId} to be verified`,
  );
}

/** The bytes of the cover an album shows, fetched from its presigned URL. */
export async function shownCoverBytes(album: Album): Promise<Buffer> {
  if (!album.cover.url) throw new Error(`album ${album.albumId} shows no cover (${album.cover.status})`);
  const response = await fetch(album.cover.url);
  if (!response.ok) throw new Error(`cover download answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/**
 * The stack's covers bucket, through an S3 client of the test's own: `stored(key)` tells whether an object is
 * there, `removed(key)` waits for it to be gone.
 */
export function coversBucket(stack: Pick<LocalStack, 's3Url' | 'environment'>) {
  const s3 = new S3Client({
    endpoint: stack.s3Url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: LOCAL_CREDENTIALS,
  });
  const bucket = stack.environment.COVERS_BUCKET;
  const stored = (key: string) =>
    s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
      () => true,
      () => false,
    );
  return {
    s3,
    bucket,
    stored,
    /**
     * Resolves once the object is gone, failing after `timeoutMs`: the verifier records its verdict first and
     * removes what it no longer needs right after, so an album can show the verdict a moment before.
     */
    removed: (key: string, timeoutMs = 10_000) =>
      eventually(async () => ((await stored(key)) ? undefined : true), timeoutMs, `${key} to be removed`),
  };
}
