/**
 * Fills a stopped stack's data folder with albums whose covers are verified and stored, as a day of use
 * would leave it, without going through the API: rows inserted many at a time through the Data API
 * endpoint; the first covers PUT into the S3 emulator, the rest cloned from the first in its object table in
 * one transaction (a PUT each, through the SigV4 front and s3rver, made a large fill take minutes:
 * docs/performance.md#local-stack-and-load-client). Nothing listens to the object store here, so no
 * verification runs; the rows already say what it would have found.
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DEFAULT_IMAGE } from '@album-service/load/dialects';
import { ExecuteStatementCommand, RDSDataClient } from '@aws-sdk/client-rds-data';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { coverUploadKey } from '../../lib/covers/keys.js';
import { LOCAL_CREDENTIALS } from '../credentials.js';
import { startDataApiServer } from '../data-api/server.js';
import { startObjectStore } from '../s3/object-store.js';
import { ObjectTableStore } from '../s3/object-table.js';

/** Rows per INSERT: large statements are what makes the fill fast; a few MB of JSON each. */
const ROWS_PER_STATEMENT = 10_000;
/** Covers PUT through the S3 API, to measure that path and to have a stored object to clone for the rest. */
const PUT_COVERS = 1_000;
const PUT_CONCURRENCY = 32;
const REGION = 'us-east-1';

export interface FillOptions {
  /** The stack's data folder (its `pglite/` and `s3/` are filled). */
  dataDir: string;
  albums: number;
  /** The environment the stack gave its functions: the cluster, secret, database and bucket names. */
  environment: Record<string, string>;
  /** Told of progress now and then. */
  progress?: (line: string) => void;
}

export interface FillResult {
  albums: number;
  databaseSeconds: number;
  /** Covers PUT through the S3 API, and how long that took. */
  coversPut: number;
  putSeconds: number;
  /** Covers cloned in the object table, and how long that took. */
  coversWritten: number;
  writeSeconds: number;
  /** A few of the albums stored, to look up through the API afterwards. */
  sampleAlbumIds: string[];
}

interface StoredAlbum {
  album_id: string;
  artist: string;
  title: string;
  year: number;
  year_text: string | null;
  cover_key: string;
}

/**
 * Stores `albums` albums, each with a 1×1 PNG cover (the course client's own image) recorded as verified.
 * Artists, titles and years vary; half the albums carry the year as text, as the course contract's do.
 * Cover keys are issued over the past day, one per album, as {@link coverUploadKey} makes them.
 *
 * @example
 * await stack.stop();
 * const fill = await fillStore({ dataDir, albums: 100_000, environment: stack.environment });
 */
export async function fillStore(options: FillOptions): Promise<FillResult> {
  const progress = options.progress ?? (() => undefined);
  const { environment } = options;
  const bucket = environment.COVERS_BUCKET ?? '';
  const dataApi = await startDataApiServer({ dataDir: join(options.dataDir, 'pglite') });
  const objectStore = await startObjectStore({
    dataDir: join(options.dataDir, 's3'),
    buckets: [{ name: bucket }],
  });
  const rdsData = new RDSDataClient({
    endpoint: dataApi.url,
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const s3 = new S3Client({
    endpoint: objectStore.url,
    region: REGION,
    credentials: LOCAL_CREDENTIALS,
    forcePathStyle: true,
  });
  try {
    const albums = makeAlbums(options.albums);

    const databaseStart = performance.now();
    for (let first = 0; first < albums.length; first += ROWS_PER_STATEMENT) {
      await insertAlbums(rdsData, environment, albums.slice(first, first + ROWS_PER_STATEMENT));
    }
    const databaseSeconds = (performance.now() - databaseStart) / 1000;
    progress(`${albums.length} rows inserted in ${databaseSeconds.toFixed(1)} s`);

    const keys = albums.map((album) => album.cover_key);
    const putKeys = keys.slice(0, PUT_COVERS);
    const putStart = performance.now();
    await inParallel(putKeys, PUT_CONCURRENCY, (key) =>
      s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: DEFAULT_IMAGE, ContentType: 'image/png' }),
      ),
    );
    const putSeconds = (performance.now() - putStart) / 1000;
    progress(`${putKeys.length} covers PUT in ${putSeconds.toFixed(1)} s`);

    // Every cover is the same image, so every other object is the first one's bytes and metadata.
    const writtenKeys = keys.slice(PUT_COVERS);
    const writeStart = performance.now();
    const table = new ObjectTableStore(join(options.dataDir, 's3'));
    try {
      table.cloneObject(bucket, putKeys[0] ?? '', writtenKeys);
    } finally {
      table.close();
    }
    const writeSeconds = (performance.now() - writeStart) / 1000;
    progress(`${writtenKeys.length} covers cloned in ${writeSeconds.toFixed(1)} s`);

    const step = Math.max(1, Math.floor(albums.length / 3));
    const sample = albums.filter((_, index) => index % step === 0 || index === albums.length - 1);
    for (const album of sample) await checkStoredCover(s3, bucket, album.cover_key);
    return {
      albums: albums.length,
      databaseSeconds,
      coversPut: putKeys.length,
      putSeconds,
      coversWritten: writtenKeys.length,
      writeSeconds,
      sampleAlbumIds: sample.map((album) => album.album_id),
    };
  } finally {
    rdsData.destroy();
    s3.destroy();
    await objectStore.close();
    await dataApi.close();
  }
}

/** Runs `work` on every item, `concurrency` at a time. */
async function inParallel<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < items.length; index = next++) await work(items[index] as T);
    }),
  );
}

/** A cover written into the folder must read back through the S3 API as the image it stands for. */
async function checkStoredCover(s3: S3Client, bucket: string, key: string): Promise<void> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const body = Buffer.from((await object.Body?.transformToByteArray()) ?? []);
  const eTag = `"${createHash('md5').update(DEFAULT_IMAGE).digest('hex')}"`;
  if (!body.equals(DEFAULT_IMAGE) || object.ETag !== eTag || object.ContentType !== 'image/png')
    throw new Error(`cover ${key} reads back as ${object.ContentType} ${object.ETag}, ${body.length} bytes`);
}

function makeAlbums(count: number): StoredAlbum[] {
  const dayAgo = Date.now() - 86_400_000;
  return Array.from({ length: count }, (_, index) => {
    const albumId = randomUUID();
    const year = 1950 + (index % 75);
    return {
      album_id: albumId,
      artist: `Stored Artist ${index % 2_000}`,
      title: `Stored Album ${index}`,
      year,
      year_text: index % 2 === 0 ? String(year) : null,
      cover_key: coverUploadKey(albumId, new Date(dayAgo + Math.floor((index * 86_400_000) / count))),
    };
  });
}

/** One INSERT of many rows: the rows travel as one JSON parameter, spread into columns by the database. */
async function insertAlbums(
  client: RDSDataClient,
  environment: Record<string, string>,
  albums: StoredAlbum[],
): Promise<void> {
  const eTag = createHash('md5').update(DEFAULT_IMAGE).digest('hex');
  await client.send(
    new ExecuteStatementCommand({
      resourceArn: environment.DB_CLUSTER_ARN,
      secretArn: environment.DB_SECRET_ARN,
      database: environment.DB_NAME,
      sql: `INSERT INTO albums (album_id, artist, title, year, year_text, cover_key, cover_upload_key,
              cover_status, cover_etag, cover_size, cover_content_type, cover_width, cover_height)
            SELECT album_id, artist, title, year, year_text, cover_key, cover_key,
              'ready', :eTag, :size, 'image/png', 1, 1
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS stored (
              album_id uuid, artist text, title text, year integer, year_text text, cover_key text)`,
      parameters: [
        { name: 'rows', value: { stringValue: JSON.stringify(albums) } },
        { name: 'eTag', value: { stringValue: eTag } },
        { name: 'size', value: { longValue: DEFAULT_IMAGE.length } },
      ],
    }),
  );
}
