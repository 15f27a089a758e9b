/**
 * The engine of one worker thread: owns the UDP socket, the DTLS certificate and every router,
 * transport, producer and consumer, and answers the main thread's requests.
 * @internal
 */
import { X509Certificate } from 'node:crypto';
import { CipherContext, HashAlgorithm, NamedCurveAlgorithm, SignatureAlgorithm, type SrtpProfile } from 'werift';
import { describeError, type SfuLogger } from '../common/logger.js';
import type { MediaKind, RtpMapping, RtpParameters } from '../types/index.js';
import type { WebRtcTransportData } from '../transport/webrtc-transport.js';
import type {
  ChannelMethod,
  ChannelNotification,
  ChannelRequest,
  ConsumeData,
  ConsumeResult,
  CreateWebRtcTransportData,
  EngineSettings,
  MethodData,
  MethodResult,
  ProduceData,
  StatsEntries,
  WorkerDumpData,
} from '../worker/channel-messages.js';
import { newDropCounters, totalDrops, type DropCounters, type EmitFn } from './context.js';
import { EngineConsumer } from './consumer.js';
import { EngineDirectTransport } from './direct-transport.js';
import { EngineProducer } from './producer.js';
import { EngineActiveSpeakerObserver, EngineAudioLevelObserver } from './rtp-observer.js';
import type { EngineTransport } from './transport.js';
import { TcpServer } from './tcp-server.js';
import { UdpServer } from './udp-server.js';
import { svcLayersOf } from './svc-layers.js';
import { vp8TemporalLayersOf } from './vp8-temporal.js';
import { EngineWebRtcTransport, type EngineCertificate } from './webrtc-transport.js';

/** Raised inside the engine; its `name` crosses the channel. */
class EngineError extends Error {
  constructor(name: 'InvalidStateError' | 'UnsupportedError' | 'TypeError', message: string) {
    super(message);
    this.name = name;
  }
}

interface EngineRouter {
  id: string;
  transports: Set<EngineTransport>;
}

/** Methods the engine answers (the thread entry answers log settings and the crash hook). */
export type EngineMethod = Exclude<ChannelMethod, 'worker.updateSettings' | 'worker.__crash'>;
/** One handler per method, typed by the method map. */
type EngineHandlers = { [M in EngineMethod]: (id: string, data: MethodData<M>) => MethodResult<M> };

/** SRTP profiles, preferred first (werift: 7 = AEAD_AES_128_GCM, 1 = AES_CM_128_HMAC_SHA1_80). */
const SRTP_PROFILES: Record<string, SrtpProfile> = { AEAD_AES_128_GCM: 7, AES_CM_128_HMAC_SHA1_80: 1 };

/** One worker thread's engine. */
export class Engine {
  readonly drops: DropCounters = newDropCounters();
  private readonly emit: EmitFn;
  /** The worker's root logger (`alcove-sfu`); components log under `alcove-sfu:<component>`. */
  private readonly log: SfuLogger;
  private udp!: UdpServer;
  /** The ICE-TCP listening socket; undefined if no TCP port could be bound (then `enableTcp` fails). */
  private tcp: TcpServer | undefined;
  private cert!: EngineCertificate;
  private readonly routers = new Map<string, EngineRouter>();
  private readonly transports = new Map<string, EngineTransport>();
  private readonly producers = new Map<string, EngineProducer>();
  private readonly consumers = new Map<string, { c: EngineConsumer; t: EngineTransport }>();
  private readonly observers = new Map<string, EngineAudioLevelObserver | EngineActiveSpeakerObserver>();

  constructor(emit: EmitFn, log: SfuLogger) {
    this.emit = emit;
    this.log = log;
  }

  /** Binds the socket and creates the certificate. */
  async start(settings: EngineSettings): Promise<void> {
    this.udp = await UdpServer.bind(settings.listenIp, settings.rtcMinPort, settings.rtcMaxPort, this.drops, this.log.child('udp'));
    try {
      // Same port number as UDP when it is free, so one firewall rule covers both.
      this.tcp = await TcpServer.bind(
        settings.listenIp,
        settings.rtcMinPort,
        settings.rtcMaxPort,
        this.udp.address.port,
        this.drops,
        this.log.child('tcp'),
        (ufrag) => this.udp.endpointForUfrag(ufrag),
      );
    } catch (e) {
      // UDP still works; transports asking for TCP get UnsupportedError.
      this.log.warn('tcp.bindFailed', { reason: describeError(e) });
    }
    const { certPem, keyPem, signatureHash } = await CipherContext.createSelfSignedCertificateWithKey(
      { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 },
      NamedCurveAlgorithm.secp256r1_23,
    );
    const fingerprint256 = new X509Certificate(certPem).fingerprint256.toUpperCase();
    this.cert = { certPem, keyPem, signatureHash, fingerprint256 };
  }

  /**
   * The engine's side of the one method map ({@link ChannelMethods}): a handler per request
   * method, typed by its data and result. `id` is the target object's id (router, transport…).
   */
  private readonly handlers: EngineHandlers = {
    'worker.dump': () => this.dump(),
    'worker.getResourceUsage': () => {
      const r = process.resourceUsage();
      return { ru_utime: r.userCPUTime / 1000, ru_stime: r.systemCPUTime / 1000, ru_maxrss: r.maxRSS };
    },
    'worker.close': () => {
      this.close();
      return undefined;
    },
    'worker.createRouter': (_id, data) => {
      this.routers.set(data.routerId, { id: data.routerId, transports: new Set() });
      return undefined;
    },
    'router.close': (id) => {
      this.closeRouter(this.router(id));
      return undefined;
    },
    'router.createWebRtcTransport': (id, data) => this.createWebRtcTransport(this.router(id), data),
    'router.createDirectTransport': (id, data) => {
      const r = this.router(id);
      const t = new EngineDirectTransport(data.transportId, r.id, this.drops, this.emit, this.log.child('direct-transport'));
      r.transports.add(t);
      this.transports.set(t.id, t);
      return undefined;
    },
    'transport.close': (id) => {
      this.closeTransport(this.transport(id));
      return undefined;
    },
    'transport.connect': (id, data) => {
      const t = this.webrtc(id);
      if (t.dtlsLocalRole) throw new EngineError('InvalidStateError', 'connect() already called');
      return { dtlsLocalRole: t.connect(data.dtlsParameters) };
    },
    'transport.restartIce': (id) => ({ iceParameters: this.webrtc(id).restartIce() }),
    'transport.setMaxIncomingBitrate': (id, data) => {
      this.transport(id).maxIncomingBitrate = Number(data.bitrate) || 0;
      return undefined;
    },
    'transport.getStats': (id) => this.transportStats(this.transport(id)),
    'transport.dump': (id) => this.transportDump(this.transport(id)),
    'transport.produce': (id, data) => this.produce(this.transport(id), data),
    'transport.consume': (id, data) => this.consume(this.transport(id), data),
    'transport.setFaults': (id, data) => {
      const t = this.transport(id);
      if (typeof data.dropSendPct === 'number') t.faults.dropSendPct = data.dropSendPct;
      if (typeof data.dropRecvPct === 'number') t.faults.dropRecvPct = data.dropRecvPct;
      return { ...t.faults };
    },
    'transport.simulateDisconnect': (id) => {
      this.webrtc(id).simulateDisconnect();
      return undefined;
    },
    'producer.close': (id) => {
      this.closeProducer(this.producer(id));
      return undefined;
    },
    'producer.pause': (id) => this.setProducerPaused(this.producer(id), true),
    'producer.resume': (id) => this.setProducerPaused(this.producer(id), false),
    'producer.getStats': (id) => this.producer(id).getStats(),
    'producer.dump': (id) => {
      const p = this.producer(id);
      return {
        id: p.id,
        kind: p.kind,
        paused: p.paused,
        rtpParameters: p.rtpParameters,
        consumers: p.listeners.size,
        stats: p.getStats(),
      };
    },
    'router.createAudioLevelObserver': (id, data) => {
      const r = this.router(id);
      this.observers.set(data.rtpObserverId, new EngineAudioLevelObserver(data.rtpObserverId, r.id, data, this.emit));
      return undefined;
    },
    'router.createActiveSpeakerObserver': (id, data) => {
      const r = this.router(id);
      this.observers.set(data.rtpObserverId, new EngineActiveSpeakerObserver(data.rtpObserverId, r.id, data, this.emit));
      return undefined;
    },
    'rtpObserver.close': (id) => {
      this.observers.get(id)?.close();
      this.observers.delete(id);
      return undefined;
    },
    'rtpObserver.pause': (id) => {
      this.observer(id).pause();
      return undefined;
    },
    'rtpObserver.resume': (id) => {
      this.observer(id).resume();
      return undefined;
    },
    'rtpObserver.addProducer': (id, data) => {
      this.observer(id).addProducer(this.producer(data.producerId));
      return undefined;
    },
    'rtpObserver.removeProducer': (id, data) => {
      const p = this.producers.get(data.producerId);
      if (p) this.observer(id).removeProducer(p);
      return undefined;
    },
    'consumer.close': (id) => {
      const e = this.consumers.get(id);
      if (e) this.closeConsumer(e.c, e.t);
      return undefined;
    },
    'consumer.pause': (id) => {
      this.consumer(id).pause();
      return undefined;
    },
    'consumer.resume': (id) => {
      this.consumer(id).resume();
      return undefined;
    },
    'consumer.requestKeyFrame': (id) => {
      this.consumer(id).requestKeyFrame();
      return undefined;
    },
    'consumer.setPreferredLayers': (id, data) => this.consumer(id).setPreferredLayers(data.spatialLayer, data.temporalLayer),
    'consumer.getStats': (id) => {
      const c = this.consumer(id);
      return [c.getStats(), ...c.producer.getStats()];
    },
    'consumer.dump': (id) => {
      const c = this.consumer(id);
      return {
        id: c.id,
        producerId: c.producer.id,
        kind: c.kind,
        paused: c.paused,
        producerPaused: c.producerPaused,
        stats: c.getStats(),
      };
    },
  };

  /** Dispatches a request to its handler; returns its result or throws an {@link EngineError}. */
  request<M extends EngineMethod>(request: ChannelRequest<M>): MethodResult<M> {
    if (!Object.hasOwn(this.handlers, request.method)) throw new EngineError('TypeError', `unknown method ${String(request.method)}`);
    const handler: EngineHandlers[M] = this.handlers[request.method];
    // Methods without data send none; the rest always send theirs (the proxies build it).
    return handler(request.handlerId ?? '', request.data as MethodData<M>);
  }

  private setProducerPaused(p: EngineProducer, paused: boolean): undefined {
    if (p.paused === paused) return undefined;
    p.paused = paused;
    for (const { c } of this.consumers.values()) {
      if (c.producer !== p) continue;
      c.setProducerPaused(paused);
      this.emit(c.id, paused ? 'producerpause' : 'producerresume');
    }
    return undefined;
  }

  /** Handles a fire-and-forget notification. */
  notify(n: ChannelNotification): void {
    if (n.method === 'producer.send') {
      const p = this.producers.get(n.handlerId);
      const t = p ? this.transports.get(p.host.id) : undefined;
      if (t instanceof EngineDirectTransport) t.injectRtp(n.data.packet);
    } else if (n.method === 'transport.sendRtcp') {
      const t = this.transports.get(n.handlerId);
      if (t instanceof EngineDirectTransport) t.injectRtcp(n.data.packet);
    }
  }

  private router(id: string): EngineRouter {
    const r = this.routers.get(id);
    if (!r) throw new EngineError('InvalidStateError', `router ${id} not found`);
    return r;
  }

  private transport(id: string): EngineTransport {
    const t = this.transports.get(id);
    if (!t) throw new EngineError('InvalidStateError', `transport ${id} not found`);
    return t;
  }

  private webrtc(id: string): EngineWebRtcTransport {
    const t = this.transport(id);
    if (!(t instanceof EngineWebRtcTransport)) throw new EngineError('UnsupportedError', 'not a WebRtcTransport');
    return t;
  }

  private producer(id: string): EngineProducer {
    const p = this.producers.get(id);
    if (!p) throw new EngineError('InvalidStateError', `producer ${id} not found`);
    return p;
  }

  private observer(id: string): EngineAudioLevelObserver | EngineActiveSpeakerObserver {
    const o = this.observers.get(id);
    if (!o) throw new EngineError('InvalidStateError', `rtpObserver ${id} not found`);
    return o;
  }

  private consumer(id: string): EngineConsumer {
    const e = this.consumers.get(id);
    if (!e) throw new EngineError('InvalidStateError', `consumer ${id} not found`);
    return e.c;
  }

  private createWebRtcTransport(r: EngineRouter, data: CreateWebRtcTransportData): WebRtcTransportData {
    const suites: string[] =
      Array.isArray(data.srtpCryptoSuites) && data.srtpCryptoSuites.length > 0
        ? data.srtpCryptoSuites
        : ['AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80'];
    const profiles = suites.map((s) => SRTP_PROFILES[s]).filter((p): p is SrtpProfile => p !== undefined);
    if (profiles.length === 0) throw new EngineError('UnsupportedError', 'no supported SRTP crypto suite');
    const enableUdp = data.enableUdp !== false;
    const enableTcp = !!data.enableTcp;
    if (!enableUdp && !enableTcp) throw new EngineError('TypeError', 'neither UDP nor TCP enabled');
    if (enableTcp && !this.tcp) throw new EngineError('UnsupportedError', 'no ICE-TCP port could be bound on this worker');
    const t = new EngineWebRtcTransport(
      data.transportId,
      r.id,
      this.drops,
      this.emit,
      this.log.child('webrtc-transport'),
      this.udp,
      this.cert,
      {
        ...(data.announcedAddress ? { announcedAddress: data.announcedAddress } : {}),
        ...(data.tcpAnnouncedAddress ? { tcpAnnouncedAddress: data.tcpAnnouncedAddress } : {}),
        enableUdp,
        enableTcp,
        preferTcp: !!data.preferTcp,
        consentTimeoutMs: (data.iceConsentTimeout ?? 30) * 1000,
        srtpProfiles: profiles,
      },
      this.tcp,
    );
    r.transports.add(t);
    this.transports.set(t.id, t);
    return {
      iceRole: 'controlled',
      iceParameters: t.iceParameters,
      iceCandidates: t.iceCandidates,
      iceState: t.iceState,
      dtlsParameters: t.dtlsParameters,
      dtlsState: t.dtlsState,
    };
  }

  private produce(t: EngineTransport, data: ProduceData): MethodResult<'transport.produce'> {
    if (this.producers.has(data.producerId)) throw new EngineError('InvalidStateError', 'producer id in use');
    const p = new EngineProducer(
      t,
      {
        id: data.producerId,
        kind: data.kind as MediaKind,
        rtpParameters: data.rtpParameters as RtpParameters,
        consumableRtpParameters: data.consumableRtpParameters as RtpParameters,
        rtpMapping: data.rtpMapping as RtpMapping,
        paused: !!data.paused,
        // A browser sender ignores key frame requests 300 ms apart: keep its last one for newcomers.
        keyFrameCache: t instanceof EngineWebRtcTransport,
        ...(data.e2eeTrailerCheck ? { e2eeTrailerCheck: data.e2eeTrailerCheck } : {}),
      },
      this.emit,
    );
    const err = t.addProducer(p);
    if (err) throw new EngineError('TypeError', err);
    this.producers.set(p.id, p);
    // As mediasoup: several encodings, or one VP8 encoding with temporal layers, are simulcast.
    const simulcast = p.encodingCount > 1 || (p.kind === 'video' && vp8TemporalLayersOf(p.rtpParameters) > 1);
    return { type: simulcast ? 'simulcast' : p.kind === 'video' && svcLayersOf(p.rtpParameters) ? 'svc' : 'simple' };
  }

  private consume(t: EngineTransport, data: ConsumeData): ConsumeResult {
    const p = this.producer(data.producerId);
    const c = new EngineConsumer(
      p,
      t,
      {
        id: data.consumerId,
        kind: data.kind,
        rtpParameters: data.rtpParameters,
        paused: !!data.paused,
        preferredLayers: data.preferredLayers,
      },
      this.emit,
    );
    t.addConsumer(c);
    p.listeners.add(c);
    this.consumers.set(c.id, { c, t });
    c.requestStartKeyFrame(performance.now());
    return {
      paused: c.paused,
      producerPaused: p.paused,
      score: { score: 10, producerScore: 10, producerScores: [] },
      preferredLayers: c.preferredLayers,
    };
  }

  private closeConsumer(c: EngineConsumer, t: EngineTransport): void {
    c.close();
    t.removeConsumer(c);
    this.consumers.delete(c.id);
  }

  private closeProducer(p: EngineProducer): void {
    for (const { c, t } of [...this.consumers.values()]) {
      if (c.producer !== p) continue;
      this.closeConsumer(c, t);
      this.emit(c.id, 'producerclose');
    }
    for (const o of this.observers.values()) o.removeProducer(p);
    p.close();
    const t = this.transports.get(p.host.id);
    t?.removeProducer(p);
    this.producers.delete(p.id);
  }

  private closeTransport(t: EngineTransport): void {
    for (const p of [...t.producers.values()]) this.closeProducer(p);
    for (const c of [...t.consumers.values()]) this.closeConsumer(c, t);
    t.close();
    this.transports.delete(t.id);
    this.routers.get(t.routerId)?.transports.delete(t);
  }

  private closeRouter(r: EngineRouter): void {
    for (const t of [...r.transports]) this.closeTransport(t);
    for (const o of [...this.observers.values()]) {
      if (o.routerId !== r.id) continue;
      o.close();
      this.observers.delete(o.id);
    }
    this.routers.delete(r.id);
  }

  private transportStats(t: EngineTransport): StatsEntries {
    return t instanceof EngineWebRtcTransport || t instanceof EngineDirectTransport ? t.getStats() : [];
  }

  private transportDump(t: EngineTransport): Record<string, unknown> {
    return {
      id: t.id,
      producerIds: [...t.producers.keys()],
      consumerIds: [...t.consumers.keys()],
      faults: { ...t.faults },
      stats: this.transportStats(t),
    };
  }

  /** The worker's dump: routers, socket, drop counters. */
  dump(): WorkerDumpData {
    return {
      routerIds: [...this.routers.keys()],
      transportIds: [...this.transports.keys()],
      udp: { ...this.udp.address, datagramsReceived: this.udp.datagramsReceived, datagramsSent: this.udp.datagramsSent },
      ...(this.tcp
        ? {
            tcp: {
              ...this.tcp.address,
              connections: this.tcp.connectionCount,
              connectionsAccepted: this.tcp.connectionsAccepted,
              framesReceived: this.tcp.framesReceived,
            },
          }
        : {}),
      drops: { ...this.drops },
      droppedTotal: totalDrops(this.drops),
    };
  }

  /** Closes everything and the socket. */
  close(): void {
    for (const r of [...this.routers.values()]) this.closeRouter(r);
    this.udp?.close();
    this.tcp?.close();
  }
}
