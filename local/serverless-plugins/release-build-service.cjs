'use strict';

/**
 * Ends esbuild's service process once serverless-esbuild has built the functions for serverless-offline.
 * Left running, it keeps what it allocated to bundle every function (how much:
 * docs/performance.md#local-stack-and-load-client); esbuild starts a new one by itself if a source change
 * asks for a rebuild. Hooks only `offline start`, so packaging and deploying are as
 * they were.
 */
class ReleaseBuildService {
  constructor() {
    // Plugins' hooks for one event run in the order serverless.yml lists the plugins: this one is listed
    // after serverless-esbuild, whose hook on the same event builds the functions.
    this.hooks = { 'before:offline:start:init': () => require('esbuild').stop() };
  }
}

module.exports = ReleaseBuildService;
