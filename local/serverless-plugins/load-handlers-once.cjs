'use strict';

const { handlerLoader } = require('./offline-internals.cjs');

/**
 * Makes serverless-offline look a function's handler up once, as Lambda does when a container starts,
 * rather than on every invocation. For functions running in its own process it resolves the handler again
 * each time: a dozen `existsSync` calls and a read of the nearest `package.json`, a share of its process under
 * the course load (docs/performance.md#local-stack-and-load-client). The lookup it makes is unchanged; its answer is remembered per
 * handler until serverless-esbuild rebuilds the functions (`npm run dev`), when
 * reload-rebuilt-functions.cjs drops the bundles from the module cache and this forgets the handlers.
 * Must be listed before serverless-offline, which imports the loader only on its first invocation.
 */
class LoadHandlersOnce {
  constructor() {
    const loader = handlerLoader();
    const load = loader.load;
    const handlers = new Map();
    loader.load = (appRoot, handlerString) => {
      const key = `${appRoot}\0${handlerString}`;
      let handler = handlers.get(key);
      if (handler === undefined) {
        handler = load(appRoot, handlerString);
        handlers.set(key, handler);
        handler.catch(() => handlers.delete(key)); // a handler that failed to load is tried again next time
      }
      return handler;
    };
    this.hooks = { 'offline:functionsUpdated:cleanup': () => handlers.clear() };
  }
}

module.exports = LoadHandlersOnce;
