// @ts-check
// Who is using the page. The service names its way of signing in at /app/config.json: on AWS, the user
// pool's hosted sign-in page, reached with the authorization code flow and PKCE by oidc-client-ts; locally,
// a user picker whose tokens come from the local OpenID provider.
// The session lasts as long as the tab (sessionStorage), and a token is only ever sent to the API.

/** @typedef {{ sub: string, name: string, token: string, expiresAt: number }} Session */
/**
 * @typedef {{ kind: 'local', issuer: string, clientId: string, users: string[] }
 *   | { kind: 'hosted', issuer: string, clientId: string }} SignInConfig
 */
/** @typedef {import('oidc-client-ts').UserManager} UserManager */

const SESSION_KEY = 'albums.session';
// A token this close to its expiry is not sent: the API would refuse it on the way.
const EXPIRY_MARGIN_MS = 30_000;

/** @returns {Session | undefined} */
function storedSession() {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null');
    if (session && session.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return session;
  } catch {
    // An unreadable session is no session.
  }
  sessionStorage.removeItem(SESSION_KEY);
  return undefined;
}

/** @param {Session} session */
function keep(session) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

/**
 * The claims of a token, read only to show who is signed in and until when; the API checks the token itself.
 * @param {string} token @returns {Record<string, unknown>}
 */
function claimsOf(token) {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/')));
}

/** oidc-client-ts, from the page's own copy of its browser build (no CDN), loaded only where it is used. */
async function loadOidcClient() {
  await new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/app/oidc-client-ts.js';
    script.addEventListener('load', resolve);
    script.addEventListener('error', () => reject(new Error('the sign-in client did not load')));
    document.head.append(script);
  });
  return /** @type {typeof import('oidc-client-ts')} */ (/** @type {any} */ (window).oidc);
}

/** @param {{ issuer: string, clientId: string }} config @returns {Promise<UserManager>} */
async function hostedSignIn({ issuer, clientId }) {
  const oidc = await loadOidcClient();
  return new oidc.UserManager({
    authority: issuer,
    client_id: clientId,
    redirect_uri: `${location.origin}/`,
    response_type: 'code',
    scope: 'openid',
    // The tab's session only, as the local picker's; no hidden frames renewing tokens behind the page.
    userStore: new oidc.WebStorageStateStore({ store: sessionStorage }),
    stateStore: new oidc.WebStorageStateStore({ store: sessionStorage }),
    automaticSilentRenew: false,
  });
}

/**
 * Reads how the service signs people in, finishes a sign-in the hosted page has just sent back here, and
 * returns what the page needs: the current session, and how to sign in and out.
 */
export async function startSignIn() {
  /** @type {SignInConfig} */
  const config = (await fetch('/app/config.json').then((response) => response.json())).signIn;
  /** @type {UserManager | undefined} */
  let manager;
  /** @type {string | undefined} */
  let error;
  if (config.kind === 'hosted') {
    manager = await hostedSignIn(config);
    const params = new URLSearchParams(location.search);
    if (params.has('code') && params.has('state')) {
      try {
        const user = await manager.signinRedirectCallback();
        keep({
          sub: user.profile.sub,
          name: String(user.profile['cognito:username'] ?? user.profile.email ?? user.profile.sub),
          token: user.access_token,
          expiresAt: (user.expires_at ?? 0) * 1000,
        });
        history.replaceState(null, '', typeof user.state === 'string' ? user.state : '/');
      } catch (failure) {
        error = /** @type {Error} */ (failure).message;
        history.replaceState(null, '', '/');
      }
    }
  }

  return {
    kind: config.kind,
    /** Names to offer in the local picker. */
    localUsers: config.kind === 'local' ? config.users : [],
    /** Why the last sign-in failed, if it did. */
    error,
    session: storedSession,

    /**
     * Signs in locally as `name`, with a token from the local OpenID provider's token endpoint, found through
     * its discovery document as any OpenID client finds it.
     * @param {string} name
     */
    async signInLocal(name) {
      if (config.kind !== 'local') throw new Error('this service signs in elsewhere');
      const discovery = await fetch(`${config.issuer}/.well-known/openid-configuration`);
      if (!discovery.ok) throw new Error(`the sign-in service answered ${discovery.status}`);
      const { token_endpoint: tokenEndpoint } = await discovery.json();
      const response = await fetch(tokenEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', username: name, client_id: config.clientId }),
      });
      const body = await response.json().catch(() => ({}));
      if (!response.ok)
        throw new Error(body.error_description ?? `the sign-in service answered ${response.status}`);
      const token = String(body.access_token);
      const claims = claimsOf(token);
      keep({
        sub: String(claims.sub),
        name: String(claims.username ?? name),
        token,
        expiresAt: Number(claims.exp) * 1000,
      });
    },

    /** Goes to the hosted sign-in page, which comes back to `returnTo`. @param {string} returnTo */
    async signInHosted(returnTo) {
      if (!manager) throw new Error('this service has no hosted sign-in');
      await manager.signinRedirect({ state: returnTo });
    },

    /** Forgets the session in this tab. */
    signOut() {
      sessionStorage.removeItem(SESSION_KEY);
      void manager?.removeUser();
    },
  };
}
