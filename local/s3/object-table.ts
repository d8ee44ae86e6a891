import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { Readable } from 'node:stream';
import { readBody } from '../read-body.js';
import { FilesystemStore, S3Object, type S3rverObject, walk } from './s3rver-internals.js';

interface ObjectRow {
  key: string;
  size: number;
  md5: string;
  metadata: string;
  modified_ms: number;
}

/** The file beside the buckets' folders where the objects are kept. */
export const OBJECT_TABLE_FILE = 'objects.sqlite';
/** How s3rver's filesystem store names an object's bytes: `<key>._S3rver_object`, its MD5 in `<…>.md5`. */
const S3RVER_OBJECT_SUFFIX = '._S3rver_object';
const S3RVER_METADATA_SUFFIX = '._S3rver_metadata.json';

/**
 * s3rver's store with its objects in one SQLite table instead of three files each. On this kind of disk,
 * creating a file or a folder costs the kernel enough CPU that s3rver's layout (a folder per key prefix,
 * then the object, its MD5 and its metadata, each a new file) cost more than a whole request through the
 * rest of the stack (docs/performance.md#local-stack-and-load-client); a row costs an append to SQLite's
 * log. Buckets, their settings (CORS, website) and multipart parts stay in s3rver's folders, where it puts
 * them. What this changes is invisible through the S3 API, which `local/test/s3/` exercises; objects an
 * earlier version left as files are moved into the table when the store opens.
 */
export class ObjectTableStore extends FilesystemStore {
  readonly #db: DatabaseSync;
  readonly #statements: Record<
    'get' | 'exists' | 'put' | 'updateMetadata' | 'copy' | 'remove' | 'removeBucket' | 'list' | 'read',
    StatementSync
  >;

  constructor(rootDirectory: string) {
    super(rootDirectory);
    this.#db = new DatabaseSync(join(rootDirectory, OBJECT_TABLE_FILE));
    // As for the queues: a committed object survives the stack being killed; no fsync per object.
    this.#db.exec('PRAGMA journal_mode = WAL');
    this.#db.exec('PRAGMA synchronous = NORMAL');
    this.#db.exec(`CREATE TABLE IF NOT EXISTS objects (
      bucket TEXT NOT NULL,
      key TEXT NOT NULL,
      body BLOB NOT NULL,
      md5 TEXT NOT NULL,
      metadata TEXT NOT NULL,
      modified_ms INTEGER NOT NULL,
      PRIMARY KEY (bucket, key)
    )`);
    const described = 'key, length(body) AS size, md5, metadata, modified_ms';
    this.#statements = {
      get: this.#db.prepare(`SELECT ${described} FROM objects WHERE bucket = ? AND key = ?`),
      exists: this.#db.prepare('SELECT 1 FROM objects WHERE bucket = ? AND key = ?'),
      read: this.#db.prepare(`SELECT ${described}, body FROM objects WHERE bucket = ? AND key = ?`),
      put: this.#db.prepare(
        `INSERT INTO objects (bucket, key, body, md5, metadata, modified_ms) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (bucket, key) DO UPDATE SET body = excluded.body, md5 = excluded.md5,
           metadata = excluded.metadata, modified_ms = excluded.modified_ms`,
      ),
      updateMetadata: this.#db.prepare(
        'UPDATE objects SET metadata = ?, md5 = coalesce(?, md5), modified_ms = ? WHERE bucket = ? AND key = ?',
      ),
      copy: this.#db.prepare(
        `INSERT INTO objects (bucket, key, body, md5, metadata, modified_ms)
         SELECT ?, ?, body, md5, coalesce(?, metadata), ? FROM objects WHERE bucket = ? AND key = ?
         ON CONFLICT (bucket, key) DO UPDATE SET body = excluded.body, md5 = excluded.md5,
           metadata = excluded.metadata, modified_ms = excluded.modified_ms`,
      ),
      remove: this.#db.prepare('DELETE FROM objects WHERE bucket = ? AND key = ?'),
      removeBucket: this.#db.prepare('DELETE FROM objects WHERE bucket = ?'),
      // Keys in S3's order (UTF-8 bytes, as SQLite's binary collation compares them), from a starting point.
      list: this.#db.prepare(
        `SELECT ${described} FROM objects WHERE bucket = ? AND key > ? AND key >= ? ORDER BY key`,
      ),
    };
    this.#importObjectFiles();
  }

  close(): void {
    this.#db.close();
  }

  /**
   * Stores `copies` keys holding the same bytes and metadata as `source`, in one transaction: a store filled
   * as after a day of use, faster than a PUT each (the soak benchmark's fill).
   */
  cloneObject(bucket: string, source: string, copies: string[]): void {
    this.#inTransaction(() => {
      const now = Date.now();
      for (const key of copies) this.#statements.copy.run(bucket, key, null, now, bucket, source);
    });
  }

  async getMetadata(bucket: string, key: string) {
    const row = this.#statements.get.get(bucket, key) as ObjectRow | undefined;
    if (!row) throw Object.assign(new Error(`No such object: ${bucket}/${key}`), { code: 'ENOENT' });
    return metadataOf(row);
  }

  async putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string) {
    this.#statements.updateMetadata.run(
      JSON.stringify(storedMetadata(metadata)),
      md5 ?? null,
      Date.now(),
      bucket,
      key,
    );
  }

  async existsObject(bucket: string, key: string) {
    return this.#statements.exists.get(bucket, key) !== undefined;
  }

  async getObject(bucket: string, key: string, options?: { start?: number; end?: number }) {
    const row = this.#statements.read.get(bucket, key) as (ObjectRow & { body: Uint8Array }) | undefined;
    if (!row) return null;
    const metadata = metadataOf(row);
    const lastByte = Math.max(0, row.size - 1);
    const range = {
      start: options?.start || 0,
      end: Math.min(options?.end || Number.POSITIVE_INFINITY, lastByte),
    };
    const ranged = options !== undefined && (options.start !== undefined || Boolean(options.end));
    // As s3rver's own store: an unsatisfiable range comes back without content, for the controller to refuse.
    const satisfiable = range.start >= 0 && range.end >= range.start;
    const bytes = Buffer.from(row.body.buffer, row.body.byteOffset, row.body.byteLength);
    const content = satisfiable ? Readable.from([bytes.subarray(range.start, range.end + 1)]) : null;
    const object = new S3Object(bucket, key, content, metadata);
    if (ranged) object.range = range;
    return object;
  }

  async putObject(object: S3rverObject) {
    const body = Buffer.isBuffer(object.content)
      ? object.content
      : await readBody(object.content as Readable);
    const md5 = createHash('md5').update(body).digest('hex');
    this.#statements.put.run(
      object.bucket,
      object.key,
      body,
      md5,
      JSON.stringify(storedMetadata(object.metadata)),
      Date.now(),
    );
    return { size: body.length, md5 };
  }

  async copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    replacementMetadata?: Record<string, string>,
  ) {
    const metadata = replacementMetadata ? JSON.stringify(storedMetadata(replacementMetadata)) : null;
    this.#statements.copy.run(destBucket, destKey, metadata, Date.now(), srcBucket, srcKey);
    return this.getMetadata(destBucket, destKey);
  }

  async deleteObject(bucket: string, key: string) {
    this.#statements.remove.run(bucket, key);
  }

  override async deleteBucket(bucket: string) {
    this.#statements.removeBucket.run(bucket);
    await super.deleteBucket(bucket);
  }

  async listObjects(
    bucket: string,
    options: { delimiter?: string; startAfter?: string; prefix?: string; maxKeys?: number },
  ) {
    const { delimiter = '', startAfter = '', prefix = '', maxKeys = Number.POSITIVE_INFINITY } = options;
    const objects: S3rverObject[] = [];
    const commonPrefixes = new Set<string>();
    let isTruncated = false;
    for (const row of this.#statements.list.iterate(bucket, startAfter, prefix) as Iterable<ObjectRow>) {
      if (!row.key.startsWith(prefix)) break; // past every key under the prefix
      const delimited = delimiter ? row.key.indexOf(delimiter, prefix.length) : -1;
      if (delimited !== -1) {
        commonPrefixes.add(row.key.slice(0, delimited + delimiter.length));
        continue;
      }
      if (objects.length >= maxKeys) {
        isTruncated = true;
        break;
      }
      objects.push(new S3Object(bucket, row.key, null, metadataOf(row)));
    }
    return { objects, commonPrefixes: [...commonPrefixes].sort(), isTruncated };
  }

  /** Empties the store: every object and every bucket's folder (s3rver's reset would remove the table too). */
  override reset() {
    this.#db.exec('DELETE FROM objects');
    for (const entry of readdirSync(this.rootDirectory)) {
      if (!entry.startsWith(OBJECT_TABLE_FILE))
        rmSync(join(this.rootDirectory, entry), { recursive: true, force: true });
    }
  }

  #inTransaction(work: () => void): void {
    this.#db.exec('BEGIN');
    try {
      work();
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Moves objects kept as s3rver's files (by an earlier version of the stack) into the table. */
  #importObjectFiles(): void {
    const files = [...walk(this.rootDirectory)].filter((file) => file.endsWith(S3RVER_OBJECT_SUFFIX));
    if (files.length === 0) return;
    this.#inTransaction(() => {
      for (const file of files) {
        const [bucket, ...path] = relative(this.rootDirectory, file).split('/');
        const key = path.join('/').slice(0, -S3RVER_OBJECT_SUFFIX.length);
        const metadataFile = metadataFileOf(file);
        const body = readFileSync(file);
        const metadata = existsSync(metadataFile) ? readFileSync(metadataFile, 'utf8') : '{}';
        const md5 = createHash('md5').update(body).digest('hex');
        this.#statements.put.run(bucket ?? '', key, body, md5, metadata, Math.floor(statSync(file).mtimeMs));
      }
    });
    for (const file of files) {
      for (const leftover of [file, `${file}.md5`, metadataFileOf(file)]) rmSync(leftover, { force: true });
      removeEmptyFolders(this.rootDirectory, file);
    }
  }
}

const metadataFileOf = (objectFile: string) =>
  objectFile.slice(0, -S3RVER_OBJECT_SUFFIX.length) + S3RVER_METADATA_SUFFIX;

/** The metadata s3rver keeps with an object: the standard headers it allows and the user's `x-amz-meta-*`. */
function storedMetadata(metadata: Record<string, string | number>): Record<string, string | number> {
  return Object.fromEntries(
    Object.entries(metadata).filter(
      ([name]) => S3Object.ALLOWED_METADATA.includes(name) || name.startsWith('x-amz-meta-'),
    ),
  );
}

/** An object's metadata as s3rver's own store gives it: with its ETag, modification time and length. */
function metadataOf(row: ObjectRow): Record<string, string | number> {
  return {
    ...(JSON.parse(row.metadata) as Record<string, string>),
    etag: JSON.stringify(row.md5),
    'last-modified': new Date(row.modified_ms).toUTCString(),
    'content-length': row.size,
  };
}

/** Removes the folders between `file` and its bucket's folder that are left empty, deepest first. */
function removeEmptyFolders(rootDirectory: string, file: string): void {
  const parts = relative(rootDirectory, file).split('/').slice(0, -1);
  while (parts.length > 1) {
    try {
      rmdirSync(join(rootDirectory, ...parts));
    } catch {
      return; // not empty: other objects are still below it
    }
    parts.pop();
  }
}
