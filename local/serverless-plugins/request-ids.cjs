'use strict';

const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');

/** The header the local API front (local/api-front.ts) passes each request's id in. */
const REQUEST_ID_HEADER = 'x-local-request-id';

/**
 * Gives each HTTP API event the request id the local API front chose for it, in
 * `requestContext.requestId` as API Gateway does, where serverless-offline puts the same constant in every
 * event. The correlation id of the logs and of the review messages is that id (lib/observability/
 * correlation.ts). The header carrying it is taken out of the event, as API Gateway adds none. Hooks only
 * `offline start`, before the first request.
 */
class RequestIds {
  constructor() {
    this.hooks = { 'before:offline:start:init': () => patchHttpApiEvents() };
  }
}

async function patchHttpApiEvents() {
  const eventFile = join(
    dirname(require.resolve('serverless-offline')),
    'events/http/lambda-events/LambdaProxyIntegrationEventV2.js',
  );
  const { default: HttpApiEvent } = await import(pathToFileURL(eventFile).href);
  const create = HttpApiEvent?.prototype?.create;
  if (typeof create !== 'function') {
    throw new Error(`serverless-offline's HTTP API event has moved (no create() in ${eventFile})`);
  }
  HttpApiEvent.prototype.create = function createWithRequestId() {
    const event = create.call(this);
    const requestId = event.headers?.[REQUEST_ID_HEADER];
    if (requestId) {
      event.requestContext.requestId = requestId;
      delete event.headers[REQUEST_ID_HEADER];
    }
    return event;
  };
}

module.exports = RequestIds;
