// Types of `events.js`: the part of Node's EventEmitter it implements, typed as Node's (the stub is
// compared with `node:events` in src/platform/events-stub.test.ts).
export { EventEmitter, EventEmitter as default } from 'node:events';
