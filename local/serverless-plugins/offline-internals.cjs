'use strict';

const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');

/**
 * What the local stack's plugins take from serverless-offline beyond its plugin hooks, in one place: its
 * handler loader and its HTTP API event. serverless-offline has no extension point for either, so it is
 * pinned exactly (the root package.json, and local/package.json's peer dependency), and
 * local/test/serverless-plugins/offline-internals.test.ts fails on an upgrade that moves or changes them.
 * local/EMULATORS.md says why each is used.
 */
const offlineRoot = dirname(require.resolve('serverless-offline'));
const HANDLER_LOADER_FILE = join(
  offlineRoot,
  'lambda/handler-runner/in-process-runner/aws-lambda-ric/UserFunction.js',
);
const HTTP_API_EVENT_FILE = join(offlineRoot, 'events/http/lambda-events/LambdaProxyIntegrationEventV2.js');

/** The module whose `load(appRoot, handlerString)` resolves a handler run in serverless-offline's process. */
function handlerLoader() {
  const loader = require(HANDLER_LOADER_FILE);
  if (typeof loader.load !== 'function') {
    throw new Error(`serverless-offline's handler loader has moved (no load() in ${HANDLER_LOADER_FILE})`);
  }
  return loader;
}

/** The class whose `create()` builds every HTTP API (payload 2.0) event serverless-offline hands a function. */
async function httpApiEventClass() {
  const { default: HttpApiEvent } = await import(pathToFileURL(HTTP_API_EVENT_FILE).href);
  if (typeof HttpApiEvent?.prototype?.create !== 'function') {
    throw new Error(`serverless-offline's HTTP API event has moved (no create() in ${HTTP_API_EVENT_FILE})`);
  }
  return HttpApiEvent;
}

module.exports = { handlerLoader, httpApiEventClass };
