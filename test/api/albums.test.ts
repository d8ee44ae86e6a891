import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_YEAR } from '../../lib/schemas.js';
import { jsonAs, signedInAs } from '../support/auth.js';
import { coverJudged, shownCoverBytes } from '../support/covers.js';
import { png } from '../support/images.js';
import { expectDocumentedResponse } from '../support/openapi.js';
import { type SharedStack, sharedStack } from '../support/stack.js';

let stack: SharedStack;
/** The signed-in user every album here is created by. */
let owner: { authorization: string };

beforeAll(async () => {
  stack = await sharedStack();
  owner = await signedInAs(stack);
});

const post = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${stack.apiUrl}/albums`, {
    method: 'POST',
    headers: { ...owner, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function createAlbum(album = { artist: 'Nina Simone', title: 'Pastel Blues', year: 1965 }) {
  const response = await post(album);
  expect(response.status).toBe(201);
  return expectDocumentedResponse('POST', '/albums', response);
}

async function listAll(query: string) {
  const seen: Array<{ albumId: string }> = [];
  let cursor: string | null = null;
  do {
    const response = await fetch(`${stack.apiUrl}/albums?${query}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(response.status).toBe(200);
    const page = await expectDocumentedResponse('GET', '/albums', response);
    seen.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

describe('POST /albums', () => {
  it('stores the album and returns it with a presigned POST for the cover', async () => {
    const before = Date.now();
    const response = await post({ artist: '  Nina Simone ', title: 'Pastel Blues', year: 1965 });
    expect(response.status).toBe(201);
    const album = await expectDocumentedResponse('POST', '/albums', response);

    expect(album).toMatchObject({
      artist: 'Nina Simone',
      title: 'Pastel Blues',
      year: 1965,
      cover: { status: 'pending' },
    });
    expect(response.headers.get('location')).toBe(`/albums/${album.albumId}`);
    expect(album.upload.key).toMatch(new RegExp(`^covers/${album.albumId}/\\d{13}-[0-9a-f]{8}$`));
    expect(album.upload.maxBytes).toBe(5 * 1024 * 1024);
    const expiresAt = Date.parse(album.upload.expiresAt);
    expect(expiresAt - before).toBeLessThanOrEqual(10 * 60 * 1000 + 5_000);
    expect(expiresAt).toBeGreaterThan(before);

    const policy = JSON.parse(Buffer.from(album.upload.fields.Policy, 'base64').toString());
    expect(policy.conditions).toEqual(
      expect.arrayContaining([
        ['content-length-range', 1, 5 * 1024 * 1024],
        ['starts-with', '$Content-Type', 'image/'],
        { key: album.upload.key },
        { bucket: stack.environment.COVERS_BUCKET },
      ]),
    );
    expect(Date.parse(policy.expiration)).toBeLessThanOrEqual(expiresAt + 1_000);
  });

  it('hands out an upload the local S3 accepts from a client, and stores whole', async () => {
    const album = await createAlbum();
    const form = new FormData();
    for (const [name, value] of Object.entries<string>(album.upload.fields)) form.append(name, value);
    form.append('Content-Type', 'image/png');
    const image = png(3, 2);
    form.append('file', new Blob([new Uint8Array(image)], { type: 'image/png' }), 'cover.png');
    const upload = await fetch(album.upload.url, { method: 'POST', body: form });
    expect(upload.status).toBeLessThan(300);

    // What the bucket stored, as the verifier read it: the upload object itself is removed once judged, which
    // can be before a HEAD of it here.
    const judged = await coverJudged(stack.apiUrl, album.albumId, album.upload.key);
    expect(judged.cover).toMatchObject({ status: 'ready', size: image.length, width: 3, height: 2 });
    expect(await shownCoverBytes(judged)).toEqual(image);
  });

  const invalidBodies: Array<[string, unknown, string]> = [
    ['a missing artist', { title: 'T', year: 2000 }, 'artist'],
    ['a missing title', { artist: 'A', year: 2000 }, 'title'],
    ['a missing year', { artist: 'A', title: 'T' }, 'year'],
    ['an empty artist', { artist: '', title: 'T', year: 2000 }, 'artist'],
    ['a blank title', { artist: 'A', title: '   ', year: 2000 }, 'title'],
    ['an over-long title', { artist: 'A', title: 'x'.repeat(201), year: 2000 }, 'title'],
    ['a non-string artist', { artist: 42, title: 'T', year: 2000 }, 'artist'],
    ['a year before 1000', { artist: 'A', title: 'T', year: 999 }, 'year'],
    ['a year after next year', { artist: 'A', title: 'T', year: MAX_YEAR + 1 }, 'year'],
    ['a fractional year', { artist: 'A', title: 'T', year: 1999.5 }, 'year'],
    ['an unknown field', { artist: 'A', title: 'T', year: 2000, genre: 'punk' }, 'genre'],
    ['a JSON array', [1, 2], 'body'],
  ];

  it.each(invalidBodies)('rejects %s with a 400 naming the field', async (_case, body, field) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    const error = await expectDocumentedResponse('POST', '/albums', response);
    expect(error.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(error.message).toContain(field);
  });

  it('rejects a body that is not JSON', async () => {
    const response = await post('{"artist": "A",');
    expect(response.status).toBe(400);
    expect((await expectDocumentedResponse('POST', '/albums', response)).message).toMatch(/not valid JSON/);
  });

  it('rejects an empty body', async () => {
    const response = await post('');
    expect(response.status).toBe(400);
    await expectDocumentedResponse('POST', '/albums', response);
  });

  it('rejects a body that is not application/json with a 415', async () => {
    const response = await post('artist=A&title=T&year=2000', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response.status).toBe(415);
    expect((await expectDocumentedResponse('POST', '/albums', response)).message).toMatch(
      /application\/json/,
    );
  });

  it('writes nothing for a rejected request', async () => {
    const artist = `Nobody ${Date.now()}`;
    await post({ artist, title: 'T', year: 99 });
    await post({ artist, title: '', year: 2000 });
    expect(await listAll(`artist=${encodeURIComponent(artist)}`)).toEqual([]);
  });
});

describe('GET /albums/{albumId}', () => {
  it('returns a stored album', async () => {
    const { upload: _upload, ...created } = await createAlbum({
      artist: 'Can',
      title: 'Tago Mago',
      year: 1971,
    });
    const response = await fetch(`${stack.apiUrl}/albums/${created.albumId}`);
    expect(response.status).toBe(200);
    expect(await expectDocumentedResponse('GET', '/albums/{albumId}', response)).toEqual(created);
  });

  it('answers 404 for an id that is not stored', async () => {
    const response = await fetch(`${stack.apiUrl}/albums/9b2f1f57-3c2e-4d8a-9a43-0f2d9e7c1a11`);
    expect(response.status).toBe(404);
    await expectDocumentedResponse('GET', '/albums/{albumId}', response);
  });

  it('answers 400 naming albumId for an id that is not a UUID', async () => {
    const response = await fetch(`${stack.apiUrl}/albums/not-a-uuid`);
    expect(response.status).toBe(400);
    const error = await expectDocumentedResponse('GET', '/albums/{albumId}', response);
    expect(error.errors).toEqual([{ field: 'albumId', message: 'must be a valid UUID' }]);
  });
});

describe('GET /albums', () => {
  it('pages through every album of an artist exactly once, in creation order', async () => {
    const artist = `Pager ${Date.now()}`;
    const created = [];
    for (let i = 0; i < 7; i++)
      created.push(await createAlbum({ artist, title: `Volume ${i}`, year: 2000 + i }));
    await createAlbum({ artist: `${artist} Tribute`, title: 'Other', year: 2001 });

    const listed = await listAll(`artist=${encodeURIComponent(artist.toUpperCase())}&limit=3`);
    expect(listed.map((album) => album.albumId)).toEqual(created.map((album) => album.albumId));
  });

  it('pages newest first with order=newest, all albums or one artist, each exactly once', async () => {
    const artist = `Newest ${Date.now()}`;
    const created = [];
    for (let i = 0; i < 5; i++)
      created.push(await createAlbum({ artist, title: `Take ${i}`, year: 2000 + i }));
    const newestFirst = created.map((album) => album.albumId).reverse();

    const byArtist = await listAll(`artist=${encodeURIComponent(artist)}&order=newest&limit=2`);
    expect(byArtist.map((album) => album.albumId)).toEqual(newestFirst);
    // Every album, newest first, each once, the ones just made among them in order; and, of the albums both
    // listings saw (other files add and delete albums on this stack meanwhile), the oldest-first order reversed.
    const all = (await listAll('order=newest&limit=7')).map((album) => album.albumId);
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((albumId) => newestFirst.includes(albumId))).toEqual(newestFirst);
    const oldestFirst = (await listAll('limit=100')).map((album) => album.albumId);
    expect(new Set(oldestFirst).size).toBe(oldestFirst.length);
    expect(oldestFirst.filter((albumId) => all.includes(albumId))).toEqual(
      all.filter((albumId) => oldestFirst.includes(albumId)).reverse(),
    );
  });

  it("refuses a cursor of the other order's listing with a 400 naming the cursor", async () => {
    await createAlbum();
    await createAlbum();
    const first = await (await fetch(`${stack.apiUrl}/albums?limit=1&order=newest`)).json();
    expect(first.nextCursor).toEqual(expect.any(String));
    const response = await fetch(`${stack.apiUrl}/albums?limit=1&cursor=${first.nextCursor}`);
    expect(response.status).toBe(400);
    const error = await expectDocumentedResponse('GET', '/albums', response);
    expect(error.errors).toEqual([
      { field: 'cursor', message: 'continues a listing newest first, not oldest first' },
    ]);
  });

  it('defaults to pages of 20', async () => {
    const response = await fetch(`${stack.apiUrl}/albums`);
    const page = await expectDocumentedResponse('GET', '/albums', response);
    expect(page.items.length).toBeLessThanOrEqual(20);
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['order=random', 'order'],
    ['cursor=bm90LWEtY3Vyc29y', 'cursor'],
    [`artist=${'x'.repeat(201)}`, 'artist'],
  ])('rejects %s with a 400 naming the parameter', async (query, field) => {
    const response = await fetch(`${stack.apiUrl}/albums?${query}`);
    expect(response.status).toBe(400);
    const error = await expectDocumentedResponse('GET', '/albums', response);
    expect(error.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  });
});

describe('GET /docs', () => {
  it('serves the OpenAPI description and its viewer', async () => {
    const document = await (await fetch(`${stack.apiUrl}/docs/openapi.json`)).json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/albums', '/albums/{albumId}']));
    const page = await fetch(`${stack.apiUrl}/docs`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('swagger-ui-bundle.js');
    for (const file of ['swagger-ui-bundle.js', 'swagger-ui.css']) {
      const asset = await fetch(`${stack.apiUrl}/docs/${file}`);
      expect(asset.status).toBe(200);
      const shipped = await readFile(
        join(import.meta.dirname, '../../node_modules/swagger-ui-dist', file),
        'utf8',
      );
      expect((await asset.text()) === shipped, `${file} is served whole`).toBe(true);
    }
  });

  it('serves the viewer at /docs/ as at /docs', async () => {
    for (const path of ['/docs/', '/docs/cs6650/']) {
      const page = await fetch(`${stack.apiUrl}${path}`);
      expect(page.status, path).toBe(200);
      expect(await page.text()).toBe(await (await fetch(`${stack.apiUrl}${path.slice(0, -1)}`)).text());
    }
  });

  it('gives every parameter and request body an example, and the API accepts them', async () => {
    for (const path of ['/docs/openapi.json', '/docs/cs6650.json']) {
      const document = (await (await fetch(`${stack.apiUrl}${path}`)).json()) as DocumentedOperations;
      for (const [route, operations] of Object.entries(document.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          for (const parameter of operation.parameters ?? []) {
            expect(parameter.example, `${path} ${method} ${route} ${parameter.name}`).toBeDefined();
          }
          for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
            // A form shows each field's example; a JSON body, its own.
            const shown = media.example ?? formExamples(document, media.schema.$ref);
            expect(shown, `${path} ${method} ${route} ${type}`).toBeDefined();
          }
        }
      }
    }

    const document = (await (
      await fetch(`${stack.apiUrl}/docs/openapi.json`)
    ).json()) as DocumentedOperations;
    const example = (route: string, method: string, name?: string) => {
      const operation = document.paths[route]?.[method];
      return name === undefined
        ? operation?.requestBody?.content['application/json']?.example
        : operation?.parameters?.find((parameter) => parameter.name === name)?.example;
    };
    const signedIn = await jsonAs(stack);
    const created = await fetch(`${stack.apiUrl}/albums`, {
      method: 'POST',
      headers: signedIn,
      body: JSON.stringify(example('/albums', 'post')),
    });
    expect(created.status).toBe(201);
    const { albumId } = (await created.json()) as { albumId: string };
    const query = new URLSearchParams(
      ['artist', 'limit', 'cursor'].map((name) => [name, String(example('/albums', 'get', name))]),
    );
    const listed = await fetch(`${stack.apiUrl}/albums?${query}`);
    expect(
      ((await expectDocumentedResponse('GET', '/albums', listed)) as { items: unknown[] }).items,
    ).toEqual(expect.arrayContaining([expect.objectContaining({ albumId })]));
    const reviewed = await fetch(`${stack.apiUrl}/albums/${albumId}/reviews`, {
      method: 'POST',
      headers: signedIn,
      body: JSON.stringify(example('/albums/{albumId}/reviews', 'post')),
    });
    expect(reviewed.status).toBe(202);
    const changed = await fetch(`${stack.apiUrl}/albums/${albumId}`, {
      method: 'PATCH',
      headers: { ...signedIn, 'if-match': String(example('/albums/{albumId}', 'patch', 'if-match')) },
      body: JSON.stringify(example('/albums/{albumId}', 'patch')),
    });
    expect(changed.status).toBe(200);
  });
});

interface DocumentedOperations {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ name: string; example?: unknown }>;
        requestBody?: { content: Record<string, { schema: { $ref?: string }; example?: unknown }> };
      }
    >
  >;
  components: {
    schemas: Record<string, { properties?: Record<string, { examples?: unknown[]; format?: string }> }>;
  };
}

/** The examples of a form's fields, a file field aside; undefined when one has none. */
function formExamples(document: DocumentedOperations, ref: string | undefined): unknown[] | undefined {
  const properties = document.components.schemas[ref?.split('/').at(-1) ?? '']?.properties ?? {};
  const fields = Object.values(properties).filter((property) => property.format !== 'binary');
  const examples = fields.map((property) => property.examples?.[0]);
  return fields.length > 0 && examples.every((shown) => shown !== undefined) ? examples : undefined;
}
