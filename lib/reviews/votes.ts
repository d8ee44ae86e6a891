import { type Database, type EngineSql, json, type Transaction, uuid } from '../db/database.js';
import type { ReviewKind } from '../schemas.js';

/**
 * A signed-in user's vote on an album as the API accepted it: `kind` null withdraws their vote.
 * `acceptedAt` (milliseconds since the epoch, the API's clock) and `messageId` (the id the API gave it)
 * place it among the user's other votes on the album; see {@link isNewer}.
 */
export interface Vote {
  messageId: string;
  albumId: string;
  voter: string;
  kind: ReviewKind | null;
  acceptedAt: number;
}

/** Which message set a stored vote, and what it is now (null: none, or withdrawn). */
export type StoredVote = Pick<Vote, 'kind' | 'acceptedAt' | 'messageId'>;

/** How an album's counters change. */
export interface CountsDelta {
  likes: number;
  dislikes: number;
}

/**
 * Whether `candidate` is newer than `current` and so replaces it: accepted later, or in the same
 * millisecond with the greater message id.
 *
 * Which order wins, and why: the order in which the API accepted the votes, the user's own order of
 * actions (like, then dislike, then withdraw), never the order the queue delivers them in: SQS delivers
 * at least once and out of order, and the breaker's fallback writes a vote straight to the database while
 * an earlier one may still be queued. Comparing the acceptance instants makes a late, repeated or reordered
 * message change nothing once a newer one is stored; the message id breaks ties the same way on every
 * delivery, so whatever order the messages arrive in, the same one is left standing.
 *
 * @example
 * isNewer({ acceptedAt: 2, messageId: 'a' }, { acceptedAt: 1, messageId: 'b' }); // true
 */
export function isNewer(
  candidate: Pick<Vote, 'acceptedAt' | 'messageId'>,
  current: Pick<Vote, 'acceptedAt' | 'messageId'>,
): boolean {
  if (candidate.acceptedAt !== current.acceptedAt) return candidate.acceptedAt > current.acceptedAt;
  return candidate.messageId.toLowerCase() > current.messageId.toLowerCase();
}

/** A user's vote on an album is one row; this is its key. */
const voteKey = ({ albumId, voter }: Pick<Vote, 'albumId' | 'voter'>) =>
  JSON.stringify([albumId.toLowerCase(), voter]);

const weight = (kind: ReviewKind | null): CountsDelta => ({
  likes: kind === 'like' ? 1 : 0,
  dislikes: kind === 'dislike' ? 1 : 0,
});

/**
 * Decides what a batch of votes does to the stored ones: for each (album, voter), the newest of the batch's
 * votes and the stored one wins (see {@link isNewer}). Returns the votes to store, and how each album's
 * counters change: the winner's weight less the one it replaces, so the counters remain the sum of
 * current votes. Votes for which `stored` has no entry (their album is gone) are left out, as `dropped`.
 *
 * @example
 * const { winners, deltas } = settleVotes(batch, storedVotes);
 */
export function settleVotes(
  votes: Vote[],
  stored: ReadonlyMap<string, StoredVote>,
): { winners: Vote[]; deltas: Map<string, CountsDelta>; dropped: Vote[] } {
  const newest = new Map<string, Vote>();
  const dropped: Vote[] = [];
  for (const vote of votes) {
    const key = voteKey(vote);
    const current = newest.get(key) ?? stored.get(key);
    if (!stored.has(key)) dropped.push(vote);
    else if (current && isNewer(vote, current)) newest.set(key, vote);
  }
  const deltas = new Map<string, CountsDelta>();
  for (const [key, winner] of newest) {
    const before = weight(stored.get(key)?.kind ?? null);
    const after = weight(winner.kind);
    const albumId = winner.albumId.toLowerCase();
    const delta = deltas.get(albumId) ?? { likes: 0, dislikes: 0 };
    delta.likes += after.likes - before.likes;
    delta.dislikes += after.dislikes - before.dislikes;
    deltas.set(albumId, delta);
  }
  for (const [albumId, delta] of deltas)
    if (delta.likes === 0 && delta.dislikes === 0) deltas.delete(albumId);
  return { winners: [...newest.values()], deltas, dropped };
}

export interface VoteBook {
  /**
   * Applies votes in one transaction: each replaces the stored vote of its user on its album only when it
   * is newer ({@link isNewer}), and the album's counters change by the difference in the same transaction.
   * Votes on albums that are gone are dropped. Applying the same votes again, or older ones, changes nothing.
   */
  apply(votes: Vote[]): Promise<{ applied: number; dropped: number }>;
  /**
   * The user's current vote on the album (null when they have none), or undefined when there is no such
   * album; one statement.
   */
  mine(albumId: string, voter: string): Promise<ReviewKind | null | undefined>;
}

// A row for every (album, voter) of the batch that has none yet, as if they had never voted (older than
// any message), so that every vote the batch touches can then be locked and read in one statement, and
// concurrent batches wait on each other's rows instead of both inserting. Only for albums still stored.
const NO_VOTE = { acceptedAt: -1, messageId: '00000000-0000-0000-0000-000000000000' };
const ADD_NO_VOTES: EngineSql = {
  postgresql: `
INSERT INTO votes (album_id, voter, kind, accepted_at, message_id)
SELECT DISTINCT v.album_id, v.voter, NULL::text, ${NO_VOTE.acceptedAt}, '${NO_VOTE.messageId}'::uuid
FROM jsonb_to_recordset(CAST(:keys AS jsonb)) AS v(album_id uuid, voter text)
WHERE EXISTS (SELECT 1 FROM albums WHERE albums.album_id = v.album_id)
ORDER BY v.album_id, v.voter
ON CONFLICT (album_id, voter) DO NOTHING`,
  // On MySQL, INSERT IGNORE would take a shared lock on a row already there, and two batches holding one
  // each would deadlock when both asked to lock it for the update: the no-op update locks it exclusively.
  mysql: `
INSERT INTO votes (album_id, voter, kind, accepted_at, message_id)
SELECT DISTINCT v.album_id, v.voter, NULL, ${NO_VOTE.acceptedAt}, '${NO_VOTE.messageId}'
FROM JSON_TABLE(:keys, '$[*]' COLUMNS (
  album_id char(36) CHARACTER SET ascii PATH '$.album_id',
  voter varchar(255) CHARACTER SET utf8mb4 PATH '$.voter'
)) AS v
WHERE EXISTS (SELECT 1 FROM albums WHERE albums.album_id = v.album_id)
ORDER BY v.album_id, v.voter
ON DUPLICATE KEY UPDATE album_id = votes.album_id`,
};

// Locked in key order, so concurrent batches lock the rows they share in the same order.
const LOCK_VOTES: EngineSql = {
  postgresql: `
SELECT album_id, voter, kind, accepted_at, message_id FROM votes
WHERE (album_id, voter) IN (
  SELECT album_id, voter FROM jsonb_to_recordset(CAST(:keys AS jsonb)) AS v(album_id uuid, voter text)
)
ORDER BY album_id, voter
FOR UPDATE`,
  // From the batch's keys to the rows by their primary key, so only those rows are locked.
  mysql: `
SELECT votes.album_id, votes.voter, votes.kind, votes.accepted_at, votes.message_id
FROM JSON_TABLE(:keys, '$[*]' COLUMNS (
  k_album_id char(36) CHARACTER SET ascii PATH '$.album_id',
  k_voter varchar(255) CHARACTER SET utf8mb4 PATH '$.voter'
)) AS k
JOIN votes ON votes.album_id = k.k_album_id AND votes.voter = CONVERT(k.k_voter USING utf8mb4) COLLATE utf8mb4_bin
ORDER BY votes.album_id, votes.voter
FOR UPDATE`,
};

const STORE_VOTES: EngineSql = {
  postgresql: `
UPDATE votes SET kind = w.kind, accepted_at = w.accepted_at, message_id = w.message_id
FROM jsonb_to_recordset(CAST(:winners AS jsonb))
  AS w(album_id uuid, voter text, kind text, accepted_at bigint, message_id uuid)
WHERE votes.album_id = w.album_id AND votes.voter = w.voter`,
  mysql: `
UPDATE votes JOIN JSON_TABLE(:winners, '$[*]' COLUMNS (
  w_album_id char(36) CHARACTER SET ascii PATH '$.album_id',
  w_voter varchar(255) CHARACTER SET utf8mb4 PATH '$.voter',
  w_kind varchar(8) PATH '$.kind',
  w_accepted_at bigint PATH '$.accepted_at',
  w_message_id char(36) CHARACTER SET ascii PATH '$.message_id'
)) AS w ON votes.album_id = w.w_album_id AND votes.voter = CONVERT(w.w_voter USING utf8mb4) COLLATE utf8mb4_bin
SET votes.kind = w.w_kind, votes.accepted_at = w.w_accepted_at, votes.message_id = w.w_message_id`,
};

// In album order, as the review ledger's statement upserts them, so the two never lock counters crosswise.
const ADD_TO_COUNTS: EngineSql = {
  postgresql: `
INSERT INTO review_counts AS counts (album_id, likes, dislikes)
SELECT album_id, likes, dislikes
FROM jsonb_to_recordset(CAST(:deltas AS jsonb)) AS d(album_id uuid, likes bigint, dislikes bigint)
ORDER BY album_id
ON CONFLICT (album_id) DO UPDATE
  SET likes = counts.likes + EXCLUDED.likes, dislikes = counts.dislikes + EXCLUDED.dislikes`,
  mysql: `
INSERT INTO review_counts (album_id, likes, dislikes)
SELECT d_album_id, d_likes, d_dislikes FROM JSON_TABLE(:deltas, '$[*]' COLUMNS (
  d_album_id char(36) CHARACTER SET ascii PATH '$.album_id',
  d_likes bigint PATH '$.likes',
  d_dislikes bigint PATH '$.dislikes'
)) AS d
ORDER BY d_album_id
ON DUPLICATE KEY UPDATE
  likes = review_counts.likes + VALUES(likes), dislikes = review_counts.dislikes + VALUES(dislikes)`,
};

const MY_VOTE = `
  SELECT votes.kind AS kind FROM albums
  LEFT JOIN votes ON votes.album_id = albums.album_id AND votes.voter = :voter
  WHERE albums.album_id = :albumId`;

interface VoteRow {
  [column: string]: unknown;
  album_id: string;
  voter: string;
  kind: ReviewKind | null;
  accepted_at: number | string;
  message_id: string;
}

/**
 * The votes table and the counters it moves, behind domain verbs. All of the votes table's SQL lives here.
 *
 * @example
 * const votes = createVoteBook(db);
 * await votes.apply([{ messageId, albumId, voter: 'local|ana', kind: 'like', acceptedAt: Date.now() }]);
 */
export function createVoteBook(db: Database): VoteBook {
  const applyIn = async (tx: Transaction, votes: Vote[]) => {
    const keys = json(votes.map(({ albumId, voter }) => ({ album_id: albumId, voter })));
    await tx.execute(ADD_NO_VOTES, { keys });
    const { rows } = await tx.execute<VoteRow>(LOCK_VOTES, { keys });
    const stored = new Map<string, StoredVote>(
      rows.map((row) => [
        voteKey({ albumId: row.album_id, voter: row.voter }),
        { kind: row.kind, acceptedAt: Number(row.accepted_at), messageId: row.message_id },
      ]),
    );
    const { winners, deltas, dropped } = settleVotes(votes, stored);
    if (winners.length > 0) {
      await tx.execute(STORE_VOTES, {
        winners: json(
          winners.map((vote) => ({
            album_id: vote.albumId,
            voter: vote.voter,
            kind: vote.kind,
            accepted_at: vote.acceptedAt,
            message_id: vote.messageId,
          })),
        ),
      });
    }
    if (deltas.size > 0) {
      await tx.execute(ADD_TO_COUNTS, {
        deltas: json([...deltas].map(([albumId, delta]) => ({ album_id: albumId, ...delta }))),
      });
    }
    return { applied: winners.length, dropped: dropped.length };
  };

  return {
    async apply(votes) {
      if (votes.length === 0) return { applied: 0, dropped: 0 };
      return db.transaction((tx) => applyIn(tx, votes));
    },

    async mine(albumId, voter) {
      const { rows } = await db.execute<{ kind: ReviewKind | null }>(MY_VOTE, {
        albumId: uuid(albumId),
        voter,
      });
      const [row] = rows;
      return row?.kind;
    },
  };
}
