// @ts-check
// The album page: browse the albums newest first (or one artist's, or your own), open one, vote on it; create
// an album and upload its cover straight to S3 with the presigned POST the API returns; edit or delete the
// albums you own. The open album is in the address (`/?album=<id>`), so a reload or a shared link shows it.

import { startSignIn } from './sign-in.js';

/** @typedef {import('./sign-in.js').Session} Session */
/** @typedef {{ method: 'POST', url: string, fields: Record<string, string>, key: string, expiresAt: string, maxBytes: number }} CoverUpload */
/** @typedef {{ status: string, reason?: string, url?: string, width?: number, height?: number, upload?: { key: string, status: string, reason?: string } }} Cover */
/** @typedef {{ albumId: string, artist: string, title: string, year: number | null, owner?: string | null, cover: Cover, reviews: { likes: number, dislikes: number } }} Album */
/** @typedef {{ items: Album[], nextCursor: string | null }} AlbumPage */
/** @typedef {'like' | 'dislike'} VoteKind */

const ACCEPTED_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'image/gif'];
const POLL_INTERVAL_MS = 500;
const BROWSE_PAGE_SIZE = 12;
const VERIFICATION_TIMEOUT_MS = 30_000;
const COUNTING_TIMEOUT_MS = 10_000;
// How long the API may serve a cached copy of an album after a change (ALBUM_CACHE_TTL_SECONDS), and a margin.
const CACHED_COPY_MS = 12_000;

/** @param {string} id */
const element = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
/** @param {string} id */
const button = (id) => /** @type {HTMLButtonElement} */ (document.getElementById(id));
/** @param {string} id */
const form = (id) => /** @type {HTMLFormElement} */ (document.getElementById(id));

const albumForm = form('album-form');
const editForm = form('edit-form');
const searchForm = form('search-form');
const localSignIn = form('local-sign-in');
const fileInput = /** @type {HTMLInputElement} */ (element('cover-file'));
const progress = /** @type {HTMLProgressElement} */ (element('upload-progress'));
const coverImage = /** @type {HTMLImageElement} */ (element('cover-image'));
const albumList = element('album-list');
const deleteDialog = /** @type {HTMLDialogElement} */ (element('delete-dialog'));

/**
 * @type {{
 *   album?: Album, eTag?: string, seenETags: Set<string>, myVote: VoteKind | null, upload?: CoverUpload,
 *   list: { artist: string, mine: boolean, nextCursor: string | null },
 * }}
 */
const state = { seenETags: new Set(), myVote: null, list: { artist: '', mine: false, nextCursor: null } };

const signIn = await startSignIn();

/** @param {string} text @param {boolean} [isError] */
function say(text, isError = false) {
  element('message').textContent = text;
  element('message').className = isError ? 'message error' : 'message';
}

/** @param {unknown} error */
const reason = (error) => /** @type {Error} */ (error).message;

/** @param {number} bytes */
const megabytes = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** @param {number} n @param {string} noun */
const count = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** @param {string} albumId */
const albumAddress = (albumId) => `/?album=${encodeURIComponent(albumId)}`;

/** @param {Album} album */
const albumName = (album) =>
  `${album.artist} — ${album.title}${album.year === null ? '' : ` (${album.year})`}`;

/** A failed API call, with the API's own message and status. */
class ApiError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/**
 * Calls the API, signed in when someone is, and revalidating anything the browser keeps (an album changes
 * under its URL); a 4xx/5xx becomes an {@link ApiError} carrying the API's own message.
 * @param {string} path @param {RequestInit} [init]
 * @returns {Promise<{ body: any, eTag: string | null }>}
 */
async function call(path, init = {}) {
  const headers = new Headers(init.headers);
  const session = signIn.session();
  if (session) headers.set('authorization', `Bearer ${session.token}`);
  const response = await fetch(path, { cache: 'no-cache', ...init, headers });
  const body = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (response.status === 401 && session) {
    signIn.signOut();
    showAccount();
    throw new ApiError(401, 'your sign-in has expired: sign in again');
  }
  if (!response.ok)
    throw new ApiError(response.status, body?.message ?? `the API answered ${response.status}`);
  return { body, eTag: response.headers.get('etag') };
}

/** @param {string} path @param {RequestInit} [init] */
const api = async (path, init) => (await call(path, init)).body;

/** @param {unknown} body @returns {RequestInit} */
const jsonBody = (body) => ({ headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

// Who may do what -------------------------------------------------------------------------------------

/** Votes and new albums need someone signed in. */
const mustSignIn = () => !signIn.session();

/** Whether the visitor may change this album: only its owner (an album from the course API has none). */
function mayChange(/** @type {Album} */ album) {
  const session = signIn.session();
  return session !== undefined && album.owner === session.sub;
}

// The account ------------------------------------------------------------------------------------------

/** Shows how to sign in here, or who is signed in. */
function showAccount() {
  const session = signIn.session();
  localSignIn.hidden = session !== undefined || signIn.kind !== 'local';
  button('sign-in').hidden = session !== undefined || signIn.kind !== 'hosted';
  element('signed-in').hidden = session === undefined;
  if (session) {
    element('user-name').textContent = session.name;
    element('avatar').textContent = session.name.slice(0, 1);
  }
  const datalist = element('local-users');
  datalist.replaceChildren(
    ...signIn.localUsers.map((name) => Object.assign(document.createElement('option'), { value: name })),
  );
  element('scope').hidden = session === undefined;
  if (!session && state.list.mine) state.list.mine = false;
  showScope();
  // Creating needs an account.
  element('sign-in-to-create').hidden = !mustSignIn();
  for (const field of albumForm.elements) /** @type {HTMLInputElement} */ (field).disabled = mustSignIn();
}

localSignIn.addEventListener('submit', async (event) => {
  event.preventDefault();
  const name = String(new FormData(localSignIn).get('user')).trim();
  try {
    await signIn.signInLocal(name);
    localSignIn.reset();
    await afterAccountChange(`Signed in as ${name}.`);
    button('sign-out').focus();
  } catch (error) {
    say(`Could not sign in: ${reason(error)}`, true);
  }
});

button('sign-in').addEventListener('click', async () => {
  try {
    // The hosted sign-in page comes back to this address, so the open album stays open.
    await signIn.signInHosted(location.pathname + location.search);
  } catch (error) {
    say(`Could not sign in: ${reason(error)}`, true);
  }
});

button('sign-out').addEventListener('click', async () => {
  signIn.signOut();
  await afterAccountChange('Signed out.');
  (signIn.kind === 'local' ? element('local-user') : button('sign-in')).focus();
});

/** What the visitor may do changes with who they are: the account, the open album and the list follow. */
async function afterAccountChange(/** @type {string} */ message) {
  showAccount();
  say(message);
  if (state.album) await openAlbum(state.album.albumId);
  else showAlbumForm();
  await browse();
}

// Creating an album ------------------------------------------------------------------------------------

/** Shows the new-album form in the album's place. */
function showAlbumForm(/** @type {boolean} */ focus = false) {
  state.album = undefined;
  element('album').hidden = true;
  albumForm.hidden = false;
  button('new-album').hidden = true;
  markOpenAlbum();
  const firstField = /** @type {HTMLInputElement} */ (albumForm.elements.namedItem('artist'));
  if (focus) (mustSignIn() ? element('album-form-heading') : firstField).focus();
}

button('new-album').addEventListener('click', () => {
  if (location.search) history.pushState(null, '', '/');
  showAlbumForm(true);
  say('');
});

albumForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(albumForm);
  try {
    const created = await api('/albums', {
      method: 'POST',
      ...jsonBody({ artist: data.get('artist'), title: data.get('title'), year: Number(data.get('year')) }),
    });
    const { upload, ...album } = created;
    // A second click would make a second album: the form starts over once this one exists.
    albumForm.reset();
    history.pushState(null, '', albumAddress(album.albumId));
    await openAlbum(album.albumId, { focus: true });
    rememberUpload(upload);
    say('Album created. Add its cover whenever you like.');
    void browse();
  } catch (error) {
    say(`Could not create the album: ${reason(error)}`, true);
  }
});

// The open album ---------------------------------------------------------------------------------------

/** @param {Album} album @param {string | null} [eTag] */
function showAlbum(album, eTag) {
  if (album.albumId !== state.album?.albumId) state.seenETags.clear();
  state.album = album;
  state.eTag = eTag ?? undefined;
  if (eTag) state.seenETags.add(eTag);
  albumForm.hidden = true;
  button('new-album').hidden = false;
  element('album').hidden = false;
  element('album-heading').textContent = album.title;
  element('album-artist').textContent = album.artist;
  // An album from the course API may have a year that is no number: it has none here.
  element('album-year').textContent = album.year === null ? '' : ` · ${album.year}`;
  document.title = `${album.title} — ${album.artist} · Albums`;
  showCover(album);
  showVotes();
  const mine = mayChange(album);
  element('owner-actions').hidden = !mine;
  element('cover-hint').hidden = !mine;
  button('choose-cover').textContent = album.cover.status === 'ready' ? 'Replace cover' : 'Add cover';
  if (!mine) editForm.hidden = true;
  markOpenAlbum();
}

/** @param {Album} album */
function showCover(album) {
  const { cover } = album;
  const ready = cover.status === 'ready' && cover.url !== undefined;
  coverImage.hidden = !ready;
  element('cover-placeholder').hidden = ready;
  if (ready) {
    coverImage.src = /** @type {string} */ (cover.url);
    coverImage.alt = `Cover of ${album.title} by ${album.artist}`;
  } else {
    coverImage.removeAttribute('src');
    coverImage.alt = '';
  }
  let status = 'No cover yet';
  if (ready) {
    // A refused replacement leaves the cover shown; say so beside it.
    const refused =
      cover.upload?.status === 'rejected' ? `; the newer upload was refused: ${cover.upload.reason}` : '';
    status = `Cover ${cover.width} × ${cover.height}${refused}`;
  } else if (cover.status === 'rejected') {
    status = `Cover refused: ${cover.reason}`;
  }
  element('cover-status').textContent = status;
}

/**
 * Shows the album with this id, with the visitor's own vote; `focus` moves the keyboard and screen reader to it.
 * @param {string} albumId @param {{ focus?: boolean }} [options]
 */
async function openAlbum(albumId, { focus = false } = {}) {
  rememberUpload(undefined);
  editForm.hidden = true;
  try {
    const { body, eTag } = await call(`/albums/${encodeURIComponent(albumId)}`);
    state.myVote = null;
    showAlbum(body, eTag);
    if (focus) element('album-heading').focus();
    await loadMyVote(body);
  } catch (error) {
    showAlbumForm();
    say(`Could not open the album: ${reason(error)}`, true);
  }
}

/**
 * Shows the album as changed elsewhere. A copy of an album may be served from a cache for a few seconds
 * after a change (see the API's description of PATCH), even a version older than the page's, so it is read
 * until it is a version the page has not seen yet, for as long as a cached copy may last.
 * @param {string} albumId
 */
async function openChangedAlbum(albumId) {
  const deadline = Date.now() + CACHED_COPY_MS;
  let read = await call(`/albums/${albumId}`);
  while (read.eTag !== null && state.seenETags.has(read.eTag) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
    read = await call(`/albums/${albumId}`);
  }
  showAlbum(read.body, read.eTag);
}

/** Opens what the address names: an album, or the new-album form. */
async function openAddress() {
  const albumId = new URLSearchParams(location.search).get('album');
  if (albumId) return openAlbum(albumId);
  document.title = 'Albums';
  showAlbumForm();
}

// Votes ------------------------------------------------------------------------------------------------

function showVotes() {
  const { album, myVote } = state;
  if (!album) return;
  element('likes').textContent = String(album.reviews.likes);
  element('dislikes').textContent = String(album.reviews.dislikes);
  const locked = mustSignIn();
  for (const kind of /** @type {VoteKind[]} */ (['like', 'dislike'])) {
    const vote = button(kind);
    vote.disabled = locked;
    vote.setAttribute('aria-pressed', String(myVote === kind));
  }
  button('withdraw').hidden = myVote === null;
  element('vote-hint').hidden = !locked;
}

/** The visitor's own vote on the album, when someone is signed in. */
async function loadMyVote(/** @type {Album} */ album) {
  if (!signIn.session()) return;
  try {
    const { vote } = await api(`/albums/${album.albumId}/reviews/mine`);
    if (state.album?.albumId === album.albumId) state.myVote = vote;
    showVotes();
  } catch (error) {
    say(`Could not read your vote: ${reason(error)}`, true);
  }
}

/**
 * Casts, changes or withdraws (`null`) the visitor's vote. Votes are counted asynchronously: the counts the
 * vote leads to are shown at once, then the service's once it has applied the vote.
 * @param {VoteKind | null} vote
 */
async function setVote(vote) {
  const { album, myVote } = state;
  if (!album || vote === myVote) return;
  const counts = { ...album.reviews };
  if (myVote) counts[`${myVote}s`] -= 1;
  if (vote) counts[`${vote}s`] += 1;
  try {
    if (vote) await api(`/albums/${album.albumId}/reviews`, { method: 'POST', ...jsonBody({ kind: vote }) });
    else await api(`/albums/${album.albumId}/reviews/mine`, { method: 'DELETE' });
    state.myVote = vote;
    state.album = { ...album, reviews: counts };
    showVotes();
    say(vote ? `Thanks for the ${vote}.` : 'Your vote is withdrawn.');
    await waitForVote(album.albumId, vote);
  } catch (error) {
    say(`Could not record the vote: ${reason(error)}`, true);
  }
}

/**
 * Waits until the service has applied the visitor's vote (their vote as it reads it is the one sent, or none
 * after a withdrawal; the counts change in the same step), or time runs out, then shows the counts.
 * @param {string} albumId @param {VoteKind | null} vote
 */
async function waitForVote(albumId, vote) {
  const deadline = Date.now() + COUNTING_TIMEOUT_MS;
  while ((await api(`/albums/${albumId}/reviews/mine`)).vote !== vote && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  const counts = await api(`/albums/${albumId}/reviews`);
  if (state.album?.albumId === albumId) {
    state.album = { ...state.album, reviews: { likes: counts.likes, dislikes: counts.dislikes } };
    showVotes();
  }
  void browse({ keepScroll: true });
}

for (const kind of /** @type {VoteKind[]} */ (['like', 'dislike'])) {
  // Pressing the vote you gave takes it back, as a pressed toggle button promises.
  button(kind).addEventListener('click', () => setVote(state.myVote === kind ? null : kind));
}
button('withdraw').addEventListener('click', () => setVote(null));

// The cover --------------------------------------------------------------------------------------------

/** Keeps an unused upload for the next cover, and the size limit it carries. */
function rememberUpload(/** @type {CoverUpload | undefined} */ upload) {
  state.upload = upload;
  if (upload) element('max-size').textContent = `, up to ${megabytes(upload.maxBytes)}`;
}

/** Posts the file to S3 with the presigned fields, reporting progress. Resolves with S3's status and body. */
function uploadToS3(/** @type {CoverUpload} */ upload, /** @type {File} */ file) {
  const body = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) body.append(name, value);
  body.append('Content-Type', file.type);
  body.append('file', file); // S3 requires the file to be the last field
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', upload.url);
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) progress.value = (event.loaded / event.total) * 100;
    });
    request.addEventListener('load', () => resolve({ status: request.status, body: request.responseText }));
    request.addEventListener('error', () => reject(new Error('the upload did not reach storage')));
    request.send(body);
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
    const read = await call(`/albums/${albumId}`);
    if (read.body.cover.upload?.key === key) return read;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new Error('verification is taking longer than expected; reload the album later');
}

/** Checks the file here first, then sends it to storage and waits for the service's verdict on it. */
async function uploadCover(/** @type {File} */ file) {
  const { album } = state;
  if (!album) return;
  if (!ACCEPTED_TYPES.includes(file.type)) {
    return say(`“${file.name}” is not an image this service accepts (JPEG, PNG, WebP or GIF).`, true);
  }
  const chooser = button('choose-cover');
  chooser.disabled = true;
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
    if (state.album?.albumId === album.albumId) showAlbum(verified.body, verified.eTag);
    const judged = verified.body.cover.upload;
    if (judged?.status === 'ready') say('Cover ready.');
    else say(`The file was refused: ${judged?.reason}.`, true);
    void browse({ keepScroll: true });
  } catch (error) {
    say(`Upload failed: ${reason(error)}`, true);
  } finally {
    chooser.disabled = false;
    progress.hidden = true;
  }
}

button('choose-cover').addEventListener('click', () => fileInput.click());
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  // Cleared, so choosing the same file again is a change too.
  fileInput.value = '';
  if (file) void uploadCover(file);
});

// Editing and deleting ---------------------------------------------------------------------------------

// The form starts from the album as last read or saved here, and If-Match names that version: a copy read
// again now might come from the API's cache, older than the page's.
button('edit-album').addEventListener('click', () => {
  const { album } = state;
  if (!album) return;
  const field = (/** @type {string} */ name) =>
    /** @type {HTMLInputElement} */ (editForm.elements.namedItem(name));
  field('artist').value = album.artist;
  field('title').value = album.title;
  field('year').value = album.year === null ? '' : String(album.year);
  editForm.hidden = false;
  field('artist').focus();
});

/** Closes the edit form unsaved, the keyboard back on Edit. */
function cancelEdit() {
  editForm.hidden = true;
  button('edit-album').focus();
}

button('cancel-edit').addEventListener('click', cancelEdit);
editForm.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') cancelEdit();
});

editForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const { album, eTag } = state;
  if (!album) return;
  const data = new FormData(editForm);
  try {
    // If-Match: a change made elsewhere since this album was read is not silently overwritten.
    const saved = await call(`/albums/${album.albumId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', ...(eTag ? { 'if-match': eTag } : {}) },
      body: JSON.stringify({
        artist: data.get('artist'),
        title: data.get('title'),
        year: Number(data.get('year')),
      }),
    });
    editForm.hidden = true;
    showAlbum({ ...album, ...saved.body }, saved.eTag);
    element('album-heading').focus();
    say('Saved.');
    void browse({ keepScroll: true });
  } catch (error) {
    if (error instanceof ApiError && error.status === 412) {
      await openChangedAlbum(album.albumId);
      say(
        'This album was changed elsewhere meanwhile: here it is as it is now. Edit it again if need be.',
        true,
      );
    } else {
      say(`Could not save: ${reason(error)}`, true);
    }
  }
});

button('delete-album').addEventListener('click', () => {
  if (!state.album) return;
  element('delete-what').textContent = `“${albumName(state.album)}” will be deleted.`;
  deleteDialog.returnValue = '';
  deleteDialog.showModal();
});

deleteDialog.addEventListener('close', async () => {
  const { album } = state;
  if (deleteDialog.returnValue !== 'delete' || !album) return button('delete-album').focus();
  try {
    await api(`/albums/${album.albumId}`, { method: 'DELETE' });
    history.pushState(null, '', '/');
    showAlbumForm();
    document.title = 'Albums';
    say(`Deleted “${albumName(album)}”.`);
    element('browse-heading').focus();
    await browse();
  } catch (error) {
    say(`Could not delete the album: ${reason(error)}`, true);
  }
});

// The list ---------------------------------------------------------------------------------------------

/** One album in the list: its cover (when verified), what it is, its counts; a link that opens it. */
function albumListItem(/** @type {Album} */ album) {
  const item = document.createElement('li');
  const link = document.createElement('a');
  link.href = albumAddress(album.albumId);
  link.dataset.albumId = album.albumId;
  link.addEventListener('click', (event) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey) return; // a new tab or window, as links do
    event.preventDefault();
    history.pushState(null, '', link.href);
    say('');
    void openAlbum(album.albumId, { focus: true });
  });
  const thumbnail = document.createElement(album.cover.url ? 'img' : 'span');
  thumbnail.className = album.cover.url ? 'thumbnail' : 'thumbnail none';
  if (thumbnail instanceof HTMLImageElement) {
    // The name beside it says what it is.
    thumbnail.alt = '';
    thumbnail.src = /** @type {string} */ (album.cover.url);
    thumbnail.loading = 'lazy';
  }
  const name = document.createElement('span');
  name.className = 'name';
  name.textContent = album.title;
  const session = signIn.session();
  if (session && album.owner === session.sub) {
    const badge = Object.assign(document.createElement('span'), {
      className: 'mine-badge',
      textContent: 'yours',
    });
    name.append(badge);
  }
  const meta = document.createElement('span');
  meta.className = 'meta';
  const year = album.year === null ? '' : ` (${album.year})`;
  meta.textContent = `${album.artist}${year} · ${count(album.reviews.likes, 'like')} · ${count(album.reviews.dislikes, 'dislike')}`;
  link.append(thumbnail, name, meta);
  item.append(link);
  return item;
}

/** Highlights the open album in the list and, where the list scrolls on its own, scrolls it into view. */
function markOpenAlbum() {
  const openId = state.album?.albumId;
  for (const link of albumList.querySelectorAll('a')) {
    if (link.dataset.albumId === openId) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const current = albumList.querySelector('a[aria-current]');
  const pane = element('browse');
  if (!current || pane.scrollHeight <= pane.clientHeight) return;
  const top = current.getBoundingClientRect().top - pane.getBoundingClientRect().top;
  if (top < 0 || top + current.clientHeight > pane.clientHeight)
    pane.scrollTop += top - pane.clientHeight / 3;
}

/** The query of the list as chosen: newest first, maybe one artist's, maybe the visitor's own. */
function listQuery(/** @type {string | null} */ cursor) {
  const query = new URLSearchParams({ order: 'newest', limit: String(BROWSE_PAGE_SIZE) });
  const session = signIn.session();
  if (state.list.artist) query.set('artist', state.list.artist);
  if (state.list.mine && session) query.set('owner', session.sub);
  if (cursor) query.set('cursor', cursor);
  return query;
}

/**
 * The list carries no cover URLs, so each album with a verified cover is read once more for its own; the
 * list's counts are kept, being read from the database each time where an album's may be a second older.
 */
const withCoverUrls = (/** @type {Album[]} */ albums) =>
  Promise.all(
    albums.map(async (album) =>
      album.cover.status === 'ready'
        ? { ...album, cover: (await api(`/albums/${album.albumId}`)).cover }
        : album,
    ),
  );

let listing = 0;
/**
 * Lists the albums a page at a time, newest first. `more` appends the next page; `keepScroll` re-reads
 * as many albums as are shown (after a change) without moving the list.
 * @param {{ more?: boolean, keepScroll?: boolean }} [options]
 */
async function browse({ more = false, keepScroll = false } = {}) {
  const run = ++listing;
  const scrollTop = element('browse').scrollTop;
  try {
    const shown = keepScroll ? Math.max(albumList.childElementCount, BROWSE_PAGE_SIZE) : BROWSE_PAGE_SIZE;
    const query = listQuery(more ? state.list.nextCursor : null);
    query.set('limit', String(Math.min(shown, 100)));
    /** @type {AlbumPage} */
    const page = await api(`/albums?${query}`);
    const albums = await withCoverUrls(page.items);
    if (run !== listing) return; // a newer listing was asked for meanwhile
    if (!more) albumList.replaceChildren();
    albumList.append(...albums.map(albumListItem));
    state.list.nextCursor = page.nextCursor;
    button('more-albums').hidden = page.nextCursor === null;
    describeList();
    if (keepScroll) element('browse').scrollTop = scrollTop;
    markOpenAlbum();
  } catch (error) {
    say(`Could not list the albums: ${reason(error)}`, true);
  }
}

/** Says what the list holds, so a search with no result is not a blank. */
function describeList() {
  const { artist, mine } = state.list;
  const shown = albumList.childElementCount;
  const whose = mine ? 'your albums' : 'albums';
  const by = artist ? ` by “${artist}”` : '';
  if (shown === 0) {
    element('browse-summary').textContent =
      artist || mine ? `No ${whose}${by}.` : 'No albums yet: create the first one.';
  } else {
    const more = state.list.nextCursor === null ? '' : ' so far';
    element('browse-summary').textContent =
      `${count(shown, 'album')}${mine ? ' of yours' : ''}${by}${more}, newest first.`;
  }
}

function showScope() {
  button('scope-all').setAttribute('aria-pressed', String(!state.list.mine));
  button('scope-mine').setAttribute('aria-pressed', String(state.list.mine));
}

/** @param {boolean} mine */
function chooseScope(mine) {
  if (state.list.mine === mine) return;
  state.list.mine = mine;
  showScope();
  void browse();
}

button('scope-all').addEventListener('click', () => chooseScope(false));
button('scope-mine').addEventListener('click', () => chooseScope(true));

searchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  state.list.artist = String(new FormData(searchForm).get('artist')).trim();
  void browse();
});
// Clearing the search box (its × or Escape) lists every album again.
element('artist-search').addEventListener('search', () => {
  if (/** @type {HTMLInputElement} */ (element('artist-search')).value === '' && state.list.artist) {
    state.list.artist = '';
    void browse();
  }
});

button('more-albums').addEventListener('click', () => browse({ more: true }));
window.addEventListener('popstate', () => {
  say('');
  void openAddress();
});

showAccount();
if (signIn.error) say(`Could not sign in: ${signIn.error}`, true);
await Promise.all([openAddress(), browse()]);
