/**
 * `@alcove/server`: the Alcove reference server — WebSocket signalling with a waiting room and
 * admission, the media adapter over `@alcove/sfu`, join tokens and resume tickets, the admin API,
 * webhooks, and a hash-chained audit log. Run it with `alcove-server start`, or embed it with
 * {@link createAlcoveServer}. The integrator's client lives at `@alcove/server/client`.
 * @packageDocumentation
 * @module @alcove/server
 */
export { createAlcoveServer } from './server.js';
export type { AlcoveServer, AlcoveServerOptions, FaultHooks } from './server.js';
export { serverOptionsFromConfig } from './server-options.js';

// Live side (signalling, rooms, media adapter).
export { SignalingServer } from './signaling/signaling-server.js';
export type { SignalingServerOptions } from './signaling/signaling-server.js';
export { RequestError } from './signaling/request-error.js';
export { DEFAULT_RATE_LIMIT } from './signaling/rate-limiter.js';
export type { RateLimitOptions } from './signaling/rate-limiter.js';
export { RoomManager, LIVE_DEFAULTS } from './rooms/room-manager.js';
export { Room, CLOSE_CODES } from './rooms/room.js';
export type { RoomEndReason } from './rooms/room.js';
export { Participant } from './rooms/participant.js';
export type { RoomConnection, ParticipantState } from './rooms/participant.js';
export { METHOD_RULES, HOST_METHODS, checkPermission, mayPublishSource } from './rooms/permissions.js';
export type { MethodRule } from './rooms/permissions.js';
export type { LiveOptions, RoomDeps, RoomEvents, RoomRegistry, RoomTickets } from './rooms/deps.js';
export { MediaRoom, DEFAULT_MEDIA_LIMITS } from './media/media-room.js';
export type { MediaLimits, MediaRoomOptions } from './media/media-room.js';
export { AUDIO_LEVEL_URI, routerCodecs, checkProducerParameters } from './media/codecs.js';
export { createSfuWorker } from './media/sfu-engine.js';
export { FakeMediaEngine } from './media/fake-engine.js';
export type { FakeEngineStats } from './media/fake-engine.js';
export type * from './media/engine-types.js';
export { NetworkTests } from './media/network-test.js';
export type { NetworkTestLimits, NetworkTestsOptions } from './media/network-test.js';

// Pre-session checklist.
export { verifyConsentReceipt, CONSENT_RECEIPT_WINDOW } from './checklist/consent-receipt.js';
export type { ConsentReceiptRecord } from './checklist/consent-receipt.js';
export { ChecklistDesk, CHECKLIST_RELAY_LIMITS } from './checklist/checklist-desk.js';
export type { ChecklistDeskOptions } from './checklist/checklist-desk.js';
export type { ThrottleClock } from './checklist/throttle.js';

// Services.
export * from './admin/index.js';
export * from './audit/index.js';
export * from './auth/index.js';
export * from './config/index.js';
export * from './sessions/index.js';
export * from './webhooks/index.js';
export { AdminApiError, AlcoveAdminClient } from './client/admin-client.js';
export type { AlcoveAdminClientOptions } from './client/admin-client.js';
export { createLogger, silentLogger, LOG_LEVELS, REDACTED_FIELD_WORDS } from './logger.js';
export type { Logger, LoggerOptions, LogFields, LogLevel } from './logger.js';
