import type { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import type { CoverUpload } from './schemas.js';

export interface CoverStoreOptions {
  s3: S3Client;
  bucket: string;
  maxBytes: number;
  uploadExpiresSeconds: number;
  /** Injected for tests; defaults to the wall clock. */
  now?: () => Date;
}

export interface CoverStore {
  /** A presigned POST that lets a browser upload one image of at most `maxBytes` to `key`, and nothing else. */
  presignUpload(key: string): Promise<CoverUpload>;
}

/**
 * The covers bucket behind domain verbs.
 *
 * @example
 * const covers = createCoverStore({ s3, bucket: 'album-covers', maxBytes: 5 << 20, uploadExpiresSeconds: 300 });
 * const upload = await covers.presignUpload(coverKeyFor(album.albumId));
 */
export function createCoverStore(options: CoverStoreOptions): CoverStore {
  const now = options.now ?? (() => new Date());
  return {
    async presignUpload(key) {
      const issuedAt = now();
      const { url, fields } = await createPresignedPost(options.s3, {
        Bucket: options.bucket,
        Key: key,
        Conditions: [
          ['content-length-range', 1, options.maxBytes],
          ['starts-with', '$Content-Type', 'image/'],
        ],
        Expires: options.uploadExpiresSeconds,
      });
      return {
        method: 'POST',
        url,
        fields,
        key,
        expiresAt: new Date(issuedAt.getTime() + options.uploadExpiresSeconds * 1000).toISOString(),
        maxBytes: options.maxBytes,
      };
    },
  };
}
