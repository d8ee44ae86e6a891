import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonAs } from '../support/auth.js';
import { png } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const CHROMIUM = '/usr/bin/chromium';
/** Every screenshot the tests take, to be looked at: test-artifacts/ is not committed. */
const screenshots = join(import.meta.dirname, '..', '..', 'test-artifacts', 'album-page');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let stack: TestStack;
let browser: Browser;
let desktop: BrowserContext;
let page: Page;
/** The albums the list test creates, by title. */
const sessionIds = new Map<string, string>();
/** The album the first test creates, which the others come back to. */
let firstAlbumId: string;
/**
 * `expect.poll` with time for a machine under load: the page waits on the API, the queue and the covers
 * bucket, each a second or more away when every core is busy.
 */
const poll: typeof expect.poll = (read, options) => expect.poll(read, { timeout: 10_000, ...options });

/** Every request the page made that was answered with an error, favicon included. */
const failedRequests: string[] = [];
/** What the browser refused under the page's Content-Security-Policy, and any other error it logged. */
const consoleErrors: string[] = [];

function watch(watched: Page) {
  watched.on('response', (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.url()}`);
  });
  watched.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  return watched;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser test drives Debian's Chromium: install it with 'apt-get install -y chromium' (.ci/run does)`,
    );
  }
  await mkdir(screenshots, { recursive: true });
  stack = await startTestStack();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  desktop = await browser.newContext({ viewport: DESKTOP });
  page = watch(await desktop.newPage());
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const message = () => page.locator('#message');
/** What the window shows, as a person sees it at that size; `full` adds everything below the fold. */
const shoot = (name: string, on: Page = page, full = false) =>
  on.screenshot({ path: join(screenshots, `${name}.png`), fullPage: full });

const newAlbumForm = () => page.locator('#album-form');

async function createInPage(artist: string, title: string, year: string) {
  if (await newAlbumForm().isHidden()) await page.getByRole('button', { name: 'New album' }).click();
  await newAlbumForm().getByLabel('Artist').fill(artist);
  await newAlbumForm().getByLabel('Title').fill(title);
  await newAlbumForm().getByLabel('Year').fill(year);
  await newAlbumForm().getByRole('button', { name: 'Create album' }).click();
  await poll(() => message().textContent()).toContain('Album created');
}

async function chooseCover(name: string, mimeType: string, buffer: Buffer) {
  await page.locator('#cover-file').setInputFiles({ name, mimeType, buffer });
}

async function createThroughApi(
  artist: string,
  title: string,
  year: number,
  user = 'ana',
): Promise<{ albumId: string }> {
  const response = await fetch(`${stack.apiUrl}/albums`, {
    method: 'POST',
    headers: await jsonAs(stack, user),
    body: JSON.stringify({ artist, title, year }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as { albumId: string };
}

/** Whether the element is wholly inside the window, as it is scrolled. */
const inView = (on: Page, selector: string) =>
  on.locator(selector).evaluate((node) => {
    const box = node.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0;
  });

const listNames = () =>
  page
    .locator('#album-list .name')
    .evaluateAll((names) => names.map((name) => name.firstChild?.textContent ?? ''));

/** An album's counts as the API gives them. */
const countsOf = async (albumId: string) => {
  const { likes, dislikes } = await (await fetch(`${stack.apiUrl}/albums/${albumId}/reviews`)).json();
  return { likes, dislikes };
};

/** Signs in with the local user picker, as a person would. */
async function signInAs(on: Page, user: string) {
  await on.getByLabel('Local user').fill(user);
  await on.getByRole('button', { name: 'Sign in' }).click();
  await poll(() => on.locator('#user-name').textContent()).toBe(user);
}

/** The 4xx answers a test asked for on purpose, taken out of those the last test checks. */
function expectFailedRequest(pattern: RegExp) {
  const index = failedRequests.findIndex((request) => pattern.test(request));
  expect(index, `a request answered ${pattern}`).toBeGreaterThanOrEqual(0);
  failedRequests.splice(index, 1);
}

describe('the album page', () => {
  it('asks a visitor to sign in before creating, and signs in with the local user picker', async () => {
    await page.goto(stack.apiUrl);
    // An address naming no album opens the new-album form, which needs an account.
    await poll(() => newAlbumForm().isVisible()).toBe(true);
    expect(await page.locator('#sign-in-to-create').isVisible()).toBe(true);
    expect(await newAlbumForm().getByLabel('Artist').isDisabled()).toBe(true);
    await poll(() => page.locator('#browse-summary').textContent()).not.toBe('');
    await shoot('desktop-0-signed-out');
    await signInAs(page, 'ana');
    expect(await newAlbumForm().getByLabel('Artist').isEnabled()).toBe(true);
    expect(await page.locator('#sign-in-to-create').isHidden()).toBe(true);
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(true);
    // Focus moves once the page has drawn the signed-in header, which a busy machine may finish after the button shows.
    await poll(() => page.evaluate(() => document.activeElement?.id)).toBe('sign-out');
  });

  it('creates an album and shows it at once, above the fold, first and highlighted in the list', async () => {
    await createInPage('Kraftwerk', 'Computer World', '1981');
    // The form starts over, so a second click cannot make a duplicate; the address names the album.
    expect(await newAlbumForm().isHidden()).toBe(true);
    expect(await newAlbumForm().getByLabel('Artist').inputValue()).toBe('');
    const albumId = new URL(page.url()).searchParams.get('album') ?? '';
    expect(albumId).toMatch(/^[0-9a-f-]{36}$/);
    firstAlbumId = albumId;
    expect(await page.locator('#album-heading').textContent()).toBe('Computer World');
    expect(await page.locator('#album-artist').textContent()).toBe('Kraftwerk');
    // Keyboard and screen reader land on the new album.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('album-heading');
    expect(await inView(page, '#album')).toBe(true);
    // Newest first: the new album leads the list, marked as the one open.
    const current = page.locator('#album-list a[aria-current="page"]');
    await poll(() => current.locator('.name').textContent()).toContain('Computer World');
    expect(await current.getAttribute('href')).toBe(`/?album=${albumId}`);
    expect((await listNames())[0]).toBe('Computer World');
    expect(await page.getByRole('button', { name: 'Add cover' }).isVisible()).toBe(true);
    await shoot('desktop-1-album-created');
  });

  it('uploads a cover straight to S3, shows it once verified, and then offers to replace it', async () => {
    const uploads: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') uploads.push(request.url());
    });
    await chooseCover('computer-world.png', 'image/png', png(120, 90));
    await poll(() => message().textContent(), { timeout: 20_000 }).toBe('Cover ready.');
    expect(uploads.some((url) => url.startsWith(stack.s3Url))).toBe(true); // the bytes went to S3, not the API
    expect(await page.locator('#upload-progress').evaluate((bar: HTMLProgressElement) => bar.value)).toBe(
      100,
    );
    const image = page.locator('#cover-image');
    await poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(120);
    expect(await image.getAttribute('alt')).toBe('Cover of Computer World by Kraftwerk');
    expect(await page.locator('#cover-status').textContent()).toBe('Cover 120 × 90');
    expect(await page.getByRole('button', { name: 'Replace cover' }).isVisible()).toBe(true);
    expect(await inView(page, '#album')).toBe(true);
    await shoot('desktop-2-cover-ready');
  });

  it("shows the visitor's own vote, and lets them change and withdraw it", async () => {
    const like = page.getByRole('button', { name: /^Like/ });
    const dislike = page.getByRole('button', { name: /^Dislike/ });
    await like.click();
    await poll(() => like.getAttribute('aria-pressed')).toBe('true');
    await poll(() => page.locator('#likes').textContent(), { timeout: 15_000 }).toBe('1');
    expect(await page.getByRole('button', { name: 'Withdraw my vote' }).isVisible()).toBe(true);
    // The vote is the service's, not the page's: once counted, a reload shows it from GET …/reviews/mine.
    await poll(() => countsOf(firstAlbumId), { timeout: 15_000 }).toEqual({ likes: 1, dislikes: 0 });
    await page.reload();
    await poll(() => like.getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('true');
    await dislike.click();
    await poll(() => dislike.getAttribute('aria-pressed')).toBe('true');
    expect(await like.getAttribute('aria-pressed')).toBe('false');
    await poll(
      async () => [await page.locator('#likes').textContent(), await page.locator('#dislikes').textContent()],
      {
        timeout: 15_000,
      },
    ).toEqual(['0', '1']);
    await page.getByRole('button', { name: 'Withdraw my vote' }).click();
    await poll(() => dislike.getAttribute('aria-pressed')).toBe('false');
    await poll(() => page.locator('#dislikes').textContent(), { timeout: 15_000 }).toBe('0');
    await like.click();
    await poll(() => page.locator('#likes').textContent(), { timeout: 15_000 }).toBe('1');
    const item = page.locator('#album-list li', { hasText: 'Computer World' });
    await poll(() => item.locator('.meta').textContent(), { timeout: 5_000 }).toBe(
      'Kraftwerk (1981) · 1 like · 0 dislikes',
    );
    await poll(() =>
      item.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
    ).toBe(120);
    await shoot('desktop-3-voted');
  });

  it('refuses a file over the size limit before uploading it', async () => {
    await chooseCover('huge.png', 'image/png', Buffer.alloc(6 * 1024 * 1024, 1));
    await poll(() => message().textContent()).toMatch(
      /“huge.png” is too large: 6.0 MB, and covers may be at most 5.0 MB/,
    );
    expect(await message().getAttribute('class')).toBe('message error');
    await shoot('desktop-4-too-large');
  });

  it('refuses a text file renamed .png once storage has it checked, keeping the cover it had', async () => {
    await chooseCover('notes.png', 'image/png', Buffer.from('these are my notes, not a picture'));
    await poll(() => message().textContent(), { timeout: 20_000 }).toBe(
      'The file was refused: not a JPEG, PNG, WebP or GIF image.',
    );
    expect(await page.locator('#cover-status').textContent()).toBe(
      'Cover 120 × 90; the newer upload was refused: not a JPEG, PNG, WebP or GIF image',
    );
    expect(await page.locator('#cover-image').isVisible()).toBe(true);
    await shoot('desktop-5-not-an-image');
  });

  it('lists newest first a page at a time, loads more, and searches by artist', async () => {
    for (let i = 1; i <= 13; i++) {
      const title = `Session ${String(i).padStart(2, '0')}`;
      sessionIds.set(title, (await createThroughApi('Can', title, 1970)).albumId);
    }
    await page.goto(stack.apiUrl);
    await poll(() => listNames().then((names) => names.length)).toBe(12);
    expect((await listNames()).slice(0, 3)).toEqual(['Session 13', 'Session 12', 'Session 11']);
    await page.getByRole('button', { name: 'Load more' }).click();
    await poll(() => listNames().then((names) => names.length)).toBeGreaterThan(12);
    const names = await listNames();
    expect(names.slice(11, 13)).toEqual(['Session 02', 'Session 01']);
    expect(names.filter((name) => name === 'Session 01')).toHaveLength(1);

    await page.getByLabel('Search by artist').fill('kraftwerk');
    await page.getByLabel('Search by artist').press('Enter');
    await poll(() => listNames()).toEqual(['Computer World']);
    expect(await page.locator('#browse-summary').textContent()).toBe('1 album by “kraftwerk”, newest first.');
    expect(await page.getByRole('button', { name: 'Load more' }).isHidden()).toBe(true);
    await shoot('desktop-6-search');
    await page.getByLabel('Search by artist').fill('Nobody At All');
    await page.getByRole('button', { name: 'Search' }).click();
    await poll(() => page.locator('#browse-summary').textContent()).toBe('No albums by “Nobody At All”.');
    await page.getByLabel('Search by artist').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await poll(() => listNames().then((names) => names[0])).toBe('Session 13');
  });

  it('scrolls the list to the open album where the list scrolls on its own', async () => {
    // The last of the first page, below the list's fold at 1280×900.
    await page.goto(`${stack.apiUrl}/?album=${sessionIds.get('Session 02')}`);
    await poll(() => page.locator('#album-heading').textContent()).toBe('Session 02');
    const current = page.locator('#album-list a[aria-current="page"]');
    await poll(() => current.count()).toBe(1);
    const shown = () =>
      current.evaluate((link) => {
        const pane = (link.closest('#browse') as HTMLElement).getBoundingClientRect();
        const item = link.getBoundingClientRect();
        return item.top >= pane.top && item.bottom <= pane.bottom;
      });
    await poll(shown).toBe(true);
    expect(await page.locator('#browse').evaluate((pane) => pane.scrollTop)).toBeGreaterThan(0);
    await shoot('desktop-7a-scrolled-to');
  });

  it('shows the same album again after a reload, and opens another from the list', async () => {
    await page.goto(stack.apiUrl);
    await page.getByRole('button', { name: 'Load more' }).click();
    const link = page.getByRole('link', { name: /Computer World/ });
    await link.click();
    await poll(() => page.locator('#album-heading').textContent()).toBe('Computer World');
    const address = page.url();
    await page.reload();
    expect(page.url()).toBe(address);
    await poll(() => page.locator('#album-heading').textContent()).toBe('Computer World');
    await poll(() =>
      page.locator('#cover-image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
    ).toBe(120);
    expect(await page.locator('#likes').textContent()).toBe('1');
    await shoot('desktop-7-reloaded');

    await page.getByRole('link', { name: /Session 13/ }).click();
    await poll(() => page.locator('#album-heading').textContent()).toBe('Session 13');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('album-heading');
    expect(await page.locator('#cover-status').textContent()).toBe('No cover yet');
    expect(await page.locator('#album-list a[aria-current="page"] .name').textContent()).toContain(
      'Session 13',
    );
    await page.goBack();
    await poll(() => page.locator('#album-heading').textContent()).toBe('Computer World');
    await page.goBack();
    await poll(() => newAlbumForm().isVisible()).toBe(true);
  });

  it("lists only the visitor's own albums under Your albums", async () => {
    await createThroughApi('Can', 'Not Ana’s', 1971, 'bo');
    await page.goto(stack.apiUrl);
    await poll(() => listNames().then((names) => names[0])).toBe('Not Ana’s');
    await page.getByRole('button', { name: 'Your albums' }).click();
    await poll(() => page.getByRole('button', { name: 'Your albums' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    await poll(() => listNames().then((names) => names[0])).toBe('Session 13');
    expect(await listNames()).not.toContain('Not Ana’s');
    expect(await page.locator('#album-list .mine-badge').count()).toBe(12);
    expect(await page.locator('#browse-summary').textContent()).toBe(
      '12 albums of yours so far, newest first.',
    );
    await shoot('desktop-9-your-albums');
    await page.getByRole('button', { name: 'All' }).click();
    await poll(() => listNames().then((names) => names[0])).toBe('Not Ana’s');
  });

  it('lets the owner edit an album, and shows a change made elsewhere meanwhile instead of overwriting it', async () => {
    await page.goto(`${stack.apiUrl}/?album=${firstAlbumId}`);
    await poll(() => page.locator('#album-heading').textContent()).toBe('Computer World');
    // The artist's albums only, so the list shows this one (newer albums fill its first page otherwise).
    await page.getByLabel('Search by artist').fill('Kraftwerk');
    await page.getByLabel('Search by artist').press('Enter');
    await poll(() => listNames()).toEqual(['Computer World']);
    await page.getByRole('button', { name: 'Edit' }).click();
    const editForm = page.locator('#edit-form');
    await poll(() => editForm.getByLabel('Title').inputValue()).toBe('Computer World');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('artist');
    await editForm.getByLabel('Title').fill('Computerwelt');
    await shoot('desktop-10-editing');
    await editForm.getByRole('button', { name: 'Save' }).click();
    await poll(() => page.locator('#album-heading').textContent()).toBe('Computerwelt');
    expect(await message().textContent()).toBe('Saved.');
    await poll(() => listNames()).toEqual(['Computerwelt']);
    expect(await page.locator('#album-list a[aria-current="page"]').count()).toBe(1);

    // Escape leaves the form unsaved, the keyboard back on Edit.
    await page.getByRole('button', { name: 'Edit' }).click();
    await poll(() => editForm.isVisible()).toBe(true);
    await editForm.getByLabel('Title').press('Escape');
    expect(await editForm.isHidden()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('edit-album');

    // Edited in another tab meanwhile: the save is refused (412) and the album shown as it now is.
    await page.getByRole('button', { name: 'Edit' }).click();
    await poll(() => editForm.getByLabel('Title').inputValue()).toBe('Computerwelt');
    const elsewhere = await fetch(`${stack.apiUrl}/albums/${firstAlbumId}`, {
      method: 'PATCH',
      headers: await jsonAs(stack, 'ana'),
      body: JSON.stringify({ year: 1982 }),
    });
    expect(elsewhere.status).toBe(200);
    await editForm.getByLabel('Title').fill('Computer World');
    await editForm.getByRole('button', { name: 'Save' }).click();
    await poll(() => message().textContent(), { timeout: 15_000 }).toContain('changed elsewhere meanwhile');
    expect(await page.locator('#album-year').textContent()).toBe(' · 1982');
    expect(await page.locator('#album-heading').textContent()).toBe('Computerwelt');
    expectFailedRequest(new RegExp(`^412 .*/albums/${firstAlbumId}$`));
    // Every reader sees the change once the API's cached copies have lapsed (ALBUM_CACHE_TTL_SECONDS).
    await poll(async () => (await (await fetch(`${stack.apiUrl}/albums/${firstAlbumId}`)).json()).title, {
      timeout: 15_000,
    }).toBe('Computerwelt');
  });

  it("shows another user's album without owner controls, and lets them vote", async () => {
    const other = await browser.newContext({ viewport: DESKTOP });
    const asBo = watch(await other.newPage());
    await asBo.goto(`${stack.apiUrl}/?album=${firstAlbumId}`);
    await poll(() => asBo.locator('#album-heading').textContent()).toBe('Computerwelt');
    // Signed out: the counts, no voting, nothing to change.
    expect(await asBo.getByRole('button', { name: /^Like/ }).isDisabled()).toBe(true);
    expect(await asBo.locator('#vote-hint').isVisible()).toBe(true);
    expect(await asBo.locator('#owner-actions').isHidden()).toBe(true);
    await signInAs(asBo, 'bo');
    await poll(() => asBo.getByRole('button', { name: /^Like/ }).isEnabled()).toBe(true);
    for (const name of ['Add cover', 'Replace cover', 'Edit', 'Delete']) {
      expect(await asBo.getByRole('button', { name, exact: true }).count(), name).toBe(0);
    }
    await asBo.getByRole('button', { name: /^Like/ }).click();
    await poll(() => asBo.locator('#likes').textContent(), { timeout: 15_000 }).toBe('2');
    await shoot('desktop-11-someone-elses', asBo);
    await other.close();
  });

  it('lets the owner delete an album, after asking', async () => {
    const { albumId } = await createThroughApi('Cluster', 'Zuckerzeit', 1974);
    await page.goto(`${stack.apiUrl}/?album=${albumId}`);
    await poll(() => page.locator('#album-heading').textContent()).toBe('Zuckerzeit');
    await page.getByRole('button', { name: 'Delete' }).click();
    const dialog = page.getByRole('dialog');
    await poll(() => dialog.isVisible()).toBe(true);
    expect(await dialog.textContent()).toContain('“Cluster — Zuckerzeit (1974)” will be deleted.');
    await shoot('desktop-12-delete-asked');
    // Keeping it changes nothing.
    await dialog.getByRole('button', { name: 'Keep it' }).click();
    await poll(() => dialog.isHidden()).toBe(true);
    expect((await fetch(`${stack.apiUrl}/albums/${albumId}`)).status).toBe(200);
    await page.getByRole('button', { name: 'Delete' }).click();
    await dialog.getByRole('button', { name: 'Delete album' }).click();
    await poll(() => message().textContent()).toBe('Deleted “Cluster — Zuckerzeit (1974)”.');
    expect(new URL(page.url()).search).toBe('');
    await poll(() => listNames()).not.toContain('Zuckerzeit');
    expect((await fetch(`${stack.apiUrl}/albums/${albumId}`)).status).toBe(404);
  });

  it('works from the keyboard: a skip link, labelled controls, a visible focus', async () => {
    await page.goto(stack.apiUrl);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to the album list');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('browse-heading');
    // Every control a person can reach has a name a screen reader says.
    const unnamed = await page.evaluate(() =>
      Array.from(document.querySelectorAll('input:not([type=file]), button, a'))
        .filter((node) => !(node as HTMLElement).closest('[hidden]'))
        .filter((node) => {
          const input = node as HTMLInputElement;
          const named = input.labels?.length || node.getAttribute('aria-label') || node.textContent?.trim();
          return !named;
        })
        .map((node) => node.outerHTML),
    );
    expect(unnamed).toEqual([]);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    expect(await focused.evaluate((node) => getComputedStyle(node).outlineStyle)).toBe('solid');
  });

  it('uploads a cover when opened at 127.0.0.1 as well as at localhost', async () => {
    await page.goto(stack.apiUrl.replace('localhost', '127.0.0.1'));
    // Another origin, another session: sign in there too.
    await signInAs(page, 'ana');
    await createInPage('Neu!', 'Neu! 75', '1975');
    await chooseCover('neu-75.png', 'image/png', png(64, 64));
    await poll(() => message().textContent(), { timeout: 20_000 }).toBe('Cover ready.');
    await shoot('desktop-8-at-127.0.0.1');
  });

  it('fits a phone: one column, the open album first, nothing wider than the screen', async () => {
    const phone = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
    const onPhone = watch(await phone.newPage());
    await onPhone.goto(stack.apiUrl);
    await poll(() => onPhone.locator('#album-list li').count()).toBeGreaterThan(0);
    const fitsTheScreen = async () => {
      await onPhone.evaluate(() => window.scrollTo(0, 0));
      // Nothing sticks out to the right, neither the page nor any control in it.
      const widest = await onPhone.evaluate(() =>
        Math.max(
          document.documentElement.scrollWidth,
          ...Array.from(document.querySelectorAll('button, input, a')).map(
            (node) => node.getBoundingClientRect().right,
          ),
        ),
      );
      expect(widest).toBeLessThanOrEqual(PHONE.width);
    };
    await fitsTheScreen();
    await shoot('phone-1-signed-out', onPhone);
    await signInAs(onPhone, 'ana');
    await onPhone.goto(`${stack.apiUrl}/?album=${firstAlbumId}`);
    await poll(() => onPhone.locator('#album-heading').textContent()).toBe('Computerwelt');
    await poll(() =>
      onPhone.locator('#cover-image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
    ).toBe(120);
    await fitsTheScreen();
    const albumTop = await onPhone.locator('#album').evaluate((node) => node.getBoundingClientRect().top);
    const listTop = await onPhone.locator('#browse').evaluate((node) => node.getBoundingClientRect().top);
    expect(albumTop).toBeLessThan(listTop);
    expect(await inView(onPhone, '#album-heading')).toBe(true);
    // Thumb-sized: every button at least 40 px high.
    const heights = await onPhone
      .locator('#album button:visible')
      .evaluateAll((nodes) => nodes.map((node) => node.getBoundingClientRect().height));
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(40);
    await shoot('phone-2-album', onPhone);
    await shoot('phone-3-album-full', onPhone, true);
    await phone.close();
  });

  it('is served with a Content-Security-Policy that allows only what the page loads', async () => {
    const response = await fetch(stack.apiUrl);
    const policy = response.headers.get('content-security-policy') ?? '';
    const s3 = new URL(stack.s3Url).origin;
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain(`img-src 'self' data: ${s3}`);
    expect(policy).toContain(`connect-src 'self' ${s3}`);
    expect(policy).toContain("frame-ancestors 'none'");
    // The hosted sign-in's client is the page's own copy, not a CDN's.
    const client = await fetch(`${stack.apiUrl}/app/oidc-client-ts.js`);
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await client.text()).toContain('UserManager');
    // Every test above ran under it: the browser refused nothing the page needs.
    expect(consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
  });

  it('has a favicon, and asked for nothing that was not there', async () => {
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toMatch(/^data:image\/svg\+xml,/);
    expect(failedRequests).toEqual([]);
  });
});
