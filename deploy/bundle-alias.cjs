// What the deployed bundles leave out, as esbuild aliases (custom.esbuild.alias); the local stage replaces
// nothing, so the stack runs the functions as written.
//   - The SDK's default credential chain: a Lambda function's credentials are in its environment
//     (deploy/bundle-shims/lambda-credentials.ts).
//   - The Redis client, unless the album cache is Valkey (deploy/album-cache.yml).
module.exports = async ({ resolveVariable }) => {
  if ((await resolveVariable('sls:stage')) === 'local') return {};
  return {
    '@aws-sdk/credential-provider-node': './deploy/bundle-shims/lambda-credentials.ts',
    ...((await resolveVariable('param:cache')) === 'valkey'
      ? {}
      : { '@redis/client': './deploy/bundle-shims/redis-client-absent.ts' }),
  };
};
