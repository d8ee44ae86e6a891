import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
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
  /** Size and version of a stored cover, or undefined when there is none. */
  describe(key: string): Promise<{ size: number; eTag: string } | undefined>;
  /** The first `length` bytes of a cover. */
  readStart(key: string, length: number): Promise<Uint8Array>;
  /** A short-lived URL a browser can show the cover from. */
  presignDownload(key: string): Promise<string>;
}

const DOWNLOAD_EXPIRES_SECONDS = 300;

/**
 * The covers bucket behind domain verbs.
 *
 * @example
 * const covers = createCoverStore({ s3, bucket: 'album-covers', maxBytes: 5 << 20, uploadExpiresSeconds: 300 });
 * const upload = await covers.presignUpload(coverUploadKey(album.albumId));
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

    async describe(key) {
      try {
        const head = await options.s3.send(new HeadObjectCommand({ Bucket: options.bucket, Key: key }));
        return { size: head.ContentLength ?? 0, eTag: (head.ETag ?? '').replaceAll('"', '') };
      } catch (error) {
        if (error instanceof NotFound || (error as { name?: string }).name === 'NotFound') return undefined;
        throw error;
      }
    },

    async readStart(key, length) {
      const object = await options.s3.send(
        new GetObjectCommand({ Bucket: options.bucket, Key: key, Range: `bytes=0-${length - 1}` }),
      );
      return (await object.Body?.transformToByteArray()) ?? new Uint8Array();
    },

    presignDownload: (key) =>
      getSignedUrl(options.s3, new GetObjectCommand({ Bucket: options.bucket, Key: key }), {
        expiresIn: DOWNLOAD_EXPIRES_SECONDS,
      }),
  };
}
