import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonAs } from '../support/auth.js';
import { png } from '../support/images.js';
import { eventually, startTestStack } from '../support/stack.js';

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'album-restart-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('the local stack', () => {
  it('keeps albums, reviews and covers across a restart', async () => {
    const first = await startTestStack({ dataDir });
    let albumId: string;
    try {
      const listener = await jsonAs(first);
      const created = await fetch(`${first.apiUrl}/albums`, {
        method: 'POST',
        headers: listener,
        body: JSON.stringify({ artist: 'Durable', title: 'Still Here', year: 2003 }),
      });
      const album = (await created.json()) as {
        albumId: string;
        upload: { url: string; fields: Record<string, string> };
      };
      albumId = album.albumId;
      const form = new FormData();
      for (const [name, value] of Object.entries(album.upload.fields)) form.append(name, value);
      form.append('Content-Type', 'image/png');
      form.append('file', new Blob([new Uint8Array(png(12, 12))], { type: 'image/png' }), 'cover.png');
      expect((await fetch(album.upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
      await fetch(`${first.apiUrl}/albums/${albumId}/reviews`, {
        method: 'POST',
        headers: listener,
        body: JSON.stringify({ kind: 'like' }),
      });
      await eventually(async () => {
        const current = (await (await fetch(`${first.apiUrl}/albums/${albumId}`)).json()) as {
          cover: { status: string };
          reviews: { likes: number };
        };
        return current.cover.status === 'ready' && current.reviews.likes === 1 ? true : undefined;
      });
    } finally {
      await first.stop();
    }

    const second = await startTestStack({ dataDir });
    try {
      expect(second.logs).toContain('Database schema is up to date');
      const album = (await (await fetch(`${second.apiUrl}/albums/${albumId}`)).json()) as {
        title: string;
        cover: { status: string; url: string; width: number };
        reviews: { likes: number };
      };
      expect(album).toMatchObject({
        title: 'Still Here',
        cover: { status: 'ready', width: 12 },
        reviews: { likes: 1 },
      });
      const cover = await fetch(album.cover.url);
      expect(Buffer.from(await cover.arrayBuffer())).toEqual(png(12, 12));
    } finally {
      await second.stop();
    }
  });
});
