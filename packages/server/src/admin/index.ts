/** The admin HTTP API handler. */
export { createAdminHandler, toSessionView } from './admin-handler.js';
export type { AdminApiKey, AdminHandler, AdminHandlerOptions } from './admin-handler.js';
export type * from './types.js';
