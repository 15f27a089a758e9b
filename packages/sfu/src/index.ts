/**
 * @alcove/sfu: a pure-TypeScript SFU engine whose API follows mediasoup's server API
 * (`createWorker` → `Worker.createRouter` → `Router.createWebRtcTransport` /
 * `createDirectTransport` → `Transport.produce` / `consume`).
 * @packageDocumentation
 * @module @alcove/sfu
 */
export { createWorker, Worker } from './worker/worker.js';
export type {
  WorkerSettings,
  WorkerEvents,
  WorkerObserverEvents,
  WorkerResourceUsage,
  RouterOptions,
  DropCounters,
} from './worker/worker.js';
export { WORKER_LOG_LEVELS, WORKER_LOG_TAGS } from './common/logger.js';
export type { SfuLogSink, SfuLogFields, WorkerLogLevel, WorkerLogTag } from './common/logger.js';
export { Router } from './router/router.js';
export type { PipeToRouterOptions, PipeToRouterResult } from './router/router.js';
export { Transport } from './transport/transport.js';
export { WebRtcTransport } from './transport/webrtc-transport.js';
export { DirectTransport } from './transport/direct-transport.js';
export { Producer } from './producer/producer.js';
export { Consumer } from './consumer/consumer.js';
export { RtpObserver } from './rtp-observer/rtp-observer.js';
export { WebRtcServer } from './webrtc-server/webrtc-server.js';
export { AudioLevelObserver } from './rtp-observer/audio-level-observer.js';
export { ActiveSpeakerObserver } from './rtp-observer/active-speaker-observer.js';
export { InvalidStateError, UnsupportedError, SfuError } from './errors.js';
// The base of every emitting class: documented, so their `on`/`off`/`once` are too (mediasoup exports it as well).
export { EnhancedEventEmitter } from './common/enhanced-event-emitter.js';
export type { EventMap } from './common/enhanced-event-emitter.js';
export * as types from './public-types.js';
export * as errors from './errors.js';
export type * from './public-types.js';

import { supportedRtpCapabilities } from './ortc/index.js';
import type { RtpCapabilities } from './types/index.js';

/** The codecs and header extensions the engine supports (mediasoup's `getSupportedRtpCapabilities`). */
export function getSupportedRtpCapabilities(): RtpCapabilities {
  return structuredClone(supportedRtpCapabilities);
}

/** Package version. */
export const version = '0.0.0';
