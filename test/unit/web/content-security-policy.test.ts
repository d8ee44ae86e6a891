import { describe, expect, it } from 'vitest';
import { loadWebPageConfig } from '../../../lib/config.js';
import { pageContentSecurityPolicy } from '../../../lib/web/content-security-policy.js';
import { DEPLOYED_PAGE_ENV } from '../../support/web-page.js';

const directives = (policy: string) =>
  Object.fromEntries(
    policy.split('; ').map((directive) => {
      const [name, ...sources] = directive.split(' ');
      return [name, sources];
    }),
  );

describe("the web page's Content-Security-Policy", () => {
  it('on AWS: own scripts and styles, covers from the bucket, requests to the API, the bucket and the sign-in', () => {
    const config = loadWebPageConfig(DEPLOYED_PAGE_ENV);
    const bucket = 'https://album-service-prod-covers.s3.eu-west-1.amazonaws.com';
    expect(directives(pageContentSecurityPolicy(config))).toEqual({
      'default-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:', bucket],
      'connect-src': [
        "'self'",
        bucket,
        'https://cognito-idp.eu-west-1.amazonaws.com',
        'https://albums-123.auth.eu-west-1.amazoncognito.com',
      ],
      'form-action': ["'self'"],
      'base-uri': ["'none'"],
      'frame-ancestors': ["'none'"],
    });
  });

  it('locally: the S3 emulator and the local provider, each origin once', () => {
    const config = loadWebPageConfig({
      COVERS_BUCKET: 'covers',
      S3_ENDPOINT: 'http://127.0.0.1:4569',
      AUTH_ISSUER: 'http://localhost:3000/auth',
      AUTH_CLIENT_ID: 'album-service-local',
      AUTH_SIGN_IN: 'local',
    });
    expect(directives(pageContentSecurityPolicy(config))['connect-src']).toEqual([
      "'self'",
      'http://127.0.0.1:4569',
      'http://localhost:3000',
    ]);
    expect(config.signIn).toEqual({
      kind: 'local',
      issuer: 'http://localhost:3000/auth',
      clientId: 'album-service-local',
      users: ['alice', 'bob', 'carol'],
    });
  });
});

describe("the web page's configuration", () => {
  const base = { COVERS_BUCKET: 'covers', AUTH_CLIENT_ID: 'client' };

  it('signs in on the hosted page by default, with the issuer as its tokens name it', () => {
    expect(loadWebPageConfig({ ...base, AUTH_ISSUER: 'https://issuer.example/pool/' }).signIn).toEqual({
      kind: 'hosted',
      issuer: 'https://issuer.example/pool',
      clientId: 'client',
    });
  });

  it('names the variable that is missing or malformed', () => {
    expect(() => loadWebPageConfig(base)).toThrow('AUTH_ISSUER is required');
    expect(() => loadWebPageConfig({ ...base, AUTH_ISSUER: 'javascript:alert(1)' })).toThrow(
      'AUTH_ISSUER must be an http(s) URL',
    );
    expect(() =>
      loadWebPageConfig({ ...base, AUTH_ISSUER: 'https://issuer.example', AUTH_SIGN_IN: 'popup' }),
    ).toThrow('AUTH_SIGN_IN must be one of hosted, local');
    expect(() => loadWebPageConfig({ AUTH_ISSUER: 'https://issuer.example', AUTH_CLIENT_ID: 'c' })).toThrow(
      'COVERS_BUCKET is required',
    );
  });
});
