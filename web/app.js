// @ts-check
// The album page: create an album, upload its cover straight to S3 with the presigned POST the API
// returns, wait for the cover to be verified, and review the album; browse the albums and open one.
// The open album is in the address (`/?album=<id>`), so a reload or a shared link shows it again.
// Creating, covering and reviewing need a signed-in user: here one of the local stack's named users, whose
// token comes from its OpenID provider under /auth, kept for this tab only.

/** @typedef {{ method: 'POST', url: string, fields: Record<string, string>, key: string, expiresAt: string, maxBytes: number }} CoverUpload */
/** @typedef {{ albumId: string, artist: string, title: string, year: number | null, cover: { status: string, reason?: string, url?: string, width?: number, height?: number, upload?: { key: string, status: string, reason?: string } }, reviews: { likes: number, dislikes: number } }} Album */
/** @typedef {{ items: Album[], nextCursor: string | null }} AlbumPage */

const ACCEPTED_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
const POLL_INTERVAL_MS = 500;
const BROWSE_PAGE_SIZE = 12;
const VERIFICATION_TIMEOUT_MS = 30_000;

/** @param {string} id */
const element = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const albumForm = /** @type {HTMLFormElement} */ (element('album-form'));
const coverForm = /** @type {HTMLFormElement} */ (element('cover-form'));
const fileInput = /** @type {HTMLInputElement} */ (element('cover-file'));
const progress = /** @type {HTMLProgressElement} */ (element('upload-progress'));
const coverImage = /** @type {HTMLImageElement} */ (element('cover-image'));
const albumList = element('album-list');
const moreAlbums = /** @type {HTMLButtonElement} */ (element('more-albums'));
const signInForm = /** @type {HTMLFormElement} */ (element('sign-in'));

/** Where the local OpenID provider answers: the issuer the API's authorizer trusts locally. */
const LOCAL_ISSUER = '/auth';
const SESSION_KEY = 'album-session';

/** @type {{ album?: Album, upload?: CoverUpload, maxBytes: number, nextCursor: string | null }} */
const state = { maxBytes: 0, nextCursor: null };

/** @param {string} text @param {boolean} [isError] */
function say(text, isError = false) {
  element('message').textContent = text;
  element('message').className = isError ? 'error' : '';
}

/** @param {number} bytes */
const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** @returns {{ user: string, token: string, expiresAt: number } | undefined} */
function session() {
  const saved = sessionStorage.getItem(SESSION_KEY);
  if (!saved) return undefined;
  const parsed = JSON.parse(saved);
  return parsed.expiresAt > Date.now() ? parsed : undefined;
}

/** Shows who is signed in, or the form to sign in. */
function showSession() {
  const current = session();
  signInForm.hidden = current !== undefined;
  element('signed-in').hidden = current === undefined;
  element('signed-in-user').textContent = current?.user ?? '';
}

signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const user = String(new FormData(signInForm).get('user'));
  try {
    const { token_endpoint: tokenEndpoint } = await api(`${LOCAL_ISSUER}/.well-known/openid-configuration`);
    const tokens = await api(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username: user }),
    });
    const expiresAt = Date.now() + tokens.expires_in * 1000;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ user, token: tokens.access_token, expiresAt }));
    showSession();
    say(`Signed in as ${user}.`);
  } catch (error) {
    say(`Could not sign in: ${/** @type {Error} */ (error).message}`, true);
  }
});

element('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem(SESSION_KEY);
  showSession();
  say('Signed out.');
});

/**
 * Calls the API, with the signed-in user's token when there is one; a 4xx/5xx becomes an Error carrying
 * the API's own message (the token endpoint's OAuth `error_description` included).
 */
async function api(/** @type {string} */ path, /** @type {RequestInit} */ init = {}) {
  const token = session()?.token;
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  const response = await fetch(path, { ...init, headers });
  const body = response.status === 204 ? undefined : await response.json();
  if (response.status === 401) throw new Error('sign in first');
  if (!response.ok) {
    throw new Error(body?.message ?? body?.error_description ?? `The API answered ${response.status}`);
  }
  return body;
}

/** @param {Album} album */
function showAlbum(album) {
  state.album = album;
  element('album').hidden = false;
  coverForm.hidden = false;
  // An album from the course API may have a year that is no number: it has none here.
  const year = album.year === null ? '' : ` (${album.year})`;
  element('album-heading').textContent = `${album.artist} — ${album.title}${year}`;
  element('likes').textContent = String(album.reviews.likes);
  element('dislikes').textContent = String(album.reviews.dislikes);
  const { cover } = album;
  coverImage.hidden = cover.status !== 'ready';
  if (cover.status === 'ready' && cover.url) {
    coverImage.src = cover.url;
    // A refused replacement leaves the cover shown; say so beside it.
    const refused =
      cover.upload?.status === 'rejected' ? `; the newer upload was refused: ${cover.upload.reason}` : '';
    element('cover-status').textContent = `Cover ${cover.width} × ${cover.height}${refused}`;
  } else if (cover.status === 'rejected') {
    element('cover-status').textContent = `Cover refused: ${cover.reason}`;
  } else {
    element('cover-status').textContent = 'No cover yet';
  }
}

albumForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(albumForm);
  try {
    const created = await api('/albums', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        artist: data.get('artist'),
        title: data.get('title'),
        year: Number(data.get('year')),
      }),
    });
    const { upload, ...album } = created;
    // A second click would make a second album: the form starts over once this one exists.
    albumForm.reset();
    rememberUpload(upload);
    showAlbum(album);
    history.pushState(null, '', albumAddress(album.albumId));
    say('Album created. Now pick its cover.');
    void browse();
  } catch (error) {
    say(`Could not create the album: ${/** @type {Error} */ (error).message}`, true);
  }
});

/** Keeps an unused upload for the cover form, and the size limit it carries. */
function rememberUpload(/** @type {CoverUpload | undefined} */ upload) {
  state.upload = upload;
  if (!upload) return;
  state.maxBytes = upload.maxBytes;
  element('max-size').textContent = `, up to ${megabytes(upload.maxBytes)}`;
}

/** @param {number} n @param {string} noun */
const count = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** @param {string} albumId */
const albumAddress = (albumId) => `/?album=${encodeURIComponent(albumId)}`;

/** Posts the file to S3 with the presigned fields, reporting progress. Resolves with S3's status and body. */
function uploadToS3(/** @type {CoverUpload} */ upload, /** @type {File} */ file) {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append('Content-Type', file.type);
  form.append('file', file); // S3 requires the file to be the last field
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', upload.url);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) progress.value = (event.loaded / event.total) * 100;
    });
    request.addEventListener('load', () => resolve({ status: request.status, body: request.responseText }));
    request.addEventListener('error', () => reject(new Error('the upload did not reach storage')));
    request.send(form);
  });
}

/** Turns S3's XML refusal into a sentence a person can act on. */
function explainRefusal(/** @type {string} */ xml) {
  if (/expired/i.test(xml)) return 'the upload link has expired. Pick the file again to get a new one.';
  if (/EntityTooLarge|content-length-range/i.test(xml)) return 'the file is larger than allowed.';
  const message = /<Message>([^<]*)<\/Message>/.exec(xml)?.[1];
  return message ?? 'storage refused the file.';
}

/** Polls the album until the upload at `key` has been judged; until then the previous cover stays shown. */
async function waitForVerification(/** @type {string} */ albumId, /** @type {string} */ key) {
  const deadline = Date.now() + VERIFICATION_TIMEOUT_MS;
  while (Date.now() < deadline) {
    /** @type {Album} */
    const album = await api(`/albums/${albumId}`);
    if (album.cover.upload?.key === key) return album;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new Error('verification is taking longer than expected; reload the album later');
}

coverForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const file = fileInput.files?.[0];
  const { album } = state;
  if (!album) return;
  if (!file) return say('Pick an image first.', true);
  if (!ACCEPTED_TYPES.includes(file.type)) {
    return say(`“${file.name}” is not an image this service accepts (JPEG, PNG, WebP or GIF).`, true);
  }
  try {
    // A used or stale upload is replaced by a fresh one: each presigned POST is for one upload. An album
    // opened from its address has none yet, nor the size limit, which comes with the upload.
    if (!state.upload || Date.parse(state.upload.expiresAt) < Date.now() + 5_000) {
      rememberUpload(await api(`/albums/${album.albumId}/cover`, { method: 'POST' }));
    }
    const upload = /** @type {CoverUpload} */ (state.upload);
    if (file.size > upload.maxBytes) {
      return say(
        `“${file.name}” is too large: ${megabytes(file.size)}, and covers may be at most ${megabytes(upload.maxBytes)}.`,
        true,
      );
    }
    progress.hidden = false;
    progress.value = 0;
    say(`Uploading ${file.name}…`);
    const result = await uploadToS3(upload, file);
    state.upload = undefined;
    if (result.status >= 300) return say(`Upload refused: ${explainRefusal(result.body)}`, true);
    say('Uploaded. Checking the image…');
    const verified = await waitForVerification(album.albumId, upload.key);
    showAlbum(verified);
    const judged = verified.cover.upload;
    if (judged?.status === 'ready') say('Cover ready.');
    else say(`The file was refused: ${judged?.reason}.`, true);
    void browse();
  } catch (error) {
    say(`Upload failed: ${/** @type {Error} */ (error).message}`, true);
  }
});

/** @param {'like' | 'dislike'} kind */
async function review(kind) {
  const { album } = state;
  if (!album) return;
  try {
    await api(`/albums/${album.albumId}/reviews`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind }),
    });
    say(`Thanks for the ${kind}.`);
    // A visitor has one vote, applied asynchronously: poll until theirs is this one, then show the counts.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const mine = await api(`/albums/${album.albumId}/reviews/mine`);
      if (mine.vote === kind) {
        showAlbum({ ...album, reviews: await api(`/albums/${album.albumId}/reviews`) });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    }
  } catch (error) {
    say(`Could not record the review: ${/** @type {Error} */ (error).message}`, true);
  }
}

element('like').addEventListener('click', () => review('like'));
element('dislike').addEventListener('click', () => review('dislike'));

/** One album in the list: its cover (when verified), what it is, its counts; a link that opens it. */
function albumListItem(/** @type {Album} */ album) {
  const item = document.createElement('li');
  const link = document.createElement('a');
  link.href = albumAddress(album.albumId);
  link.addEventListener('click', (event) => {
    event.preventDefault();
    history.pushState(null, '', link.href);
    void openAlbum(album.albumId);
  });
  const thumbnail = document.createElement('img');
  thumbnail.className = 'thumbnail';
  thumbnail.alt = '';
  if (album.cover.url) thumbnail.src = album.cover.url;
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = `${album.artist} — ${album.title}${album.year === null ? '' : ` (${album.year})`}`;
  const counts = document.createElement('span');
  counts.className = 'counts';
  counts.textContent = `${count(album.reviews.likes, 'like')} · ${count(album.reviews.dislikes, 'dislike')}`;
  link.append(thumbnail, name, counts);
  item.append(link);
  return item;
}

/**
 * Lists the albums in the order they were stored, a page at a time. The list carries no cover URLs,
 * so each album with a verified cover is read once more for its presigned one.
 */
async function browse(/** @type {boolean} */ more = false) {
  const cursor = more && state.nextCursor ? `&cursor=${encodeURIComponent(state.nextCursor)}` : '';
  try {
    /** @type {AlbumPage} */
    const page = await api(`/albums?limit=${BROWSE_PAGE_SIZE}${cursor}`);
    const albums = await Promise.all(
      page.items.map((album) => (album.cover.status === 'ready' ? api(`/albums/${album.albumId}`) : album)),
    );
    if (!more) albumList.replaceChildren();
    albumList.append(...albums.map(albumListItem));
    state.nextCursor = page.nextCursor;
    moreAlbums.hidden = page.nextCursor === null;
    element('browse-empty').hidden = albumList.childElementCount > 0;
  } catch (error) {
    say(`Could not list the albums: ${/** @type {Error} */ (error).message}`, true);
  }
}

/** Shows the album the address names, or none. */
async function openAlbum(/** @type {string | null} */ albumId) {
  rememberUpload(undefined);
  if (!albumId) {
    state.album = undefined;
    element('album').hidden = true;
    coverForm.hidden = true;
    return say('');
  }
  try {
    showAlbum(await api(`/albums/${encodeURIComponent(albumId)}`));
    say('');
  } catch (error) {
    element('album').hidden = true;
    coverForm.hidden = true;
    say(`Could not open the album: ${/** @type {Error} */ (error).message}`, true);
  }
}

const albumInAddress = () => new URLSearchParams(location.search).get('album');

showSession();
moreAlbums.addEventListener('click', () => browse(true));
window.addEventListener('popstate', () => openAlbum(albumInAddress()));
void openAlbum(albumInAddress());
void browse();
