'use strict';

const { AsyncLocalStorage } = require('node:async_hooks');
const { subscribe } = require('node:diagnostics_channel');
const { InvokeStoreBase } = require('@aws/lambda-invoke-store');

/**
 * Each invocation's X-Ray trace id, as Lambda's runtime keeps it: in the `InvokeStore` on `globalThis.awslambda`,
 * where the AWS SDK reads it to send it with every call a function makes (`X-Amzn-Trace-Id`), and Powertools'
 * logger to put it on every line (`xray_trace_id`). Preloaded into serverless-offline's process, which runs
 * concurrent invocations side by side: the trace of each is the `X-Amzn-Trace-Id` of the HTTP request that
 * started it (the local API front's for an API request, the event sources' for the Lambda Invoke API), kept
 * per request with an AsyncLocalStorage entered as Node's HTTP server starts the request. The local stack's
 * emulators read the header to tie what a function asked of them to the request it served
 * (local/request-history.ts).
 */
class LocalInvokeStore extends InvokeStoreBase {
  als = new AsyncLocalStorage();

  getContext() {
    return this.als.getStore();
  }

  hasContext() {
    return this.als.getStore() !== undefined;
  }

  get(key) {
    return this.als.getStore()?.[key];
  }

  set(key, value) {
    if (this.isProtectedKey(key))
      throw new Error(`Cannot modify protected Lambda context field: ${String(key)}`);
    const store = this.als.getStore();
    if (!store) throw new Error('No context available');
    store[key] = value;
  }

  run(context, fn) {
    return this.als.run(context, fn);
  }
}

const invokeStore = new LocalInvokeStore();

// serverless-offline assigns a fresh `awslambda` each time it loads a function: the store stays on each one.
let awslambda = { InvokeStore: invokeStore };
Object.defineProperty(globalThis, 'awslambda', {
  configurable: true,
  get: () => awslambda,
  set: (value) => {
    awslambda = Object.assign(value ?? {}, { InvokeStore: invokeStore });
  },
});

// Published synchronously before the server's 'request' event: what the request runs, the invocation
// included, runs in the context entered here.
subscribe('http.server.request.start', ({ request }) => {
  const traceId = request.headers['x-amzn-trace-id'];
  invokeStore.als.enterWith(
    typeof traceId === 'string' ? { [InvokeStoreBase.PROTECTED_KEYS.X_RAY_TRACE_ID]: traceId } : {},
  );
});
