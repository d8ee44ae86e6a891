import { describe, expect, it } from 'vitest';
import { verifyRequestSignature } from '../../s3/signature.js';

// The worked examples of AWS's "Signature Version 4 (AWS4-HMAC-SHA256)" S3 documentation.
const keys = new Map([['AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY']]);
const host = 'examplebucket.s3.amazonaws.com';
const emptyPayload = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const headerSigned = (signature: string, range = 'bytes=0-9') => ({
  method: 'GET',
  url: '/test.txt',
  headers: {
    host,
    range,
    'x-amz-content-sha256': emptyPayload,
    'x-amz-date': '20130524T000000Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,' +
      `SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=${signature}`,
  },
});

const presigned = (path: string, signature: string) => ({
  method: 'GET',
  url:
    `${path}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request` +
    `&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=${signature}`,
  headers: { host },
});

describe('SigV4 verification in front of the local S3', () => {
  it("accepts AWS's worked example of a header-signed GET, and refuses it with a header changed", () => {
    const signature = 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41';
    expect(verifyRequestSignature(headerSigned(signature), keys)).toBeUndefined();
    expect(verifyRequestSignature(headerSigned(signature, 'bytes=0-99'), keys)).toMatchObject({
      status: 403,
      code: 'SignatureDoesNotMatch',
    });
  });

  it("accepts AWS's worked example of a presigned GET, and refuses it for another key", () => {
    const signature = 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
    expect(verifyRequestSignature(presigned('/test.txt', signature), keys)).toBeUndefined();
    expect(verifyRequestSignature(presigned('/other.txt', signature), keys)).toMatchObject({
      code: 'SignatureDoesNotMatch',
    });
  });

  it('refuses an unsigned request, a signature version other than 4, and malformed signature parts', () => {
    expect(
      verifyRequestSignature({ method: 'GET', url: '/test.txt', headers: { host } }, keys),
    ).toMatchObject({
      status: 403,
      code: 'AccessDenied',
    });
    const v2 = {
      method: 'GET',
      url: '/test.txt',
      headers: { host, authorization: 'AWS AKIAIOSFODNN7EXAMPLE:abc' },
    };
    expect(verifyRequestSignature(v2, keys)).toMatchObject({ status: 400, code: 'InvalidRequest' });
    const noSignature = headerSigned('x');
    noSignature.headers.authorization = noSignature.headers.authorization.replace(/,Signature=x$/, '');
    expect(verifyRequestSignature(noSignature, keys)).toMatchObject({ code: 'AuthorizationHeaderMalformed' });
    const noExpiry = presigned('/test.txt', 'x');
    noExpiry.url = noExpiry.url.replace('&X-Amz-Expires=86400', '');
    expect(verifyRequestSignature(noExpiry, keys)).toMatchObject({
      code: 'AuthorizationQueryParametersError',
    });
  });
});
