import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createLruCache } from '../cache/lru.js';
import type { CoversConfig } from '../config.js';
import type { CoverUpload } from '../schemas.js';

export interface CoverStoreOptions {
  s3: S3Client;
  bucket: string;
  maxBytes: number;
  uploadExpiresSeconds: number;
  /** Injected for tests; defaults to the wall clock. */
  now?: () => Date;
}

/** What {@link CoverStore.readStart} found. */
export interface StoredCoverStart {
  size: number;
  eTag: string;
  bytes: Uint8Array;
}

export interface CoverStore {
  /** A presigned POST that lets a browser upload one image of at most `maxBytes` to `key`, and nothing else. */
  presignUpload(key: string): Promise<CoverUpload>;
  /**
   * Stores cover bytes the API received itself (the course contract uploads through the API); resolves to
   * the stored object's version (ETag, without quotes).
   */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<{ eTag: string }>;
  /** Removes a cover; removing one that is not there is not an error. */
  remove(key: string): Promise<void>;
  /**
   * Removes every object whose key starts with `prefix` (all the covers of one album); resolves to how
   * many there were.
   */
  removeAll(prefix: string): Promise<number>;
  /**
   * The first `length` bytes of a stored cover with its whole size and version (ETag, without quotes), in
   * one request; undefined when there is none.
   */
  readStart(key: string, length: number): Promise<StoredCoverStart | undefined>;
  /**
   * A short-lived URL a browser can show the cover from, valid for at least {@link DOWNLOAD_MIN_VALID_SECONDS}
   * more seconds. URLs are signed as of the start of the minute, so the same cover has the same URL for a
   * minute: a response carrying it keeps its entity tag, and a browser keeps the image it loaded.
   */
  presignDownload(key: string): Promise<string>;
}

const DOWNLOAD_EXPIRES_SECONDS = 300;
const DOWNLOAD_SIGNED_EVERY_MS = 60_000;
/** How long a URL from {@link CoverStore.presignDownload} stays valid at the least. */
export const DOWNLOAD_MIN_VALID_SECONDS = DOWNLOAD_EXPIRES_SECONDS - DOWNLOAD_SIGNED_EVERY_MS / 1000;
const REMEMBERED_DOWNLOAD_URLS = 10_000;

/**
 * The covers bucket of the functions' configuration, through the container's one S3 client.
 *
 * @example
 * const covers = connectCoverStore(loadCoversConfig());
 */
export function connectCoverStore(config: CoversConfig): CoverStore {
  const s3 = new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.endpoint !== undefined,
    // Checksums the SDK would otherwise add are computed over an empty body and break browser uploads.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // The middleware stack resolved once per command type, as for the other clients (lib/reviews/queue.ts).
    cacheMiddleware: true,
  });
  return createCoverStore({
    s3,
    bucket: config.bucket,
    maxBytes: config.maxBytes,
    uploadExpiresSeconds: config.uploadExpiresSeconds,
  });
}

/**
 * The covers bucket behind domain verbs.
 *
 * @example
 * const covers = createCoverStore({ s3, bucket: 'album-covers', maxBytes: 5 << 20, uploadExpiresSeconds: 300 });
 * const upload = await covers.presignUpload(coverUploadKey(album.albumId));
 */
export function createCoverStore(options: CoverStoreOptions): CoverStore {
  const now = options.now ?? (() => new Date());
  // The URL of a minute is signed once: reads of a popular cover then cost no signature each.
  const downloadUrls = createLruCache<Promise<string>>({
    maxEntries: REMEMBERED_DOWNLOAD_URLS,
    now: () => now().getTime(),
  });
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
      const stored = await options.s3.send(
        new PutObjectCommand({ Bucket: options.bucket, Key: key, Body: bytes, ContentType: contentType }),
      );
      return { eTag: unquote(stored.ETag) };
    },

    async remove(key) {
      await options.s3.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key }));
    },

    async removeAll(prefix) {
      let removed = 0;
      let continuationToken: string | undefined;
      do {
        const page = await options.s3.send(
          new ListObjectsV2Command({
            Bucket: options.bucket,
            Prefix: prefix,
            ContinuationToken: continuationToken,
          }),
        );
        const keys = (page.Contents ?? []).flatMap(({ Key }) => (Key === undefined ? [] : [Key]));
        // One request per object: an album has a handful of covers, and a multi-object delete needs a
        // checksum the clients here do not compute.
        await Promise.all(
          keys.map((key) => options.s3.send(new DeleteObjectCommand({ Bucket: options.bucket, Key: key }))),
        );
        removed += keys.length;
        continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (continuationToken);
      return removed;
    },

    async readStart(key, length) {
      const request = { Bucket: options.bucket, Key: key };
      try {
        const object = await options.s3.send(
          new GetObjectCommand({ ...request, Range: `bytes=0-${length - 1}` }),
        );
        // `bytes 0-1023/52311`: the part's range, then the object's whole size.
        const size = Number(object.ContentRange?.split('/')[1] ?? object.ContentLength ?? 0);
        const bytes = (await object.Body?.transformToByteArray()) ?? new Uint8Array();
        return { size, eTag: unquote(object.ETag), bytes };
      } catch (error) {
        if (isS3Error(error, 'NoSuchKey', 'NotFound')) return undefined;
        // S3 answers a range of an empty object with InvalidRange; its size and version come from a HEAD.
        if (!isS3Error(error, 'InvalidRange')) throw error;
        const head = await options.s3.send(new HeadObjectCommand(request)).catch((headError: unknown) => {
          if (isS3Error(headError, 'NotFound')) return undefined;
          throw headError;
        });
        return head && { size: head.ContentLength ?? 0, eTag: unquote(head.ETag), bytes: new Uint8Array() };
      }
    },

    presignDownload(key) {
      const time = now().getTime();
      const signedAt = time - (time % DOWNLOAD_SIGNED_EVERY_MS);
      const remembered = `${signedAt}:${key}`;
      const known = downloadUrls.get(remembered);
      if (known) return known;
      const url = getSignedUrl(options.s3, new GetObjectCommand({ Bucket: options.bucket, Key: key }), {
        expiresIn: DOWNLOAD_EXPIRES_SECONDS,
        signingDate: new Date(signedAt),
      });
      downloadUrls.set(remembered, url, signedAt + DOWNLOAD_SIGNED_EVERY_MS - time);
      url.catch(() => downloadUrls.delete(remembered));
      return url;
    },
  };
}

const unquote = (eTag: string | undefined) => (eTag ?? '').replaceAll('"', '');

/** Whether the SDK's error is one of S3's named errors (its class when modelled, else its name). */
function isS3Error(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}
