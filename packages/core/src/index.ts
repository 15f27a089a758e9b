/**
 * `@alcove/core`: the browser session library of Alcove — signalling, admission, media through
 * mediasoup-client, chat with exactly-once delivery, host controls and tiered reconnect.
 * @packageDocumentation
 * @module @alcove/core
 */
export { Session } from './session/session.js';
export type { SessionOptions, E2eeMode, EmergencyInfo, FallbackPlan, RemoteParticipant, ReconnectInfo } from './session/types.js';
export type { SessionEvents, ChecklistSubmittedInfo, FailedInfo, LeaveReason } from './session/events.js';
// The checklist itself is the `@alcove/core/checklist` entry; these are the types Session exposes.
export type { ChecklistSupport, ChosenDevices } from './session/checklist-plugin.js';
export type { SealedSummary } from './checklist/summary.js';
export type { ConnectionType, DeviceType, FallbackPlanKind, PhoneNumber } from './checklist/types.js';
export type { NetworkQuality, RecommendedMode } from './checklist/network-test.js';
export { SESSION_STATES, SESSION_TRANSITIONS } from './session/state-machine.js';
export type { SessionState, StateChange, StateChangeReason } from './session/state-machine.js';
export {
  AlcoveError,
  ConnectionError,
  MediaDeviceError,
  SignalingError,
  InvalidStateError,
  UnsupportedError,
  CORE_ERROR_CODES,
  isTerminalCode,
} from './session/errors.js';
export type {
  AlcoveErrorCode,
  CoreErrorCode,
  AlcoveErrorOptions,
  ConnectionErrorCode,
  MediaDeviceErrorCode,
  SignalingErrorCode,
  UnsupportedErrorCode,
} from './session/errors.js';
export { mapMediaError } from './media/dom-errors.js';
export { attach, setAudioOutput, supportsAudioOutputSelection } from './media/attach.js';
export type { AttachOptions } from './media/attach.js';
export { classifyQuality, QUALITY_THRESHOLDS } from './media/quality.js';
export type { QualityLevel, QualityReason, QualityReport, QualitySample } from './media/quality.js';
export type { LocalTrack, RemoteTrack, MediaHooks, MediaHookInfo, PublishDefaults, SimulcastLayer } from './media/types.js';
export { DefaultReconnectPolicy, RECONNECT_TIERS } from './reconnect/reconnect-policy.js';
export type {
  ReconnectPolicy,
  ReconnectContext,
  ReconnectTier,
  DisconnectCause,
  DefaultReconnectPolicyOptions,
} from './reconnect/reconnect-policy.js';
// Sealed chat itself is the `@alcove/core/chat` entry (`chatSupport()`); these are the types Session exposes.
export type { ChatMessage, SendChatOptions } from './chat/types.js';
export type { ChatSupport } from './session/chat-plugin.js';
export { createBrowserPlatform } from './platform/browser-platform.js';
export type { BrowserPlatformOptions } from './platform/browser-platform.js';
export { createLogger, silentLogger, LOG_LEVELS, REDACTED_LOG_FIELDS } from './platform/logger.js';
export type { Logger, LoggerOptions, LogFields, LogLevel, LogRecord, LogRecordLevel, LogSink } from './platform/logger.js';
export type { Platform, PlatformCapabilities, PlatformTimers, MediaDevicesLike, WebSocketLike } from './platform/platform.js';
export type { SignalingOptions } from './signaling/signaling-client.js';
// End-to-end encryption (the worker itself is the `@alcove/core/e2ee-worker` entry).
export { e2eeTransformPath } from './e2ee/e2ee-controller.js';
export type { E2eeTransformPath, SasInfo, WorkerLike } from './e2ee/e2ee-controller.js';
export type { TransformStats as E2eeTransformStats } from './e2ee/worker/messages.js';
export { IndexedDbIdentityStore, KeyValueIdentityStore, MemoryIdentityStore, IDENTITY_DB_NAME } from './e2ee/identity-store.js';
export type { IdentityKeyPair, IdentityStore, IndexedDbScope, VerifiedPeer } from './e2ee/identity-store.js';
export type { KeyValueStorage } from './platform/platform.js';
export type { E2eeIdentityChange, E2eePeerState, E2eeState } from './e2ee/e2ee-state.js';
