import busboy from 'busboy';

/** Why S3 refuses a browser upload, in its own terms. */
export interface PolicyRefusal {
  status: number;
  code: string;
  message: string;
}

type Condition = Record<string, string> | [string, string | number, string | number];

interface PostPolicy {
  expiration: string;
  conditions: Condition[];
}

/** What a multipart POST to a bucket carried: its form fields and the size of its file. */
export interface PostedForm {
  fields: Record<string, string>;
  fileSize: number;
}

/** Reads the fields and the file size of a browser-upload POST body. */
export function readPostedForm(body: Buffer, contentType: string): Promise<PostedForm> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    let fileSize = 0;
    const parser = busboy({ headers: { 'content-type': contentType } });
    parser.on('field', (name, value) => {
      fields[name.toLowerCase()] = value;
    });
    parser.on('file', (_name, stream) => {
      stream.on('data', (chunk: Buffer) => {
        fileSize += chunk.length;
      });
    });
    parser.on('error', reject);
    parser.on('close', () => resolve({ fields, fileSize }));
    parser.end(body);
  });
}

/**
 * Checks a browser upload against the POST policy it carries, as S3 does: the policy's expiry, exact
 * matches, `starts-with` prefixes and the `content-length-range` of the file. Returns S3's refusal, or
 * undefined when the upload is allowed. (The policy's signature is checked by the emulator behind.)
 */
export function checkPostPolicy(
  form: PostedForm,
  bucket: string,
  now: Date = new Date(),
): PolicyRefusal | undefined {
  const encoded = form.fields.policy;
  if (!encoded) return undefined; // an unsigned POST: the emulator behind refuses it
  let policy: PostPolicy;
  try {
    policy = JSON.parse(Buffer.from(encoded, 'base64').toString());
  } catch {
    return { status: 400, code: 'InvalidPolicyDocument', message: 'Invalid Policy: Invalid JSON.' };
  }
  if (Date.parse(policy.expiration) < now.getTime()) {
    return { status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' };
  }
  const value = (field: string) =>
    field === 'bucket' ? bucket : form.fields[field.replace(/^\$/, '').toLowerCase()];
  for (const condition of policy.conditions) {
    const failed = {
      status: 403,
      code: 'AccessDenied',
      message: `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`,
    };
    if (!Array.isArray(condition)) {
      for (const [field, expected] of Object.entries(condition)) if (value(field) !== expected) return failed;
      continue;
    }
    const [operator, first, second] = condition;
    if (operator === 'content-length-range') {
      if (form.fileSize > Number(second)) {
        return {
          status: 400,
          code: 'EntityTooLarge',
          message: 'Your proposed upload exceeds the maximum allowed size',
        };
      }
      if (form.fileSize < Number(first)) {
        return {
          status: 400,
          code: 'EntityTooSmall',
          message: 'Your proposed upload is smaller than the minimum allowed size',
        };
      }
    } else if (operator === 'eq' && value(String(first)) !== second) {
      return failed;
    } else if (operator === 'starts-with' && !(value(String(first)) ?? '').startsWith(String(second))) {
      return failed;
    }
  }
  return undefined;
}
