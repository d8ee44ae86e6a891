import { randomUUID } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Album, AlbumPage, CreatedAlbum } from '../../lib/schemas.js';
import { nativeAlbum } from '../course/albums.js';
import { createAlbum } from '../support/albums.js';
import { jsonAs, signedInAs, tokenFor } from '../support/auth.js';
import { coverJudged, coversBucket, uploadCover } from '../support/covers.js';
import { png } from '../support/images.js';
import { expectDocumentedResponse } from '../support/openapi.js';
import { eventually, type SharedStack, sharedStack } from '../support/stack.js';

let stack: SharedStack;

beforeAll(async () => {
  stack = await sharedStack();
});

const albumUrl = (albumId: string) => `${stack.apiUrl}/albums/${albumId}`;

const patch = async (albumId: string, user: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(albumUrl(albumId), {
    method: 'PATCH',
    headers: { ...(await jsonAs(stack, user)), ...headers },
    body: JSON.stringify(body),
  });

const remove = async (albumId: string, user: string) =>
  fetch(albumUrl(albumId), { method: 'DELETE', headers: await signedInAs(stack, user) });

/** The `sub` of a local user, as the API records it in `owner`. */
async function subOf(user: string): Promise<string> {
  const [, payload] = (await tokenFor(stack, user)).split('.');
  return (JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as { sub: string }).sub;
}

/** A course album: created through the open course contract, so it has no owner. */
async function courseAlbum(): Promise<string> {
  const title = `Open ${randomUUID()}`;
  const form = new FormData();
  form.append('profile', JSON.stringify({ artist: 'Course', title, year: '1999' }));
  form.append('image', new Blob([new Uint8Array(png(8, 8))], { type: 'image/png' }), 'cover.png');
  const created = await fetch(`${stack.apiUrl}/cs6650/albums`, { method: 'POST', body: form });
  expect(created.status).toBe(200);
  const album = await nativeAlbum(stack.apiUrl, 'Course', title);
  expect((album as unknown as Album).owner).toBeNull();
  return album.albumId;
}

describe('owners', () => {
  it("records the creator as the album's owner, and lists a user's albums", async () => {
    // An artist of this test's own, on a stack other files share; asked for in other letter case.
    const artist = `Ownership ${randomUUID()}`;
    const created = await createAlbum(stack, artist, 'ana');
    expect(created.owner).toBe(await subOf('ana'));
    await createAlbum(stack, artist, 'bo');
    const listed = await fetch(
      `${stack.apiUrl}/albums?owner=${encodeURIComponent(await subOf('ana'))}&artist=${encodeURIComponent(artist.toLowerCase())}`,
    );
    const page = (await expectDocumentedResponse('GET', '/albums', listed)) as AlbumPage;
    expect(page.items.map((album) => album.albumId)).toEqual([created.albumId]);
  });

  it('lets the owner change artist, title or year, with If-Match on the ETag: 412 when stale', async () => {
    const { albumId } = await createAlbum(stack, 'Typo Artsit', 'ana');
    const read = await fetch(albumUrl(albumId));
    const etag = read.headers.get('etag') ?? '';
    expect(etag).toMatch(/^".+"$/);

    const changed = await patch(albumId, 'ana', { artist: 'Typo Artist', year: 2019 }, { 'if-match': etag });
    expect(changed.status).toBe(200);
    const album = (await expectDocumentedResponse('PATCH', '/albums/{albumId}', changed)) as Album;
    expect(album).toMatchObject({ albumId, artist: 'Typo Artist', year: 2019 });
    const newTag = changed.headers.get('etag');
    expect(newTag).not.toBe(etag);

    // The tag read before the change is stale now: nothing changes, and the client is told to read again.
    const stale = await patch(albumId, 'ana', { title: 'Lost update' }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(await expectDocumentedResponse('PATCH', '/albums/{albumId}', stale)).toEqual({
      message: expect.stringContaining('has changed'),
    });
    const fresh = await eventually(async () => {
      const response = await fetch(albumUrl(albumId));
      return response.headers.get('etag') === newTag ? ((await response.json()) as Album) : undefined;
    });
    expect(fresh.title).toBe(album.title);

    // With the current tag, or none, the change goes through.
    expect((await patch(albumId, 'ana', { title: 'Found' }, { 'if-match': newTag ?? '' })).status).toBe(200);
    expect((await patch(albumId, 'ana', { year: 2018 })).status).toBe(200);
  });

  it('refuses a change with no field, an unknown one, or a value create would refuse, and changes nothing', async () => {
    const created = await createAlbum(stack, 'Strict', 'ana');
    for (const body of [{}, { owner: 'someone' }, { year: 99 }, { artist: '' }, { title: 'x'.repeat(201) }]) {
      const response = await patch(created.albumId, 'ana', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      await expectDocumentedResponse('PATCH', '/albums/{albumId}', response);
    }
    const album = (await (await fetch(albumUrl(created.albumId))).json()) as Album;
    expect(album).toMatchObject({ artist: created.artist, title: created.title, year: created.year });
  });

  it("answers another user 403 on the owner's routes, a course album 403, and a missing album 404", async () => {
    const created = await createAlbum(stack, 'Guarded', 'ana');
    const { albumId } = created;
    const forbidden = [
      await patch(albumId, 'bo', { title: 'Mine now' }),
      await remove(albumId, 'bo'),
      await fetch(`${albumUrl(albumId)}/cover`, { method: 'POST', headers: await signedInAs(stack, 'bo') }),
    ];
    for (const response of forbidden) {
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: expect.stringContaining('another user') });
    }
    const album = (await (await fetch(albumUrl(albumId))).json()) as Album;
    expect(album.title).toBe(created.title);

    const course = await courseAlbum();
    const courseChange = await patch(course, 'ana', { title: 'Taken' });
    expect(courseChange.status).toBe(403);
    expect(await courseChange.json()).toEqual({ message: expect.stringContaining('course') });
    expect((await remove(course, 'ana')).status).toBe(403);

    const missing = randomUUID();
    expect((await patch(missing, 'ana', { title: 'Nothing' })).status).toBe(404);
    const gone = await remove(missing, 'ana');
    expect(gone.status).toBe(404);
    await expectDocumentedResponse('DELETE', '/albums/{albumId}', gone);
  });

  it('deletes an album for its owner: 204, its covers gone from the bucket, then 404', async () => {
    const created: CreatedAlbum = await createAlbum(stack, 'Deleted', 'ana');
    const { albumId } = created;
    expect((await uploadCover(created.upload, png(16, 16))).status).toBe(204);
    await coverJudged(stack.apiUrl, albumId, created.upload.key);
    // A second upload, so there is more than one object under the album's prefix.
    const again = await fetch(`${albumUrl(albumId)}/cover`, {
      method: 'POST',
      headers: await signedInAs(stack, 'ana'),
    });
    expect(again.status).toBe(201);
    const second = (await again.json()) as CreatedAlbum['upload'];
    expect((await uploadCover(second, png(24, 24))).status).toBe(204);
    await coverJudged(stack.apiUrl, albumId, second.key);
    const bucket = coversBucket(stack);
    // Its uploads lie under covers/, the verified copy shown under shown-covers/.
    const objects = async () => {
      let count = 0;
      for (const prefix of [`covers/${albumId}`, `shown-covers/${albumId}`]) {
        const listed = await bucket.s3.send(
          new ListObjectsV2Command({ Bucket: bucket.bucket, Prefix: prefix }),
        );
        count += listed.KeyCount ?? 0;
      }
      return count;
    };
    expect(await objects()).toBeGreaterThanOrEqual(1);

    const deleted = await remove(albumId, 'ana');
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect(await objects()).toBe(0);
    expect(await bucket.stored(created.upload.key)).toBe(false);
    await eventually(
      async () => ((await fetch(albumUrl(albumId))).status === 404 ? true : undefined),
      15_000,
    );
    expect((await fetch(`${albumUrl(albumId)}/reviews`)).status).toBe(404);
    expect((await remove(albumId, 'ana')).status).toBe(404);
    bucket.s3.destroy();
  });
});
