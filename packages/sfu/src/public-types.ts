/**
 * Everything mediasoup exposes under `types`: parameter shapes, classes and error classes.
 * @packageDocumentation
 */
export type * from './types/index.js';
export type { AppData } from './common/app-data.js';
export type { EnhancedEventEmitter, EventMap } from './common/enhanced-event-emitter.js';
export type { SfuLogSink, SfuLogFields, WorkerLogLevel, WorkerLogTag } from './common/logger.js';
export type { Worker, WorkerSettings, WorkerEvents, WorkerObserverEvents, WorkerResourceUsage, RouterOptions } from './worker/worker.js';
export type { Router, RouterEvents, RouterObserverEvents, PipeToRouterOptions, PipeToRouterResult } from './router/router.js';
export type { Transport, TransportEvents, TransportObserverEvents, TransportFaultOptions } from './transport/transport.js';
export type {
  WebRtcTransport,
  WebRtcTransportOptions,
  WebRtcTransportEvents,
  WebRtcTransportObserverEvents,
  WebRtcTransportTesting,
  TransportListenInfo,
} from './transport/webrtc-transport.js';
export type {
  DirectTransport,
  DirectTransportOptions,
  DirectTransportEvents,
  DirectTransportObserverEvents,
} from './transport/direct-transport.js';
export type {
  E2eeTrailerMissing,
  Producer,
  ProducerOptions,
  ProducerEvents,
  ProducerObserverEvents,
  ProducerScore,
  ProducerType,
} from './producer/producer.js';
export type {
  Consumer,
  ConsumerOptions,
  ConsumerEvents,
  ConsumerObserverEvents,
  ConsumerScore,
  ConsumerLayers,
  ConsumerType,
} from './consumer/consumer.js';
export type {
  WebRtcServer,
  WebRtcServerOptions,
  WebRtcServerEvents,
  WebRtcServerObserverEvents,
} from './webrtc-server/webrtc-server.js';
export type {
  RtpObserver,
  RtpObserverEvents,
  RtpObserverObserverEvents,
  RtpObserverAddRemoveProducerOptions,
} from './rtp-observer/rtp-observer.js';
export type {
  AudioLevelObserver,
  AudioLevelObserverOptions,
  AudioLevelObserverVolume,
  AudioLevelObserverEvents,
  AudioLevelObserverObserverEvents,
} from './rtp-observer/audio-level-observer.js';
export type {
  ActiveSpeakerObserver,
  ActiveSpeakerObserverOptions,
  ActiveSpeakerObserverDominantSpeaker,
  ActiveSpeakerObserverEvents,
  ActiveSpeakerObserverObserverEvents,
} from './rtp-observer/active-speaker-observer.js';
export { InvalidStateError, UnsupportedError, SfuError } from './errors.js';
export type { SfuErrorCode } from './errors.js';
