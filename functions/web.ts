import middy from '@middy/core';
import { loadCoversConfig } from '../lib/config.js';
import { pageSecurityHeaders } from '../lib/http/security-headers.js';
import { type StaticFile, staticFiles } from '../lib/http/static-files.js';
import appCss from '../web/app.css' with { type: 'text' };
// @ts-expect-error the type checker cannot see import attributes: the bundler embeds this file as text
import appJs from '../web/app.js' with { type: 'text' };
import indexHtml from '../web/index.html' with { type: 'text' };

// The page's files are embedded in the bundle, so the page is served the same way locally and deployed.
const files: Record<string, StaticFile> = {
  '/': { contentType: 'text/html; charset=utf-8', body: indexHtml },
  '/app/app.js': { contentType: 'text/javascript; charset=utf-8', body: appJs },
  '/app/app.css': { contentType: 'text/css; charset=utf-8', body: appCss },
};

/** GET / and /app/{file}: the album web page. */
export const handler = middy(staticFiles(files, 'no-cache')).use(pageSecurityHeaders(loadCoversConfig()));
