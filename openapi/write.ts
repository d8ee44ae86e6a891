import { writeFile } from 'node:fs/promises';
import { openApiDocument } from './document.js';

/** Writes openapi/openapi.json for tools that read the description from a file. */
await writeFile(new URL('./openapi.json', import.meta.url), `${JSON.stringify(openApiDocument, null, 2)}\n`);
