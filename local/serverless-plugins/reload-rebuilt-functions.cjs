'use strict';

const { resolve, sep } = require('node:path');

/**
 * Makes serverless-offline run the functions' new code after serverless-esbuild rebuilds them (`npm run
 * dev`). Functions running in serverless-offline's own process are loaded with `require()`, which keeps
 * the first build in its module cache: serverless-offline drops its function instances after a rebuild,
 * but their next invocation got the old module back. This drops the built bundles from that cache at the
 * same moment, so the next invocation loads the new bundle (a cold start, as on a new deployment).
 */
class ReloadRebuiltFunctions {
  constructor(serverless) {
    this.hooks = {
      'offline:functionsUpdated:cleanup': () => {
        // Read here, once serverless.yml's variables are resolved.
        const workFolder = serverless.service.custom?.esbuild?.outputWorkFolder ?? '.esbuild';
        const buildFolder = resolve(serverless.config.servicePath, workFolder) + sep;
        for (const file of Object.keys(require.cache)) {
          if (file.startsWith(buildFolder)) delete require.cache[file];
        }
      },
    };
  }
}

module.exports = ReloadRebuiltFunctions;
