/** Reusable schemas, for servers and tools that validate the same shapes. */
export * from './common.js';
export * from './entities.js';
export * from './checklist.js';
export * from './chat.js';
