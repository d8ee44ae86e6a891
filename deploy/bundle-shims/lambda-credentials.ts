import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * What the deployed bundles use in place of the SDK's default credential chain (../bundle-alias.cjs).
 * Lambda hands a function its role's credentials in the environment, and `serverless invoke local` does the
 * same with the caller's, so the chain's other links (profiles, SSO, web identity, the instance metadata
 * service) are never reached there; left out with the STS and SSO clients they bring, every bundle is
 * smaller (see docs/performance.md#what-the-bundles-leave-out).
 *
 * @example
 * // esbuild alias: { '@aws-sdk/credential-provider-node': './deploy/bundle-shims/lambda-credentials.ts' }
 * new S3Client({}); // signs with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
 */
export const defaultProvider = fromEnv;
