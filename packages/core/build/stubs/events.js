// Stands in for the `events` package (Node's EventEmitter for browsers, ≈ 6 KiB minified), which
// mediasoup-client depends on under the name `events-alias` for one class, `EnhancedEventEmitter`
// (lib/enhancedEvents.js). This is the part of Node's EventEmitter that class calls — on, once,
// prepend*, off/removeListener, removeAllListeners, emit, listenerCount, listeners, rawListeners,
// setMaxListeners — with Node's semantics: listeners run in order on a copy of the list (adding or
// removing during an emit does not change that emit), a `once` listener is removed before it runs,
// `off` removes the most recently added match, and `emit('error')` without a listener throws.
// Written for @alcove/core (build/mediasoup-client-plugin.mjs); tested against node:events in src/platform/events-stub.test.ts.

function onceWrapper(target, name, listener) {
  const wrapped = function (...args) {
    target.removeListener(name, wrapped);
    return listener.apply(this, args);
  };
  wrapped.listener = listener;
  return wrapped;
}

function checkListener(listener) {
  if (typeof listener !== 'function') throw new TypeError(`The "listener" argument must be of type function. Received ${typeof listener}`);
}

export class EventEmitter {
  constructor() {
    this._events = new Map();
    this._maxListeners = 10;
  }

  _add(name, listener, prepend) {
    checkListener(listener);
    const list = this._events.get(name);
    if (!list) this._events.set(name, [listener]);
    else if (prepend) list.unshift(listener);
    else list.push(listener);
    return this;
  }

  on(name, listener) {
    return this._add(name, listener, false);
  }

  addListener(name, listener) {
    return this._add(name, listener, false);
  }

  prependListener(name, listener) {
    return this._add(name, listener, true);
  }

  once(name, listener) {
    checkListener(listener);
    return this._add(name, onceWrapper(this, name, listener), false);
  }

  prependOnceListener(name, listener) {
    checkListener(listener);
    return this._add(name, onceWrapper(this, name, listener), true);
  }

  removeListener(name, listener) {
    checkListener(listener);
    const list = this._events.get(name);
    if (!list) return this;
    for (let i = list.length - 1; i >= 0; i--) {
      if (list[i] === listener || list[i].listener === listener) {
        list.splice(i, 1);
        if (list.length === 0) this._events.delete(name);
        break;
      }
    }
    return this;
  }

  off(name, listener) {
    return this.removeListener(name, listener);
  }

  removeAllListeners(name) {
    if (name === undefined) this._events.clear();
    else this._events.delete(name);
    return this;
  }

  emit(name, ...args) {
    const list = this._events.get(name);
    if (!list) {
      if (name === 'error') {
        const er = args[0];
        if (er instanceof Error) throw er;
        throw new Error(`Unhandled error. (${String(er)})`);
      }
      return false;
    }
    for (const listener of list.slice()) listener.apply(this, args);
    return true;
  }

  listenerCount(name) {
    return this._events.get(name)?.length ?? 0;
  }

  listeners(name) {
    return (this._events.get(name) ?? []).map((l) => l.listener ?? l);
  }

  rawListeners(name) {
    return (this._events.get(name) ?? []).slice();
  }

  eventNames() {
    return [...this._events.keys()];
  }

  setMaxListeners(n) {
    this._maxListeners = n;
    return this;
  }

  getMaxListeners() {
    return this._maxListeners;
  }
}

export default EventEmitter;
