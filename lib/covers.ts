import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
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
  /** Stores cover bytes the API received itself (the course contract uploads through the API). */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** Removes a cover; removing one that is not there is not an error. */
  remove(key: string): Promise<void>;
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

    async put(key, bytes, contentType) {
      await options.s3.send(
        new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: bytes, ContentType: contentType }),
      );
    },

    async remove(key) {
      await options.s3.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key }));
    },
  };
}
