/**
 * The subset of mediasoup's server API that the signalling side drives. `@alcove/sfu` implements
 * it, the real `mediasoup` package implements it, and tests use `FakeMediaEngine`
 * (`@alcove/server/testing`). The server talks only to this interface (ARCHITECTURE §3).
 * @packageDocumentation
 */
import type { DtlsParameters, IceCandidate, IceParameters, MediaKind } from '@alcove/protocol';

/**
 * Codec or header-extension parameters as engines give them (mediasoup types them as
 * `Record<string, unknown>`); the server copies them into the wire shape (`sanitize.ts`).
 */
export type EngineParameters = Readonly<Record<string, unknown>>;

/** A codec of RTP parameters, as engines take and give it (mediasoup's `RtpCodecParameters`). */
export interface EngineRtpCodecParameters {
  readonly mimeType: string;
  readonly payloadType: number;
  readonly clockRate: number;
  readonly channels?: number | undefined;
  readonly parameters?: EngineParameters | undefined;
  readonly rtcpFeedback?: readonly { readonly type: string; readonly parameter?: string | undefined }[] | undefined;
}

/**
 * RTP parameters as engines take and give them (mediasoup's `RtpParameters`): the wire's
 * `RtpParameters` (validated by the server) is one, and so are mediasoup's and `@alcove/sfu`'s.
 */
export interface EngineRtpParameters {
  readonly mid?: string | undefined;
  readonly codecs: readonly EngineRtpCodecParameters[];
  readonly headerExtensions?:
    | readonly {
        readonly uri: string;
        readonly id: number;
        readonly encrypt?: boolean | undefined;
        readonly parameters?: EngineParameters | undefined;
      }[]
    | undefined;
  readonly encodings?: readonly EngineParameters[] | undefined;
  readonly rtcp?:
    | { readonly cname?: string | undefined; readonly reducedSize?: boolean | undefined; readonly mux?: boolean | undefined }
    | undefined;
  readonly msid?: string | undefined;
}

/** RTP capabilities as engines take and give them (mediasoup's `RtpCapabilities`). */
export interface EngineRtpCapabilities {
  readonly codecs?:
    | readonly {
        readonly kind: MediaKind;
        readonly mimeType: string;
        readonly preferredPayloadType?: number | undefined;
        readonly clockRate: number;
        readonly channels?: number | undefined;
        readonly parameters?: EngineParameters | undefined;
        readonly rtcpFeedback?: readonly { readonly type: string; readonly parameter?: string | undefined }[] | undefined;
      }[]
    | undefined;
  readonly headerExtensions?:
    | readonly {
        readonly kind: MediaKind;
        readonly uri: string;
        readonly preferredId: number;
        readonly preferredEncrypt?: boolean | undefined;
        readonly direction?: string | undefined;
      }[]
    | undefined;
}

/** A codec the router is created with (mediasoup `RtpCodecCapability` without payload type). */
export interface EngineCodecCapability {
  kind: MediaKind;
  mimeType: string;
  clockRate: number;
  channels?: number;
  parameters?: Record<string, string | number | boolean>;
  rtcpFeedback?: { type: string; parameter?: string }[];
  preferredPayloadType?: number;
}

/** Minimal event-emitter surface shared by engine objects. */
export interface EngineEmitter {
  // biome-ignore lint/suspicious/noExplicitAny: listeners of mediasoup-shaped emitters take event-specific arguments
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/** Options of `createWebRtcTransport`, in mediasoup's shape. */
export interface EngineWebRtcTransportOptions {
  listenInfos: { protocol: 'udp' | 'tcp'; ip: string; announcedAddress?: string }[];
  readonly enableUdp?: boolean;
  readonly enableTcp?: boolean;
  readonly preferUdp?: boolean;
  readonly initialAvailableOutgoingBitrate?: number;
  readonly enableSctp?: boolean;
  readonly appData?: Record<string, unknown>;
}

/** A producer in the engine. */
export interface EngineProducer extends EngineEmitter {
  readonly id: string;
  readonly kind: MediaKind;
  readonly paused: boolean;
  readonly closed: boolean;
  pause(): Promise<void>;
  resume(): Promise<void>;
  /**
   * mediasoup's `inbound-rtp` stats, one entry per stream: `packetCount`, `byteCount`,
   * `packetsLost`, `jitter` (RTP timestamp units) among others.
   */
  getStats(): Promise<readonly Record<string, unknown>[]>;
  close(): void;
}

/** A consumer in the engine. */
export interface EngineConsumer extends EngineEmitter {
  readonly id: string;
  readonly producerId: string;
  readonly kind: MediaKind;
  readonly rtpParameters: EngineRtpParameters;
  readonly paused: boolean;
  readonly producerPaused: boolean;
  readonly closed: boolean;
  pause(): Promise<void>;
  resume(): Promise<void>;
  setPreferredLayers(layers: { spatialLayer: number; temporalLayer?: number }): Promise<void>;
  requestKeyFrame(): Promise<void>;
  close(): void;
}

/** A WebRTC transport in the engine. */
export interface EngineWebRtcTransport extends EngineEmitter {
  readonly id: string;
  readonly iceParameters: IceParameters;
  readonly iceCandidates: readonly IceCandidate[];
  readonly dtlsParameters: DtlsParameters;
  readonly closed: boolean;
  connect(params: { dtlsParameters: DtlsParameters }): Promise<void>;
  restartIce(): Promise<IceParameters>;
  produce(options: {
    kind: MediaKind;
    rtpParameters: EngineRtpParameters;
    paused?: boolean;
    appData?: Record<string, unknown>;
    /**
     * `@alcove/sfu` only: check every frame's E2EE trailer and emit `e2eetrailermissing` on the
     * producer at the first frame without one (it then forwards nothing). Other engines (the real
     * `mediasoup`) ignore the option, so with them the server cannot refuse plaintext media.
     */
    e2eeTrailerCheck?: { readonly versions: readonly number[]; readonly prefixLengths: readonly number[] };
  }): Promise<EngineProducer>;
  consume(options: {
    producerId: string;
    rtpCapabilities: EngineRtpCapabilities;
    paused?: boolean;
    appData?: Record<string, unknown>;
  }): Promise<EngineConsumer>;
  getStats(): Promise<readonly Record<string, unknown>[]>;
  close(): void;
}

/** A router in the engine: one per session. */
export interface EngineRouter extends EngineEmitter {
  readonly id: string;
  readonly rtpCapabilities: EngineRtpCapabilities;
  readonly closed: boolean;
  canConsume(options: { producerId: string; rtpCapabilities: EngineRtpCapabilities }): boolean;
  createWebRtcTransport(options: EngineWebRtcTransportOptions): Promise<EngineWebRtcTransport>;
  close(): void;
}

/** A worker in the engine. */
export interface EngineWorker extends EngineEmitter {
  readonly closed: boolean;
  createRouter(options: { mediaCodecs: EngineCodecCapability[]; appData?: Record<string, unknown> }): Promise<EngineRouter>;
  close(): void;
}

/** Least severe engine records written, as mediasoup's `WorkerLogLevel`. */
export type EngineLogLevel = 'debug' | 'warn' | 'error' | 'none';

/**
 * Where the engine's records go: `@alcove/sfu`'s `WorkerSettings.logger` (the server's `Logger`
 * has this shape). An engine without such a setting (the real `mediasoup`) ignores it.
 */
export interface EngineLogSink {
  debug(event: string, fields?: Readonly<Record<string, string | number | boolean | undefined>>): void;
  warn(event: string, fields?: Readonly<Record<string, string | number | boolean | undefined>>): void;
  error(event: string, fields?: Readonly<Record<string, string | number | boolean | undefined>>): void;
}

/** Options the server passes to {@link CreateEngineWorker}. */
export interface EngineWorkerOptions {
  readonly rtcMinPort?: number;
  readonly rtcMaxPort?: number;
  readonly listenIp?: string;
  /** Mapped from the server's level: `debug` → `debug`, `info`/`warn` → `warn`, `error` → `error`, `silent` → `none`. */
  readonly logLevel?: EngineLogLevel;
  /** The server's logger, as a child with `component: 'sfu'`. */
  readonly logger?: EngineLogSink;
}

/** Creates a worker (`mediasoup.createWorker` shape, reduced to what the server passes). */
export type CreateEngineWorker = (options?: EngineWorkerOptions) => Promise<EngineWorker>;
