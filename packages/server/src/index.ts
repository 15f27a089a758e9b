/**
 * `@alcove/server`: the Alcove reference server — WebSocket signalling with a waiting room and
 * admission, the media adapter over `@alcove/sfu`, join tokens and resume tickets, the admin API,
 * webhooks, and a hash-chained audit log. Run it with `alcove-server start`, or embed it with
 * {@link createAlcoveServer}. The integrator's client lives at `@alcove/server/client`; the fake
 * media engine and test clients at `@alcove/server/testing`. Rooms, the signalling server and the
 * media adapter are internals, reached only through {@link createAlcoveServer}.
 * @packageDocumentation
 * @module @alcove/server
 */
export { createAlcoveServer } from './server.js';
export type { AlcoveServer, AlcoveServerOptions, FaultHooks } from './server.js';
export { serverOptionsFromConfig } from './server-options.js';

// What the options refer to, and their documented defaults.
export { DEFAULT_RATE_LIMIT } from './signaling/rate-limiter.js';
export type { RateLimitOptions } from './signaling/rate-limiter.js';
export { LIVE_DEFAULTS } from './rooms/room-manager.js';
export type { LiveOptions } from './rooms/deps.js';
export { CLOSE_CODES } from './rooms/room.js';
export { DEFAULT_MEDIA_LIMITS } from './media/media-room.js';
export type { MediaLimits } from './media/media-room.js';
export type { NetworkTestLimits } from './media/network-test.js';
// The media engine interface (`createWorker` option): `@alcove/sfu` by default, or mediasoup.
export type * from './media/engine-types.js';

// Pre-session checklist.
export { verifyConsentReceipt, CONSENT_RECEIPT_WINDOW } from './checklist/consent-receipt.js';
export type { ConsentReceiptRecord } from './checklist/consent-receipt.js';

// Services.
export * from './admin/index.js';
export * from './audit/index.js';
export * from './auth/index.js';
export * from './config/index.js';
export * from './sessions/index.js';
export * from './webhooks/index.js';
export * from './turn/index.js';
export { AdminApiError, AlcoveAdminClient } from './client/admin-client.js';
export type { AlcoveAdminClientOptions, CreateSessionOptions } from './client/admin-client.js';
export { createLogger, silentLogger, LOG_LEVELS, REDACTED_FIELD_WORDS } from './logger.js';
export type { Logger, LoggerOptions, LogFields, LogLevel } from './logger.js';
