'use strict';

const { httpApiEventClass } = require('./offline-internals.cjs');

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
  const HttpApiEvent = await httpApiEventClass();
  const create = HttpApiEvent.prototype.create;
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
