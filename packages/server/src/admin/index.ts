/** The admin HTTP API handler, its route table, schemas and OpenAPI generator. */
export { createAdminHandler, toSessionView } from './admin-handler.js';
export type { AdminApiKey, AdminHandler, AdminHandlerOptions } from './admin-handler.js';
export { ADMIN_ROUTES, COMMON_ERRORS } from './routes.js';
export type { AdminRoute } from './routes.js';
export { buildOpenApi, errorsOf, toJsonSchema } from './openapi.js';
export type { JsonSchema } from './openapi.js';
export { ADMIN_ERRORS, ADMIN_ERROR_CODES, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './schemas.js';
export type { AdminErrorCodeName } from './schemas.js';
export { TokenRevocations, REVOCATIONS_FILE } from './revocations.js';
export type { TokenRevocationsOptions } from './revocations.js';
export { IdempotencyStore, IDEMPOTENCY_FILE, IDEMPOTENCY_TTL_MS, MAX_IDEMPOTENCY_RECORDS } from './idempotency.js';
export type { IdempotencyLookup, IdempotencyRecord, IdempotencyStoreOptions } from './idempotency.js';
export { AuthFailureLimiter, KEY_PREFIX_LENGTH, clientAddress } from './lockout.js';
export type * from './types.js';
