/**
 * Messages between a `Worker` proxy (main thread) and its engine thread.
 * @internal
 */
import type { SfuLogRecord, WorkerLogLevel, WorkerLogTag } from '../common/logger.js';
import type { ConsumerLayers, ConsumerScore } from '../consumer/consumer.js';
import type { DropCounters } from '../engine/context.js';
import type { ProducerType } from '../producer/producer.js';
import type { TransportFaultOptions } from '../transport/transport.js';
import type { WebRtcTransportData } from '../transport/webrtc-transport.js';
import type { DtlsParameters, DtlsRole, IceParameters, MediaKind, RtpMapping, RtpParameters, SrtpCryptoSuite } from '../types/index.js';

/** One request method: what the main thread sends (`data`) and what the engine answers (`result`). */
interface Method<Data, Result> {
  readonly data: Data;
  readonly result: Result;
}

/** Stats entries as the engine builds them (mediasoup's field names). */
export type StatsEntries = Record<string, unknown>[];

/** `worker.dump()`. */
export interface WorkerDumpData {
  routerIds: string[];
  transportIds: string[];
  udp: { ip: string; port: number; datagramsReceived: number; datagramsSent: number };
  /** The ICE-TCP listening port (absent when it could not be bound). */
  tcp?: { ip: string; port: number; connections: number; connectionsAccepted: number; framesReceived: number };
  drops: DropCounters;
  droppedTotal: number;
}

/** `router.createWebRtcTransport` (the options the API layer has already checked and resolved). */
export interface CreateWebRtcTransportData {
  transportId: string;
  announcedAddress: string | undefined;
  tcpAnnouncedAddress: string | undefined;
  enableUdp: boolean;
  enableTcp: boolean;
  preferTcp: boolean;
  iceConsentTimeout: number;
  srtpCryptoSuites: SrtpCryptoSuite[] | undefined;
}

/** `transport.produce`. */
export interface ProduceData {
  producerId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  rtpMapping: RtpMapping;
  consumableRtpParameters: RtpParameters;
  paused: boolean;
  e2eeTrailerCheck?: { readonly versions: readonly number[]; readonly prefixLengths: readonly number[] };
}

/** `transport.consume`. */
export interface ConsumeData {
  consumerId: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  paused: boolean;
  preferredLayers: ConsumerLayers | undefined;
}

/** `transport.consume`'s answer. */
export interface ConsumeResult {
  paused: boolean;
  producerPaused: boolean;
  score: ConsumerScore;
  preferredLayers: ConsumerLayers | undefined;
}

/**
 * Every request the API layer sends to its engine thread: the one method map both ends are typed
 * by (`Channel.request()` on the main thread, the engine's handler table in its thread).
 */
export interface ChannelMethods {
  'worker.dump': Method<undefined, WorkerDumpData>;
  'worker.getResourceUsage': Method<undefined, { ru_utime: number; ru_stime: number; ru_maxrss: number }>;
  'worker.close': Method<undefined, undefined>;
  /** Answered by the thread entry (log settings live there). */
  'worker.updateSettings': Method<{ logLevel?: WorkerLogLevel; logTags?: WorkerLogTag[] }, undefined>;
  /** Test hook, answered by the thread entry (it throws). */
  'worker.__crash': Method<undefined, undefined>;
  'worker.createRouter': Method<{ routerId: string }, undefined>;
  'router.close': Method<undefined, undefined>;
  'router.createWebRtcTransport': Method<CreateWebRtcTransportData, WebRtcTransportData>;
  'router.createDirectTransport': Method<{ transportId: string }, undefined>;
  'transport.close': Method<undefined, undefined>;
  'transport.connect': Method<{ dtlsParameters: DtlsParameters }, { dtlsLocalRole: DtlsRole }>;
  'transport.restartIce': Method<undefined, { iceParameters: IceParameters }>;
  'transport.setMaxIncomingBitrate': Method<{ bitrate: number }, undefined>;
  'transport.getStats': Method<undefined, StatsEntries>;
  'transport.dump': Method<undefined, Record<string, unknown>>;
  'transport.produce': Method<ProduceData, { type: ProducerType }>;
  'transport.consume': Method<ConsumeData, ConsumeResult>;
  'transport.setFaults': Method<TransportFaultOptions, Required<TransportFaultOptions>>;
  'transport.simulateDisconnect': Method<undefined, undefined>;
  'producer.close': Method<undefined, undefined>;
  'producer.pause': Method<undefined, undefined>;
  'producer.resume': Method<undefined, undefined>;
  'producer.getStats': Method<undefined, StatsEntries>;
  'producer.dump': Method<undefined, Record<string, unknown>>;
  'router.createAudioLevelObserver': Method<{ rtpObserverId: string; maxEntries: number; threshold: number; interval: number }, undefined>;
  'router.createActiveSpeakerObserver': Method<{ rtpObserverId: string; interval: number }, undefined>;
  'rtpObserver.close': Method<undefined, undefined>;
  'rtpObserver.pause': Method<undefined, undefined>;
  'rtpObserver.resume': Method<undefined, undefined>;
  'rtpObserver.addProducer': Method<{ producerId: string }, undefined>;
  'rtpObserver.removeProducer': Method<{ producerId: string }, undefined>;
  'consumer.close': Method<undefined, undefined>;
  'consumer.pause': Method<undefined, undefined>;
  'consumer.resume': Method<undefined, undefined>;
  'consumer.requestKeyFrame': Method<undefined, undefined>;
  'consumer.setPreferredLayers': Method<ConsumerLayers, ConsumerLayers | undefined>;
  'consumer.getStats': Method<undefined, StatsEntries>;
  'consumer.dump': Method<undefined, Record<string, unknown>>;
}

/** A request method name. */
export type ChannelMethod = keyof ChannelMethods;
/** The data a method takes. */
export type MethodData<M extends ChannelMethod> = ChannelMethods[M]['data'];
/** The answer a method resolves with. */
export type MethodResult<M extends ChannelMethod> = ChannelMethods[M]['result'];

/** Fire-and-forget messages (no answer): packets injected on DirectTransports. */
export interface ChannelNotifications {
  'producer.send': { packet: Uint8Array };
  'transport.sendRtcp': { packet: Uint8Array };
}
/** A notification name. */
export type NotificationMethod = keyof ChannelNotifications;

/** A request from the main thread; answered by a {@link ChannelResponse} with the same id. */
export interface ChannelRequest<M extends ChannelMethod = ChannelMethod> {
  readonly kind: 'req';
  readonly id: number;
  readonly method: M;
  /** Target object id (router, transport, producer, consumer), when any. */
  readonly handlerId?: string;
  readonly data?: MethodData<M>;
}

/** A fire-and-forget message from the main thread (e.g. a DirectTransport producer's `send`). */
export interface ChannelNotification<N extends NotificationMethod = NotificationMethod> {
  readonly kind: 'notif';
  readonly method: N;
  readonly handlerId: string;
  readonly data: ChannelNotifications[N];
}

/** The engine's answer to a request. */
export interface ChannelResponse {
  readonly kind: 'res';
  readonly id: number;
  readonly ok: boolean;
  /** The method's {@link MethodResult}; the channel resolves the request it answers with it. */
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
