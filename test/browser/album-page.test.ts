import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const CHROMIUM = '/usr/bin/chromium';
const screenshots = join(import.meta.dirname, '..', '..', 'test-artifacts', 'album-page');

let stack: TestStack;
let browser: Browser;
let page: Page;
/** Every request the page made that was answered with an error, favicon included. */
const failedRequests: string[] = [];
/** What the browser refused under the page's Content-Security-Policy. */
const refusedByPolicy: string[] = [];

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
  page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
  page.on('console', (entry) => {
    if (/Content Security Policy/i.test(entry.text())) refusedByPolicy.push(entry.text());
  });
  page.on('response', (response) => {
    if (response.status() >= 400) failedRequests.push(`${response.status()} ${response.url()}`);
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const message = () => page.locator('#message');
const shoot = (name: string) => page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });

async function chooseFile(name: string, mimeType: string, buffer: Buffer) {
  await page.locator('#cover-file').setInputFiles({ name, mimeType, buffer });
  await page.getByRole('button', { name: 'Upload cover' }).click();
}

describe('the album page', () => {
  it('creates an album, uploads its cover straight to S3 and shows it once verified', async () => {
    await page.goto(stack.apiUrl);
    await page.getByLabel('Artist').fill('Kraftwerk');
    await page.getByLabel('Title').fill('Computer World');
    await page.getByLabel('Year').fill('1981');
    await page.getByRole('button', { name: 'Create album' }).click();
    await expect.poll(() => message().textContent()).toContain('Album created');
    // The form starts over, so a second click cannot make a duplicate; the address names the album.
    expect(await page.getByLabel('Artist').inputValue()).toBe('');
    expect(await page.getByLabel('Year').inputValue()).toBe('');
    expect(new URL(page.url()).searchParams.get('album')).toMatch(/^[0-9a-f-]{36}$/);
    await shoot('1-album-created');

    const uploads: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') uploads.push(request.url());
    });
    await chooseFile('computer-world.png', 'image/png', png(120, 90));
    await expect.poll(() => message().textContent(), { timeout: 20_000 }).toBe('Cover ready.');
    expect(uploads.some((url) => url.startsWith(stack.s3Url))).toBe(true); // the bytes went to S3, not the API
    expect(await page.locator('#upload-progress').evaluate((bar: HTMLProgressElement) => bar.value)).toBe(
      100,
    );
    const image = page.locator('#cover-image');
    await expect
      .poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(120);
    expect(await page.locator('#cover-status').textContent()).toBe('Cover 120 × 90');
    await shoot('2-cover-ready');
  });

  it('counts a like and a dislike', async () => {
    await page.getByRole('button', { name: /Like/ }).first().click();
    await expect.poll(() => page.locator('#likes').textContent(), { timeout: 15_000 }).toBe('1');
    await page.getByRole('button', { name: /Dislike/ }).click();
    await expect.poll(() => page.locator('#dislikes').textContent(), { timeout: 15_000 }).toBe('1');
    await shoot('3-reviewed');
  });

  it('refuses a file over the size limit before uploading it', async () => {
    await chooseFile('huge.png', 'image/png', Buffer.alloc(6 * 1024 * 1024, 1));
    await expect
      .poll(() => message().textContent())
      .toMatch(/“huge.png” is too large: 6.0 MB, and covers may be at most 5.0 MB/);
    expect(await message().getAttribute('class')).toBe('error');
    await shoot('4-too-large');
  });

  it('refuses a text file renamed .png once storage has it checked, keeping the cover it had', async () => {
    await chooseFile('notes.png', 'image/png', Buffer.from('these are my notes, not a picture'));
    await expect
      .poll(() => message().textContent(), { timeout: 20_000 })
      .toBe('The file was refused: not a JPEG, PNG, WebP or GIF image.');
    expect(await page.locator('#cover-status').textContent()).toBe(
      'Cover 120 × 90; the newer upload was refused: not a JPEG, PNG, WebP or GIF image',
    );
    expect(await page.locator('#cover-image').isVisible()).toBe(true);
    await shoot('5-not-an-image');
  });

  it('lists the albums, each with its cover thumbnail and counts', async () => {
    const item = page.locator('#album-list li', { hasText: 'Kraftwerk — Computer World (1981)' });
    await expect.poll(() => item.locator('.counts').textContent()).toBe('1 like · 1 dislike');
    await expect
      .poll(() => item.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBe(120);
    await shoot('6-album-list');
  });

  it('shows the same album again after a reload, and opens another from the list', async () => {
    const address = page.url();
    await page.reload();
    expect(page.url()).toBe(address);
    await expect
      .poll(() => page.locator('#album-heading').textContent())
      .toBe('Kraftwerk — Computer World (1981)');
    await expect
      .poll(() =>
        page.locator('#cover-image').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
      )
      .toBe(120);
    expect(await page.locator('#likes').textContent()).toBe('1');
    await shoot('7-reloaded');

    const created = await fetch(`${stack.apiUrl}/albums`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ artist: 'Can', title: 'Tago Mago', year: 1971 }),
    }).then((response) => response.json() as Promise<{ albumId: string }>);
    await page.goto(stack.apiUrl);
    expect(await page.locator('#album').isHidden()).toBe(true);
    await page.getByRole('link', { name: /Can — Tago Mago \(1971\)/ }).click();
    await expect.poll(() => page.locator('#album-heading').textContent()).toBe('Can — Tago Mago (1971)');
    expect(new URL(page.url()).searchParams.get('album')).toBe(created.albumId);
    expect(await page.locator('#cover-status').textContent()).toBe('No cover yet');
    await page.goBack();
    await expect.poll(() => page.locator('#album').isHidden()).toBe(true);
  });

  it('uploads a cover when opened at 127.0.0.1 as well as at localhost', async () => {
    await page.goto(stack.apiUrl.replace('localhost', '127.0.0.1'));
    await page.getByLabel('Artist').fill('Neu!');
    await page.getByLabel('Title').fill('Neu! 75');
    await page.getByLabel('Year').fill('1975');
    await page.getByRole('button', { name: 'Create album' }).click();
    await expect.poll(() => message().textContent()).toContain('Album created');
    await chooseFile('neu-75.png', 'image/png', png(64, 64));
    await expect.poll(() => message().textContent(), { timeout: 20_000 }).toBe('Cover ready.');
    await shoot('8-at-127.0.0.1');
  });

  it('has a favicon, and asked for nothing that was not there', async () => {
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).toMatch(/^data:image\/svg\+xml,/);
    expect(failedRequests).toEqual([]);
  });

  it('is served with a Content-Security-Policy that allows what it loads, and nothing else', async () => {
    const response = await fetch(`${stack.apiUrl}/`);
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).toMatch(/connect-src 'self' http:\/\/127\.0\.0\.1:\d+/);
    // Every page above, its uploads and cover images included, loaded within the policy.
    expect(refusedByPolicy).toEqual([]);
  });
});
