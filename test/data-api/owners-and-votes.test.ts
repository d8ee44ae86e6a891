import { randomUUID } from 'node:crypto';
import {
  createScratchDatabase,
  mysqlReachable,
  mysqlUrl,
  type ScratchDatabase,
} from '@album-service/local/testing/mysql';
import {
  createPostgresScratchDatabase,
  postgresReachable,
  postgresUrl,
} from '@album-service/local/testing/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlbumStore, createAlbumStore } from '../../lib/albums/store.js';
import type { Database, Engine } from '../../lib/db/database.js';
import { ForbiddenError } from '../../lib/errors.js';
import { createReviewLedger, type ReviewLedger } from '../../lib/reviews/ledger.js';
import { createVoteBook, type Vote, type VoteBook } from '../../lib/reviews/votes.js';
import type { ReviewKind } from '../../lib/schemas.js';
import { type DataApiDatabase, openDataApiDatabase } from '../support/data-api-database.js';
import { FUZZ_SEED, seededRandom } from '../support/fuzz-seed.js';

const hasPostgres = await postgresReachable();
if (!hasPostgres) console.warn(`PostgreSQL at ${postgresUrl} is unreachable: its votes run is skipped`);
const hasMysql = await mysqlReachable();
if (!hasMysql)
  console.warn(`MySQL/MariaDB at ${mysqlUrl} (MYSQL_URL) is unreachable: its votes run is skipped`);

const backends: Array<{
  name: string;
  engine: Engine;
  scratch?: () => Promise<ScratchDatabase>;
  available: boolean;
}> = [
  { name: 'PGlite', engine: 'postgresql', available: true },
  {
    name: 'PostgreSQL',
    engine: 'postgresql',
    scratch: createPostgresScratchDatabase,
    available: hasPostgres,
  },
  { name: 'MariaDB', engine: 'mysql', scratch: () => createScratchDatabase(), available: hasMysql },
];

describe.each(backends)('owners and votes on $name', ({ engine, scratch: makeScratch, available }) => {
  let database: DataApiDatabase | undefined;
  let db: Database;
  let albums: AlbumStore;
  let votes: VoteBook;
  let ledger: ReviewLedger;
  const itIf = available ? it : it.skip;

  beforeAll(async () => {
    if (!available) return;
    database = await openDataApiDatabase(engine, { scratch: makeScratch });
    db = database.db;
    albums = createAlbumStore(db);
    votes = createVoteBook(db);
    ledger = createReviewLedger(db);
  });

  afterAll(async () => {
    await database?.close();
  });

  const allow = () => undefined;

  itIf('records the owner, lists by owner, and changes only what the guard lets through', async () => {
    const mine = await albums.create(
      { artist: 'Nina Simone', title: 'Pastel Blues', year: 1965 },
      'local|ana',
    );
    await albums.create({ artist: 'Nina Simone', title: 'Wild Is the Wind', year: 1966 }, 'local|bo');
    expect(mine.owner).toBe('local|ana');
    const page = await albums.list({ owner: 'local|ana' });
    expect(page.items.map((album) => album.title)).toEqual(['Pastel Blues']);
    const byArtist = await albums.list({ owner: 'local|bo', artist: 'nina simone' });
    expect(byArtist.items.map((album) => album.title)).toEqual(['Wild Is the Wind']);

    const refuse = () => {
      throw new ForbiddenError('not yours');
    };
    await expect(albums.update(mine.albumId, { title: 'Changed' }, refuse)).rejects.toThrow(ForbiddenError);
    expect((await albums.get(mine.albumId))?.title).toBe('Pastel Blues');
    const updated = await albums.update(
      mine.albumId,
      { title: 'Pastel Blues (Remastered)', year: 1966 },
      allow,
    );
    expect(updated).toMatchObject({ artist: 'Nina Simone', title: 'Pastel Blues (Remastered)', year: 1966 });
    expect(await albums.update(randomUUID(), { title: 'x' }, allow)).toBeUndefined();
  });

  itIf(
    'applies votes from many users, duplicated, reordered and in concurrent batches, to counts equal to the last votes',
    async () => {
      console.info(`votes on ${engine}: seed ${FUZZ_SEED} (FUZZ_SEED=${FUZZ_SEED} replays it)`);
      const next = seededRandom(FUZZ_SEED);
      const stored = await Promise.all(
        [1, 2, 3].map((n) =>
          albums.create({ artist: 'Votes', title: `Album ${n}`, year: 2020 }, 'local|owner'),
        ),
      );
      const albumIds = stored.map((album) => album.albumId);
      const voters = Array.from({ length: 16 }, (_, n) => `local|voter-${n}`);
      const kinds: Array<ReviewKind | null> = ['like', 'dislike', null];
      // Each voter acts a few times on each album, in time order; the last action is the one that counts.
      const sent: Vote[] = [];
      let clock = 1_000_000;
      for (let round = 0; round < 4; round++) {
        for (const voter of voters) {
          for (const albumId of albumIds) {
            if (next() < 0.3) continue;
            clock += Math.floor(next() * 3); // some in the same millisecond: the message id decides
            sent.push({
              messageId: randomUUID(),
              albumId,
              voter,
              kind: kinds[Math.floor(next() * 3)] ?? null,
              acceptedAt: clock,
            });
          }
        }
      }
      // The queue delivers at least once and in any order: every message once or more, shuffled.
      const delivered = [...sent, ...sent.filter(() => next() < 0.4)];
      for (let i = delivered.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [delivered[i], delivered[j]] = [delivered[j] as Vote, delivered[i] as Vote];
      }
      const batches: Vote[][] = [];
      for (let i = 0; i < delivered.length; i += 10) batches.push(delivered.slice(i, i + 10));
      // Batches run four at a time, as concurrent consumers do; one that fails is redelivered, as SQS does.
      let redelivered = 0;
      const applyWithRedelivery = async (batch: Vote[]) => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await votes.apply(batch);
          } catch (error) {
            if (attempt >= 5) throw error;
            redelivered++;
          }
        }
      };
      for (let i = 0; i < batches.length; i += 4)
        await Promise.all(batches.slice(i, i + 4).map(applyWithRedelivery));

      const last = new Map<string, Vote>();
      for (const vote of sent) {
        const key = `${vote.albumId} ${vote.voter}`;
        const seen = last.get(key);
        if (
          !seen ||
          vote.acceptedAt > seen.acceptedAt ||
          (vote.acceptedAt === seen.acceptedAt && vote.messageId > seen.messageId)
        )
          last.set(key, vote);
      }
      for (const albumId of albumIds) {
        const finals = [...last.values()].filter((vote) => vote.albumId === albumId);
        const expected = {
          likes: finals.filter((vote) => vote.kind === 'like').length,
          dislikes: finals.filter((vote) => vote.kind === 'dislike').length,
        };
        expect(await ledger.counts({ albumId })).toEqual(expected);
        for (const vote of finals) expect(await votes.mine(albumId, vote.voter)).toBe(vote.kind);
      }
      console.info(
        `votes on ${engine}: ${sent.length} votes by ${voters.length} users on ${albumIds.length} albums, ` +
          `${delivered.length} deliveries in ${batches.length} batches, ${redelivered} batches redelivered`,
      );
      // Everything delivered once more, in reverse: nothing changes.
      await applyWithRedelivery([...sent].reverse());
      for (const albumId of albumIds) {
        const finals = [...last.values()].filter((vote) => vote.albumId === albumId);
        expect((await ledger.counts({ albumId }))?.likes).toBe(
          finals.filter((vote) => vote.kind === 'like').length,
        );
      }
    },
    120_000,
  );

  itIf(
    'counts anonymous reviews and votes together, and a vote changed or withdrawn moves only its own part',
    async () => {
      const album = await albums.create({ artist: 'Mixed', title: 'Both', year: 2021 }, 'local|owner');
      const { albumId } = album;
      const review = () => ({ reviewId: randomUUID(), albumId, kind: 'like' as const });
      expect(await ledger.apply([review(), review()])).toBe(2);
      const vote = (kind: ReviewKind | null, acceptedAt: number): Vote => ({
        messageId: randomUUID(),
        albumId,
        voter: 'local|ana',
        kind,
        acceptedAt,
      });
      await votes.apply([vote('like', 10)]);
      expect(await ledger.counts({ albumId })).toEqual({ likes: 3, dislikes: 0 });
      await votes.apply([vote('dislike', 20)]);
      expect(await ledger.counts({ albumId })).toEqual({ likes: 2, dislikes: 1 });
      await votes.apply([vote(null, 30)]);
      expect(await ledger.counts({ albumId })).toEqual({ likes: 2, dislikes: 0 });
      expect(await votes.mine(albumId, 'local|ana')).toBeNull();
      // A late like, accepted before the withdrawal, cannot bring the vote back.
      expect(await votes.apply([vote('like', 25)])).toEqual({ applied: 0, dropped: 0 });
      expect(await ledger.counts({ albumId })).toEqual({ likes: 2, dislikes: 0 });
      expect(await votes.mine(albumId, 'local|bo')).toBeNull();
      expect(await votes.mine(randomUUID(), 'local|ana')).toBeUndefined();
    },
  );

  itIf(
    'removes an album with its votes, reviews and counts, and drops what arrives for it after',
    async () => {
      const album = await albums.create({ artist: 'Gone', title: 'Soon', year: 2022 }, 'local|ana');
      const { albumId } = album;
      await ledger.apply([{ reviewId: randomUUID(), albumId, kind: 'like' }]);
      await votes.apply([
        { messageId: randomUUID(), albumId, voter: 'local|bo', kind: 'dislike', acceptedAt: 1 },
      ]);
      const refuse = () => {
        throw new ForbiddenError('not yours');
      };
      await expect(albums.remove(albumId, refuse)).rejects.toThrow(ForbiddenError);
      expect(await ledger.counts({ albumId })).toEqual({ likes: 1, dislikes: 1 });

      expect((await albums.remove(albumId, allow))?.albumId).toBe(albumId);
      expect(await albums.get(albumId)).toBeUndefined();
      expect(await ledger.counts({ albumId })).toBeUndefined();
      expect(await albums.remove(albumId, allow)).toBeUndefined();
      const late = {
        messageId: randomUUID(),
        albumId,
        voter: 'local|bo',
        kind: 'like' as const,
        acceptedAt: 2,
      };
      expect(await votes.apply([late])).toEqual({ applied: 0, dropped: 1 });
      expect(await ledger.apply([{ reviewId: randomUUID(), albumId, kind: 'like' }])).toBe(0);
      const { rows } = await db.execute('SELECT count(*) AS n FROM votes WHERE voter = :voter', {
        voter: 'local|bo',
      });
      expect(Number(rows[0]?.n)).toBe(0);
    },
  );
});
