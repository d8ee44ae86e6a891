import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler } from '../../../functions/docs.js';

const context = { getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

async function get(path: string) {
  const event = {
    rawPath: path,
    headers: {},
    requestContext: { requestId: 'req-1', http: { method: 'GET', path } },
  } as unknown as APIGatewayProxyEventV2;
  const response = (await handler(event, context)) as APIGatewayProxyStructuredResultV2;
  const headers = Object.fromEntries(
    Object.entries(response.headers ?? {}).map(([name, value]) => [name.toLowerCase(), String(value)]),
  );
  return { status: response.statusCode, headers, body: String(response.body ?? '') };
}

/** The policy's directives: name to its list of sources. */
const directivesOf = (policy: string) =>
  new Map(
    policy
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name, ...sources]) => [name as string, sources]),
  );

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('the API docs pages', () => {
  for (const path of ['/docs', '/docs/cs6650']) {
    it(`${path} is sent with the security headers and a policy that allows exactly what it loads`, async () => {
      const page = await get(path);
      expect(page.status).toBe(200);
      expect(page.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
      });
      const policy = directivesOf(page.headers['content-security-policy'] ?? '');
      expect(policy.get('default-src')).toEqual(["'none'"]);
      expect(policy.get('connect-src')).toEqual(["'self'"]);
      expect(policy.get('img-src')).toEqual(["'self'", 'data:']);
      expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
      const scriptSources = policy.get('script-src') ?? [];
      const styleSources = policy.get('style-src') ?? [];
      for (const loose of ["'unsafe-inline'", "'unsafe-eval'", '*', 'https:', 'http:']) {
        expect(scriptSources).not.toContain(loose);
        expect(styleSources).not.toContain(loose);
      }

      // What the page loads from elsewhere is its own, and served here.
      const loaded = [...page.body.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map(
        ([, url]) => url as string,
      );
      expect(loaded).toEqual(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js']);
      for (const url of loaded) expect((await get(url)).status).toBe(200);
      // Its inline script and style are allowed by their hashes, and it has no inline handler or style attribute.
      const inlineScripts = [...page.body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
        ([, text]) => text as string,
      );
      const inlineStyles = [...page.body.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
        ([, text]) => text as string,
      );
      expect(inlineScripts).toHaveLength(1);
      for (const script of inlineScripts) expect(scriptSources).toContain(sha256(script));
      for (const style of inlineStyles) expect(styleSources).toContain(sha256(style));
      expect(page.body).not.toMatch(/\s(?:style|on[a-z]+)=/);
      // The description the script fetches is this API's own, and sent no validator elsewhere.
      const documentUrl = /url: '([^']+)'/.exec(inlineScripts[0] ?? '')?.[1] ?? '';
      expect((await get(documentUrl)).status).toBe(200);
      expect(inlineScripts[0]).toContain('validatorUrl: null');
    });
  }

  it('a script the page does not have is not allowed, whatever its text', async () => {
    const { headers } = await get('/docs');
    const scriptSources = directivesOf(headers['content-security-policy'] ?? '').get('script-src') ?? [];
    expect(scriptSources).not.toContain(sha256("SwaggerUIBundle({ url: 'https://evil.example/x.json' });"));
  });

  it('sends the same headers with its assets and the descriptions', async () => {
    for (const path of ['/docs/openapi.json', '/docs/swagger-ui.css']) {
      const { headers } = await get(path);
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['content-security-policy']).toContain("default-src 'none'");
    }
  });
});
