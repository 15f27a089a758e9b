/**
 * Messages between a `Worker` proxy (main thread) and its engine thread.
 * @internal
 */
import type { SfuLogRecord, WorkerLogLevel, WorkerLogTag } from '../common/logger.js';

/** A request from the main thread; answered by a {@link ChannelResponse} with the same id. */
export interface ChannelRequest {
  readonly kind: 'req';
  readonly id: number;
  readonly method: string;
  /** Target object id (router, transport, producer, consumer), when any. */
  readonly handlerId?: string;
  readonly data?: unknown;
}

/** A fire-and-forget message from the main thread (e.g. a DirectTransport producer's `send`). */
export interface ChannelNotification {
  readonly kind: 'notif';
  readonly method: string;
  readonly handlerId: string;
  readonly data?: unknown;
}

/** The engine's answer to a request. */
export interface ChannelResponse {
  readonly kind: 'res';
  readonly id: number;
  readonly ok: boolean;
  readonly data?: unknown;
  readonly error?: { name: string; message: string };
}

/** An event from the engine to one object (by id). */
export interface ChannelEvent {
  readonly kind: 'evt';
  readonly targetId: string;
  readonly event: string;
  readonly data?: unknown;
}

/** Sent once by the engine thread when it is ready. */
export interface ChannelReady {
  readonly kind: 'ready';
}

/** A log record from the engine (already filtered by level and tag, and redacted). */
export interface ChannelLog {
  readonly kind: 'log';
  readonly record: SfuLogRecord;
}

/** Anything the main thread sends. */
export type ToEngine = ChannelRequest | ChannelNotification;
/** Anything the engine sends. */
export type FromEngine = ChannelResponse | ChannelEvent | ChannelReady | ChannelLog;

/** Settings the engine thread starts with (`workerData`). */
export interface EngineSettings {
  /** IP the worker's single UDP socket binds to. */
  readonly listenIp: string;
  /** Lowest and highest port to try; 0/0 means an ephemeral port. */
  readonly rtcMinPort: number;
  readonly rtcMaxPort: number;
  /** Initial log level and tags (`WorkerSettings.logLevel` / `logTags`). */
  readonly logLevel: WorkerLogLevel;
  readonly logTags: readonly WorkerLogTag[];
}
