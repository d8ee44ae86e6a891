'use strict';

/**
 * Serves the functions from bundles already built in serverless-esbuild's work folder (FUNCTIONS_BUILD_DIR)
 * when FUNCTIONS_PREBUILT is `on`, instead of building them again: a test run starts many stacks from the
 * same sources and builds them once. Every function is marked `skipEsbuild`, serverless-esbuild's own switch
 * for a function it should not build; it still points serverless-offline at its build folder. Hooks only
 * `offline start`, so packaging and deploying are as they were.
 */
class ServeBuiltFunctions {
  constructor(serverless) {
    this.hooks = {};
    if (process.env.FUNCTIONS_PREBUILT !== 'on') return;
    // `initialize` runs before any command's own events, so before serverless-esbuild's build on
    // `before:offline:start:init`.
    this.hooks.initialize = () => {
      if (serverless.processedInput?.commands?.[0] !== 'offline') return;
      for (const definition of Object.values(serverless.service.functions ?? {}))
        definition.skipEsbuild = true;
    };
  }
}

module.exports = ServeBuiltFunctions;
