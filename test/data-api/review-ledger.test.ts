import { randomUUID } from 'node:crypto';
import { mysqlReachable, mysqlUrl } from '@album-service/local/testing/mysql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlbumStore } from '../../lib/albums/store.js';
import { createCourseAlbumStore } from '../../lib/course/store.js';
import type { Database, Engine } from '../../lib/db/database.js';
import { createReviewLedger, type Review } from '../../lib/reviews/ledger.js';
import { type DataApiDatabase, openDataApiDatabase } from '../support/data-api-database.js';

const hasMysql = await mysqlReachable();
if (!hasMysql) {
  console.warn(`MySQL/MariaDB at ${mysqlUrl} (MYSQL_URL) is unreachable: its review ledger run is skipped`);
}

const engines: Array<{ name: string; engine: Engine; available: boolean }> = [
  { name: 'PGlite', engine: 'postgresql', available: true },
  { name: 'MariaDB', engine: 'mysql', available: hasMysql },
];

describe.each(engines)('the review ledger on $name', ({ engine, available }) => {
  let database: DataApiDatabase | undefined;
  let db: Database;

  beforeAll(async () => {
    if (!available) return;
    database = await openDataApiDatabase(engine);
    db = database.db;
  });

  afterAll(async () => {
    await database?.close();
  });

  (available ? it : it.skip)(
    'counts a batch applied twice at once exactly once, repeats and unknown albums left out',
    async () => {
      const albums = createAlbumStore(db);
      const ledger = createReviewLedger(db);
      const stored = await Promise.all(
        ['A', 'B', 'C'].map((artist) =>
          albums.create({ artist, title: 'Ledger', year: 2020 }, 'ledger-test'),
        ),
      );
      const [first, second, third] = stored.map((album) => album.albumId) as [string, string, string];
      const review = (albumId: string, kind: Review['kind']): Review => ({
        reviewId: randomUUID(),
        albumId,
        kind,
      });
      const batch = [
        review(first, 'like'),
        review(first, 'like'),
        review(first, 'dislike'),
        review(second, 'dislike'),
        review(third, 'like'),
        review(randomUUID(), 'like'), // no such album
      ];
      batch.push({ ...(batch[0] as Review) }); // the same review twice in one batch

      const applied = await Promise.all([
        ledger.apply(batch),
        ledger.apply([...batch].reverse()),
        ledger.apply(batch),
      ]);
      expect(applied.reduce((sum, count) => sum + count, 0)).toBe(5);
      expect(await ledger.apply(batch)).toBe(0);
      expect(await ledger.counts({ albumId: first })).toEqual({ likes: 2, dislikes: 1 });
      expect(await ledger.counts({ albumId: second })).toEqual({ likes: 0, dislikes: 1 });
      const thirdSeq = (await createCourseAlbumStore(db).profile({ albumId: third }))?.seq;
      expect(await ledger.counts({ seq: thirdSeq ?? 0 })).toEqual({ likes: 1, dislikes: 0 });
      expect(await ledger.counts({ albumId: randomUUID() })).toBeUndefined();
      expect(await ledger.counts({ seq: 900_000_000 })).toBeUndefined();
    },
  );
});
