import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { localDataDir, readEndpoints } from './endpoints.js';

/**
 * `npm run upload-cover -- <albumId> <image> --token <jwt>`: uploads a cover to the running local stack as the
 * web page does (a presigned POST straight to S3, asked for with the signed-in user's token, from `npm run
 * token`), waits for its verification and prints the verdict. Exits 1 when the cover is refused or cannot be
 * uploaded, 2 on a command line it cannot run.
 */

const TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
};
const VERIFICATION_TIMEOUT_MS = 30_000;

class UsageError extends Error {}

interface Upload {
  url: string;
  fields: Record<string, string>;
  key: string;
}

interface Cover {
  status: string;
  reason?: string;
  upload?: { key: string; status: string; reason?: string };
}

interface Arguments {
  albumId: string;
  file: string;
  contentType: string;
  token: string;
}

function parseArguments(args: string[]): Arguments {
  const [albumId, file, option, token, ...extra] = args;
  if (!albumId || !file || option !== '--token' || !token || extra.length > 0) {
    throw new UsageError(
      'usage: npm run upload-cover -- <albumId> <image: .jpg, .png, .webp or .gif> --token <jwt from npm run token>',
    );
  }
  const contentType = TYPES[extname(file).toLowerCase()];
  if (!contentType) throw new UsageError(`${file}: a cover is a .jpg, .png, .webp or .gif file`);
  return { albumId, file, contentType, token };
}

/** Asks the API for an upload; each presigned POST is good for one upload. */
async function requestUpload(apiUrl: string, albumId: string, token: string): Promise<Upload> {
  const response = await fetch(`${apiUrl}/albums/${albumId}/cover`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  const body = (await response.json()) as Upload & { message?: string };
  if (!response.ok) throw new Error(`the API refused the upload: ${body.message ?? response.status}`);
  return body;
}

/** Posts the file to S3 with the presigned fields, its type, and the file last, as S3 requires. */
async function postToS3(upload: Upload, bytes: Buffer, name: string, contentType: string): Promise<void> {
  const form = new FormData();
  for (const [field, value] of Object.entries(upload.fields)) form.append(field, value);
  form.append('Content-Type', contentType);
  form.append('file', new Blob([new Uint8Array(bytes)], { type: contentType }), name);
  const response = await fetch(upload.url, { method: 'POST', body: form });
  if (response.status >= 300) {
    const reason = /<Message>([^<]*)<\/Message>/.exec(await response.text())?.[1];
    throw new Error(`S3 refused the upload (${response.status}): ${reason ?? 'no reason given'}`);
  }
}

/** Polls the album until verification has judged the upload at `key`. */
async function verdict(apiUrl: string, albumId: string, key: string): Promise<Cover> {
  const deadline = Date.now() + VERIFICATION_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const { cover } = (await (await fetch(`${apiUrl}/albums/${albumId}`)).json()) as { cover: Cover };
    if (cover.upload?.key === key) return cover;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the cover was not verified within ${VERIFICATION_TIMEOUT_MS / 1000} s`);
}

async function main(): Promise<number> {
  try {
    const { albumId, file, contentType, token } = parseArguments(process.argv.slice(2));
    const bytes = await readFile(file).catch(() => {
      throw new UsageError(`cannot read ${file}`);
    });
    const { apiUrl } = await readEndpoints(localDataDir(process.env));
    const upload = await requestUpload(apiUrl, albumId, token);
    await postToS3(upload, bytes, basename(file), contentType);
    const cover = await verdict(apiUrl, albumId, upload.key);
    console.log(JSON.stringify(cover));
    return cover.upload?.status === 'ready' ? 0 : 1;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return error instanceof UsageError ? 2 : 1;
  }
}

process.exitCode = await main();
