import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { type S3Refusal, type SecretKeys, verifyPolicySignature } from './signature.js';

/** A browser upload its policy allows: the fields sent before the file, by lower-case name, and the file. */
export interface PostedUpload {
  key: string;
  fields: ReadonlyMap<string, string>;
  file: Buffer[];
}

export type PostOutcome = { upload: PostedUpload } | { refusal: S3Refusal };

/** A multipart body ready to send: its content type (with the boundary), its parts in order, its length. */
export interface StoredForm {
  contentType: string;
  parts: Buffer[];
  length: number;
}

/** The file sizes a policy's `content-length-range` allows. */
export interface SizeRange {
  min: number;
  max: number;
}

type Condition = Record<string, unknown> | unknown[];

/** What no header value may hold: C0 controls other than tab, and DEL. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000a-\u001f\u007f]/;
/** S3 refuses a POST whose fields before the file exceed this many bytes. */
const MAX_PRE_DATA_BYTES = 20 * 1024;
const ALGORITHM = 'AWS4-HMAC-SHA256';
/** The fields S3 needs before the file, as its messages spell them. */
const REQUIRED_FIELDS = ['key', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Signature'];
/** Fields a policy need not name (S3's rule), besides those starting `x-ignore-`. */
const UNCONDITIONED_FIELDS = new Set(['policy', 'x-amz-signature', 'file']);
/** The fields S3 keeps with the object or acts on; the rest only authorize the upload. */
const STORED_FIELDS = new Set([
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'content-type',
  'expires',
  'redirect',
  'success_action_redirect',
  'success_action_status',
  'x-amz-storage-class',
  'x-amz-website-redirect-location',
]);

const malformedPost: S3Refusal = {
  status: 400,
  code: 'MalformedPOSTRequest',
  message: 'The body of your POST request is not well-formed multipart/form-data.',
};
const entityTooLarge: S3Refusal = {
  status: 400,
  code: 'EntityTooLarge',
  message: 'Your proposed upload exceeds the maximum allowed size',
};
const entityTooSmall: S3Refusal = {
  status: 400,
  code: 'EntityTooSmall',
  message: 'Your proposed upload is smaller than the minimum allowed size',
};
const oneFile: S3Refusal = {
  status: 400,
  code: 'InvalidArgument',
  message: 'POST requires exactly one file upload per request.',
};

interface FormState {
  fields: Map<string, string>;
  preDataBytes: number;
  fileStarted: boolean;
  sizeRange?: SizeRange;
  file: Buffer[];
  fileSize: number;
  refusal?: S3Refusal;
}

/**
 * Reads a browser upload (a multipart POST to a bucket) and holds it to its POST policy as S3 does: the
 * fields before the file, each named once, are checked as soon as the file starts (signature, expiry,
 * conditions); every field after the file is ignored; the file is kept only while within the policy's
 * size range, and its size checked at its end. A body that is not well-formed multipart (truncated, a wrong
 * closing boundary) is refused with MalformedPOSTRequest.
 *
 * @example
 * const outcome = await readPostUpload(request, 'album-covers-local', new Map([['local', 'local']]));
 */
export function readPostUpload(
  request: IncomingMessage,
  bucket: string,
  keys: SecretKeys,
  now: Date = new Date(),
): Promise<PostOutcome> {
  return new Promise((resolve) => {
    const state: FormState = {
      fields: new Map(),
      preDataBytes: 0,
      fileStarted: false,
      file: [],
      fileSize: 0,
    };
    const fail = () => {
      request.unpipe();
      request.resume();
      resolve({ refusal: state.refusal ?? malformedPost });
    };
    const parser = createParser(request.headers['content-type'] ?? '');
    if (!parser) {
      fail();
      return;
    }
    const startFile = () => {
      state.fileStarted = true;
      if (state.refusal) return;
      const checked = checkPostPolicy(state.fields, bucket, keys, now);
      if ('refusal' in checked) refuse(state, checked.refusal);
      else state.sizeRange = checked.sizeRange;
    };
    parser.on('field', (name, value) => {
      if (state.fileStarted) return; // S3 ignores every field after the file
      if (name.toLowerCase() !== 'file') {
        addField(state, name, value);
        return;
      }
      startFile(); // a file part sent without a filename arrives as a field
      takeFileBytes(state, Buffer.from(value));
    });
    parser.on('file', (name, stream) => {
      stream.on('error', () => undefined); // the parser reports the same failure
      if (state.fileStarted || name.toLowerCase() !== 'file') {
        if (!state.fileStarted) refuse(state, oneFile);
        stream.resume();
        return;
      }
      startFile();
      stream.on('data', (chunk: Buffer) => takeFileBytes(state, chunk));
    });
    parser.on('error', fail);
    parser.on('close', () => resolve(conclude(state)));
    request.on('error', fail);
    request.on('close', () => {
      if (!request.complete) fail();
    });
    request.pipe(parser);
  });
}

/**
 * Checks the fields a browser upload sent before its file against the POST policy it carries, as S3
 * does: no control characters in a field kept with the object, the policy's signature, its expiry, its
 * exact-match, `eq` and `starts-with` conditions, and that it names every field sent. Returns S3's refusal, or the file sizes the policy allows.
 */
export function checkPostPolicy(
  fields: ReadonlyMap<string, string>,
  bucket: string,
  keys: SecretKeys,
  now: Date = new Date(),
): { sizeRange: SizeRange } | { refusal: S3Refusal } {
  const encoded = fields.get('policy');
  if (encoded === undefined)
    return { refusal: { status: 403, code: 'AccessDenied', message: 'Access Denied' } };
  const missing = REQUIRED_FIELDS.find((name) => !fields.has(name.toLowerCase()));
  if (missing) return { refusal: missingField(missing) };
  // A field kept with the object is sent back as a header, where a line break would start one of its own.
  const broken = [...fields].find(([name, value]) => isStored(name) && CONTROL_CHARACTERS.test(value));
  if (broken) {
    return {
      refusal: {
        status: 400,
        code: 'InvalidArgument',
        message: `Header value cannot contain control characters: ${broken[0]}`,
      },
    };
  }
  if (fields.get('x-amz-algorithm') !== ALGORITHM) {
    return {
      refusal: { status: 400, code: 'InvalidArgument', message: 'Only AWS4-HMAC-SHA256 is supported' },
    };
  }
  const signatureRefusal = verifyPolicySignature(
    encoded,
    fields.get('x-amz-credential') ?? '',
    fields.get('x-amz-signature') ?? '',
    keys,
  );
  if (signatureRefusal) return { refusal: signatureRefusal };
  const policy = decodePolicy(encoded);
  if ('refusal' in policy) return policy;
  if (Date.parse(policy.expiration) < now.getTime()) {
    return { refusal: policyRefusal('Policy expired.') };
  }
  const value = (name: string) => (name === 'bucket' ? bucket : fields.get(name));
  const checked = checkConditions(policy.conditions, value);
  if ('refusal' in checked) return checked;
  const extra = [...fields.keys()].filter(
    (name) => !UNCONDITIONED_FIELDS.has(name) && !name.startsWith('x-ignore-') && !checked.named.has(name),
  );
  if (extra.length > 0) return { refusal: policyRefusal(`Extra input fields: ${extra.join(', ')}`) };
  return { sizeRange: checked.sizeRange };
}

/**
 * Refuses a file outside the size range its policy allows, with S3's EntityTooLarge or EntityTooSmall.
 */
export function checkFileSize(size: number, range: SizeRange): S3Refusal | undefined {
  if (size > range.max) return entityTooLarge;
  if (size < range.min) return entityTooSmall;
  return undefined;
}

/**
 * The multipart body that stores an allowed upload: the checked key, the checked fields S3 keeps with an
 * object (content type, metadata, the success answer) and the file, so nothing unchecked reaches the bucket.
 */
export function storedForm(upload: PostedUpload): StoredForm {
  const boundary = `local-s3-${randomUUID()}`;
  const fields = [['key', upload.key], ...[...upload.fields].filter(([name]) => isStored(name))];
  const head = Buffer.from(
    `${fields.map(([name, value]) => `--${boundary}\r\n${disposition(name ?? '')}\r\n\r\n${value}\r\n`).join('')}` +
      `--${boundary}\r\n${disposition('file')}; filename="file"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const parts = [head, ...upload.file, Buffer.from(`\r\n--${boundary}--\r\n`)];
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    parts,
    length: parts.reduce((total, part) => total + part.length, 0),
  };
}

/** busboy throws at once on a content type that is not multipart with a boundary. */
function createParser(contentType: string): busboy.Busboy | undefined {
  try {
    return busboy({ headers: { 'content-type': contentType } });
  } catch {
    return undefined;
  }
}

function refuse(state: FormState, refusal: S3Refusal): void {
  state.refusal ??= refusal;
  state.file = [];
}

function addField(state: FormState, name: string, value: string): void {
  state.preDataBytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  const lowerName = name.toLowerCase();
  if (state.preDataBytes > MAX_PRE_DATA_BYTES) {
    refuse(state, {
      status: 400,
      code: 'MaxPostPreDataLengthExceeded',
      message: 'Your POST request fields preceeding the upload file was too large.',
    });
  } else if (state.fields.has(lowerName)) {
    refuse(state, {
      status: 400,
      code: 'InvalidArgument',
      message: `Bucket POST must contain exactly one field named '${name}'.`,
    });
  } else {
    state.fields.set(lowerName, value);
  }
}

/** Keeps the file while its policy allows it; past the largest size allowed, only counts it. */
function takeFileBytes(state: FormState, chunk: Buffer): void {
  state.fileSize += chunk.length;
  if (state.refusal || !state.sizeRange) return;
  if (state.fileSize > state.sizeRange.max) refuse(state, entityTooLarge);
  else state.file.push(chunk);
}

function conclude(state: FormState): PostOutcome {
  if (state.refusal) return { refusal: state.refusal };
  if (!state.fileStarted || !state.sizeRange) return { refusal: oneFile };
  const sizeRefusal = checkFileSize(state.fileSize, state.sizeRange);
  if (sizeRefusal) return { refusal: sizeRefusal };
  return { upload: { key: state.fields.get('key') ?? '', fields: state.fields, file: state.file } };
}

function decodePolicy(
  encoded: string,
): { expiration: string; conditions: Condition[] } | { refusal: S3Refusal } {
  const invalid = (reason: string) => ({
    refusal: { status: 400, code: 'InvalidPolicyDocument', message: `Invalid Policy: ${reason}` },
  });
  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(encoded, 'base64').toString());
  } catch {
    return invalid('Invalid JSON.');
  }
  if (typeof policy?.expiration !== 'string') return invalid('Policy missing expiration.');
  if (!Array.isArray(policy.conditions)) return invalid('Policy missing conditions.');
  return { expiration: policy.expiration, conditions: policy.conditions };
}

/**
 * Evaluates a policy's conditions on the fields; returns the size range they allow and the fields they
 * name (lower case), or the refusal of the first that fails.
 */
function checkConditions(
  conditions: Condition[],
  value: (name: string) => string | undefined,
): { sizeRange: SizeRange; named: Set<string> } | { refusal: S3Refusal } {
  const sizeRange: SizeRange = { min: 0, max: Number.POSITIVE_INFINITY };
  const named = new Set<string>();
  for (const condition of conditions) {
    const failed = { refusal: policyRefusal(`Policy Condition failed: ${JSON.stringify(condition)}`) };
    if (!Array.isArray(condition)) {
      for (const [field, expected] of Object.entries(condition ?? {})) {
        named.add(field.toLowerCase());
        if (value(field.toLowerCase()) !== String(expected)) return failed;
      }
      continue;
    }
    const [operator, first, second] = condition;
    if (operator === 'content-length-range') {
      sizeRange.min = Number(first);
      sizeRange.max = Number(second);
      continue;
    }
    const field = String(first).replace(/^\$/, '').toLowerCase();
    named.add(field);
    const actual = value(field) ?? '';
    if (operator === 'eq' && actual !== String(second)) return failed;
    if (operator === 'starts-with' && !actual.startsWith(String(second))) return failed;
    if (operator !== 'eq' && operator !== 'starts-with') {
      return {
        refusal: {
          status: 400,
          code: 'InvalidPolicyDocument',
          message: `Invalid Policy: Invalid Condition: ${JSON.stringify(condition)}`,
        },
      };
    }
  }
  return { sizeRange, named };
}

function policyRefusal(reason: string): S3Refusal {
  return { status: 403, code: 'AccessDenied', message: `Invalid according to Policy: ${reason}` };
}

function missingField(name: string): S3Refusal {
  return {
    status: 400,
    code: 'InvalidArgument',
    message: `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`,
  };
}

function isStored(name: string): boolean {
  return STORED_FIELDS.has(name) || name.startsWith('x-amz-meta-');
}

/** A form field's header; a name is quoted as browsers do, so no name can break out of its quotes. */
function disposition(name: string): string {
  return `Content-Disposition: form-data; name="${name.replace(/["\r\n]/g, encodeURIComponent)}"`;
}
