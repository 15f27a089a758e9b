import { randomUUID } from 'node:crypto';
import type { AppData } from '../common/app-data.js';
import { EnhancedEventEmitter } from '../common/enhanced-event-emitter.js';
import { InvalidStateError, UnsupportedError } from '../errors.js';
import { canConsume, validateRtpCapabilities } from '../ortc/index.js';
import type { Consumer } from '../consumer/consumer.js';
import { ActiveSpeakerObserver, type ActiveSpeakerObserverOptions } from '../rtp-observer/active-speaker-observer.js';
import { AudioLevelObserver, type AudioLevelObserverOptions } from '../rtp-observer/audio-level-observer.js';
import type { RtpObserver } from '../rtp-observer/rtp-observer.js';
import type { Producer } from '../producer/producer.js';
import { DirectTransport, type DirectTransportOptions } from '../transport/direct-transport.js';
import type { Transport } from '../transport/transport.js';
import { checkListenInfos, type WorkerSockets } from '../transport/listen-info.js';
import { WebRtcTransport, type WebRtcTransportOptions } from '../transport/webrtc-transport.js';
import { WebRtcServer } from '../webrtc-server/webrtc-server.js';
import type { RtpCapabilities, RtpParameters } from '../types/index.js';
import type { Channel } from '../worker/channel.js';

/** Options of {@link Router.pipeToRouter} (mediasoup's `PipeToRouterOptions`, producers only). */
export interface PipeToRouterOptions {
  /** The producer of this router to make available in `router`. */
  producerId: string;
  /** The destination router, normally of another worker. */
  router: Router;
  /** Accepted for compatibility (keyframe requests are throttled by the engine). */
  keyFrameRequestDelay?: number;
  /** Data producers cannot be piped (no SCTP in this version). */
  dataProducerId?: string;
}

/** What {@link Router.pipeToRouter} returns (mediasoup's `PipeToRouterResult`). */
export interface PipeToRouterResult {
  /** The consumer of the producer in this router that feeds the pipe. */
  pipeConsumer?: Consumer;
  /** The producer in the destination router, with the same id as the piped one. */
  pipeProducer?: Producer;
}

/** One direction of a pipe between two routers: a tap here, an injector there. */
interface PipePair {
  local: DirectTransport;
  remote: DirectTransport;
}

/** Events of a {@link Router}. */
export type RouterEvents = {
  workerclose: [];
  '@close': [];
};

/** Observer events of a {@link Router}. */
export type RouterObserverEvents = {
  close: [];
  newtransport: [transport: Transport];
  newrtpobserver: [rtpObserver: RtpObserver];
};

/** @internal */
export interface RouterConstructorOptions<RouterAppData extends AppData> {
  id: string;
  rtpCapabilities: RtpCapabilities;
  channel: Channel;
  /** The worker socket's address, which listen infos are checked against. */
  listenAddress?: WorkerSockets;
  appData?: RouterAppData;
}

/**
 * A media room (mediasoup's `Router`): its transports' producers can be consumed by its other
 * transports. Created by `worker.createRouter()`.
 * @example
 * const router = await worker.createRouter({ mediaCodecs });
 * device.load({ routerRtpCapabilities: router.rtpCapabilities }); // on the client
 */
export class Router<RouterAppData extends AppData = AppData> extends EnhancedEventEmitter<RouterEvents> {
  readonly #id: string;
  readonly #rtpCapabilities: RtpCapabilities;
  readonly #channel: Channel;
  readonly #listenAddress: WorkerSockets | undefined;
  #closed = false;
  #appData: RouterAppData;
  readonly #transports = new Map<string, Transport>();
  readonly #producers = new Map<string, Producer>();
  readonly #rtpObservers = new Map<string, RtpObserver>();
  /** Pipes from this router to others, by destination router id. */
  readonly #pipes = new Map<string, Promise<PipePair>>();
  readonly #observer = new EnhancedEventEmitter<RouterObserverEvents>();

  /** @internal */
  constructor(o: RouterConstructorOptions<RouterAppData>) {
    super();
    this.#id = o.id;
    this.#rtpCapabilities = o.rtpCapabilities;
    this.#channel = o.channel;
    this.#listenAddress = o.listenAddress;
    this.#appData = o.appData ?? ({} as RouterAppData);
  }

  /** Router id. */
  get id(): string {
    return this.#id;
  }
  /** Whether the router is closed. */
  get closed(): boolean {
    return this.#closed;
  }
  /** RTP capabilities to give clients (`device.load({ routerRtpCapabilities })`). */
  get rtpCapabilities(): RtpCapabilities {
    return this.#rtpCapabilities;
  }
  /** Application data. */
  get appData(): RouterAppData {
    return this.#appData;
  }
  set appData(v: RouterAppData) {
    this.#appData = v;
  }
  /** Observer (`close`, `newtransport`). */
  get observer(): EnhancedEventEmitter<RouterObserverEvents> {
    return this.#observer;
  }

  /** Closes the router and its transports. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channel.requestQuietly('router.close', this.#id);
    this.#closeChildren();
    this.emit('@close');
    this.#observer.safeEmit('close');
  }

  /** @internal The worker closed or died. */
  workerClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeChildren();
    this.safeEmit('workerclose');
    this.#observer.safeEmit('close');
  }

  #closeChildren(): void {
    for (const o of this.#rtpObservers.values()) o.routerClosed();
    this.#rtpObservers.clear();
    for (const t of this.#transports.values()) t.routerClosed();
    this.#transports.clear();
    this.#producers.clear();
  }

  /** Engine-side state. */
  async dump(): Promise<unknown> {
    this.#assertOpen();
    return { id: this.#id, transportIds: [...this.#transports.keys()], producerIds: [...this.#producers.keys()] };
  }

  /**
   * Creates a WebRtcTransport on the worker's UDP port and, with `enableTcp` (or a `tcp` listen
   * info), its ICE-TCP port.
   * @throws {UnsupportedError} for SCTP, or TCP when the worker has no TCP port; {@link InvalidStateError} if closed.
   */
  async createWebRtcTransport<T extends AppData = AppData>(options: WebRtcTransportOptions<T> = {}): Promise<WebRtcTransport<T>> {
    this.#assertOpen();
    const server = options.webRtcServer;
    if (server !== undefined) {
      // As mediasoup: a WebRtcServer of this router's worker instead of listen infos.
      if (!(server instanceof WebRtcServer)) throw new TypeError('webRtcServer must be a WebRtcServer');
      if (options.listenInfos !== undefined || options.listenIps !== undefined)
        throw new TypeError('only one of webRtcServer, listenInfos and listenIps must be given');
      if (!server.belongsTo(this.#channel)) throw new TypeError("webRtcServer belongs to another worker than the router's");
      if (server.closed) throw new InvalidStateError('WebRtcServer closed');
      const { webRtcServer: _server, ...rest } = options;
      const transport = await this.createWebRtcTransport<T>({ ...rest, listenInfos: server.listenInfos });
      if (server.closed) transport.listenServerClosed();
      else server.handleTransport(transport as unknown as WebRtcTransport);
      return transport;
    }
    const { enableSctp = false, appData } = options;
    if (enableSctp) throw new UnsupportedError('SCTP is not supported');
    if (appData !== undefined && (typeof appData !== 'object' || appData === null))
      throw new TypeError('if given, appData must be an object');
    if (options.iceConsentTimeout !== undefined && !(options.iceConsentTimeout >= 0)) throw new TypeError('iceConsentTimeout must be >= 0');
    // Listen infos are honoured (they match the worker's socket) or refused, never ignored.
    checkListenInfos(options.listenInfos, options.listenIps, this.#listenAddress);
    // As mediasoup: listenInfos name the protocols (the first one preferred unless preferUdp/preferTcp
    // say otherwise); without them, enableUdp (default true) and enableTcp (default false) do.
    const infos = options.listenInfos;
    if (infos && infos.length === 0) throw new TypeError('listenInfos must not be empty');
    const udpInfo = infos?.find((l) => l.protocol === 'udp');
    const tcpInfo = infos?.find((l) => l.protocol === 'tcp');
    const enableUdp = infos ? !!udpInfo : (options.enableUdp ?? true);
    const enableTcp = infos ? !!tcpInfo : (options.enableTcp ?? false);
    if (!enableUdp && !enableTcp) throw new TypeError('at least one of UDP and TCP must be enabled');
    const preferTcp = enableTcp && (options.preferTcp ?? (!options.preferUdp && (!enableUdp || infos?.[0]?.protocol === 'tcp')));
    const legacy = options.listenIps?.[0];
    const legacyAnnounced = typeof legacy === 'object' ? (legacy.announcedAddress ?? legacy.announcedIp) : undefined;
    const announcedAddress = udpInfo?.announcedAddress ?? udpInfo?.announcedIp ?? (infos ? undefined : legacyAnnounced);
    const tcpAnnouncedAddress = tcpInfo?.announcedAddress ?? tcpInfo?.announcedIp ?? (infos ? undefined : legacyAnnounced);
    const id = randomUUID();
    const data = await this.#channel.request('router.createWebRtcTransport', this.#id, {
      transportId: id,
      announcedAddress,
      tcpAnnouncedAddress,
      enableUdp,
      enableTcp,
      preferTcp,
      iceConsentTimeout: options.iceConsentTimeout ?? 30,
      srtpCryptoSuites: options.srtpCryptoSuites,
    });
    const transport = new WebRtcTransport<T>(
      { id, channel: this.#channel, router: this.#link(), direct: false, ...(appData ? { appData } : {}) },
      data,
    );
    this.#addTransport(transport as unknown as Transport);
    return transport;
  }

  /** Creates a DirectTransport (server-side RTP taps and injection). */
  async createDirectTransport<T extends AppData = AppData>(options: DirectTransportOptions<T> = {}): Promise<DirectTransport<T>> {
    this.#assertOpen();
    const { appData } = options;
    if (appData !== undefined && (typeof appData !== 'object' || appData === null))
      throw new TypeError('if given, appData must be an object');
    const id = randomUUID();
    await this.#channel.request('router.createDirectTransport', this.#id, { transportId: id });
    const transport = new DirectTransport<T>({
      id,
      channel: this.#channel,
      router: this.#link(),
      direct: true,
      ...(appData ? { appData } : {}),
    });
    this.#addTransport(transport as unknown as Transport);
    return transport;
  }

  /**
   * Creates an {@link AudioLevelObserver}: the loudest of its audio producers every `interval`.
   * @throws `TypeError` for a `maxEntries` below 1, a `threshold` outside -127..0 or an
   *   `interval` below 1, as mediasoup; {@link InvalidStateError} if closed.
   */
  async createAudioLevelObserver<T extends AppData = AppData>(options: AudioLevelObserverOptions<T> = {}): Promise<AudioLevelObserver<T>> {
    this.#assertOpen();
    const { maxEntries = 1, threshold = -80, interval = 1000, appData } = options;
    if (typeof maxEntries !== 'number' || !Number.isInteger(maxEntries) || maxEntries < 1)
      throw new TypeError('if given, maxEntries must be a positive integer');
    if (typeof threshold !== 'number' || !(threshold >= -127 && threshold <= 0))
      throw new TypeError('if given, threshold must be a number in -127..0 (dBov)');
    if (typeof interval !== 'number' || !(interval >= 1)) throw new TypeError('if given, interval must be a number of ms >= 1');
    if (appData !== undefined && (typeof appData !== 'object' || appData === null))
      throw new TypeError('if given, appData must be an object');
    const id = randomUUID();
    await this.#channel.request('router.createAudioLevelObserver', this.#id, { rtpObserverId: id, maxEntries, threshold, interval });
    const o = new AudioLevelObserver<T>({
      id,
      channel: this.#channel,
      getProducerById: (p) => this.#producers.get(p),
      ...(appData ? { appData } : {}),
    });
    this.#addRtpObserver(o as unknown as RtpObserver);
    return o;
  }

  /**
   * Creates an {@link ActiveSpeakerObserver}: `dominantspeaker` when the main speaker changes.
   * @throws `TypeError` for an `interval` below 1; {@link InvalidStateError} if closed.
   */
  async createActiveSpeakerObserver<T extends AppData = AppData>(
    options: ActiveSpeakerObserverOptions<T> = {},
  ): Promise<ActiveSpeakerObserver<T>> {
    this.#assertOpen();
    const { interval = 300, appData } = options;
    if (typeof interval !== 'number' || !(interval >= 1)) throw new TypeError('if given, interval must be a number of ms >= 1');
    if (appData !== undefined && (typeof appData !== 'object' || appData === null))
      throw new TypeError('if given, appData must be an object');
    const id = randomUUID();
    await this.#channel.request('router.createActiveSpeakerObserver', this.#id, { rtpObserverId: id, interval });
    const o = new ActiveSpeakerObserver<T>({
      id,
      channel: this.#channel,
      getProducerById: (p) => this.#producers.get(p),
      ...(appData ? { appData } : {}),
    });
    this.#addRtpObserver(o as unknown as RtpObserver);
    return o;
  }

  #addRtpObserver(o: RtpObserver): void {
    this.#rtpObservers.set(o.id, o);
    o.on('@close', () => this.#rtpObservers.delete(o.id));
    this.#observer.safeEmit('newrtpobserver', o);
  }

  /**
   * Makes a producer of this router available in another router, normally of another worker, so
   * a session can span workers (mediasoup's `pipeToRouter`). The pipe producer in `router` has the
   * same id; it is paused, resumed and closed with the original. Media, and RTCP both ways
   * (keyframe requests, NACKs, sender reports), cross between the two engine threads through this
   * thread; a simulcast producer is piped as its highest layer.
   * @example
   * const { pipeProducer } = await routerA.pipeToRouter({ producerId, router: routerB });
   * await transportOnB.consume({ producerId, rtpCapabilities }); // as for any producer of B
   * @throws `TypeError` on missing or bad arguments or an unknown producer;
   *   {@link UnsupportedError} for data producers or two routers of one worker.
   */
  async pipeToRouter({ producerId, dataProducerId, router }: PipeToRouterOptions): Promise<PipeToRouterResult> {
    this.#assertOpen();
    if (dataProducerId !== undefined) throw new UnsupportedError('data producers cannot be piped (no SCTP in this version)');
    if (typeof producerId !== 'string' || !producerId) throw new TypeError('missing producerId');
    if (!(router instanceof Router)) throw new TypeError('missing router');
    if (router === this) throw new TypeError('cannot use this Router as destination');
    if (router.closed) throw new InvalidStateError('destination Router closed');
    if (router.#channel === this.#channel) {
      throw new UnsupportedError('pipeToRouter() between two routers of one worker is not supported: create the transports in one router');
    }
    const producer = this.#producers.get(producerId);
    if (!producer) throw new TypeError(`Producer with id "${producerId}" not found`);
    if (router.#producers.has(producerId)) throw new InvalidStateError(`Producer "${producerId}" is already piped to that router`);
    const pair = await this.#pipeTo(router);
    const pipeConsumer = await pair.local.consume({ producerId, appData: { pipe: true } });
    let pipeProducer: Producer;
    try {
      pipeProducer = await pair.remote.produce({
        id: producerId,
        kind: producer.kind,
        rtpParameters: pipeRtpParameters(pipeConsumer.rtpParameters),
        paused: pipeConsumer.producerPaused,
        appData: { ...producer.appData },
      });
    } catch (e) {
      pipeConsumer.close();
      throw e;
    }
    pipeConsumer.on('rtp', (packet) => {
      if (!pipeProducer.closed) pipeProducer.send(packet);
    });
    pipeConsumer.observer.on('close', () => pipeProducer.close());
    pipeProducer.observer.on('close', () => pipeConsumer.close());
    const follow = (paused: boolean): void => {
      if (pipeProducer.closed) return;
      (paused ? pipeProducer.pause() : pipeProducer.resume()).catch(() => undefined);
    };
    pipeConsumer.on('producerpause', () => follow(true));
    pipeConsumer.on('producerresume', () => follow(false));
    return { pipeConsumer, pipeProducer };
  }

  /** The (cached) DirectTransport pair towards `router`, relaying RTCP both ways. */
  #pipeTo(router: Router): Promise<PipePair> {
    let pair = this.#pipes.get(router.id);
    if (!pair) {
      pair = (async () => {
        const local = await this.createDirectTransport({ appData: { pipeTo: router.id } });
        let remote: DirectTransport;
        try {
          remote = await router.createDirectTransport({ appData: { pipeFrom: this.#id } });
        } catch (e) {
          local.close();
          throw e;
        }
        // RTCP the engine sends "to the remote" of one side is what the other side's remote sent.
        remote.on('rtcp', (packet) => {
          if (!local.closed) local.sendRtcp(packet);
        });
        local.on('rtcp', (packet) => {
          if (!remote.closed) remote.sendRtcp(packet);
        });
        const drop = (): void => {
          this.#pipes.delete(router.id);
          local.close();
          remote.close();
        };
        local.observer.on('close', drop);
        remote.observer.on('close', drop);
        return { local, remote };
      })();
      this.#pipes.set(router.id, pair);
      pair.catch(() => this.#pipes.delete(router.id));
    }
    return pair;
  }

  /**
   * Whether a remote with `rtpCapabilities` can consume `producerId`.
   * @throws `TypeError` on malformed capabilities.
   */
  canConsume({ producerId, rtpCapabilities }: { producerId: string; rtpCapabilities: RtpCapabilities }): boolean {
    const producer = this.#producers.get(producerId);
    if (!producer) return false;
    const caps = structuredClone(rtpCapabilities);
    validateRtpCapabilities(caps);
    try {
      return canConsume(producer.consumableRtpParameters, caps);
    } catch {
      return false;
    }
  }

  #link() {
    return {
      routerId: this.#id,
      getRouterRtpCapabilities: () => this.#rtpCapabilities,
      getProducerById: (id: string) => this.#producers.get(id),
    };
  }

  #addTransport(t: Transport): void {
    this.#transports.set(t.id, t);
    t.on('@close', () => this.#transports.delete(t.id));
    t.on('@newproducer', (p) => this.#producers.set(p.id, p));
    t.on('@producerclose', (p) => this.#producers.delete(p.id));
    this.#observer.safeEmit('newtransport', t);
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('Router closed');
  }
}

/** A pipe consumer's RTP parameters as the pipe producer's (no MID: a DirectTransport demuxes by SSRC). */
function pipeRtpParameters(p: RtpParameters): RtpParameters {
  const { mid: _mid, ...rest } = structuredClone(p);
  return rest;
}
