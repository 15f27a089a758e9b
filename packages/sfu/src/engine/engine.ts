/**
 * The engine of one worker thread: owns the UDP socket, the DTLS certificate and every router,
 * transport, producer and consumer, and answers the main thread's requests.
 * @internal
 */
import { X509Certificate } from 'node:crypto';
import { CipherContext, HashAlgorithm, NamedCurveAlgorithm, SignatureAlgorithm, type SrtpProfile } from 'werift';
import { describeError, type SfuLogger } from '../common/logger.js';
import type { DtlsParameters, MediaKind, RtpMapping, RtpParameters } from '../types/index.js';
import type { EngineSettings } from '../worker/channel-messages.js';
import { newDropCounters, totalDrops, type DropCounters, type EmitFn } from './context.js';
import { EngineConsumer } from './consumer.js';
import { EngineDirectTransport } from './direct-transport.js';
import { EngineProducer } from './producer.js';
import type { EngineTransport } from './transport.js';
import { TcpServer } from './tcp-server.js';
import { UdpServer } from './udp-server.js';
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

// Requests arrive from our own main-thread proxies, already validated there.
// biome-ignore lint/suspicious/noExplicitAny: request data is read field by field, as the proxies sent it.
type Data = Record<string, any>;

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

  /** Dispatches a request; returns its result or throws an {@link EngineError}. */
  request(method: string, handlerId: string | undefined, data: Data): unknown {
    const id = handlerId ?? '';
    switch (method) {
      case 'worker.dump':
        return this.dump();
      case 'worker.getResourceUsage': {
        const r = process.resourceUsage();
        return { ru_utime: r.userCPUTime / 1000, ru_stime: r.systemCPUTime / 1000, ru_maxrss: r.maxRSS };
      }
      case 'worker.close':
        this.close();
        return undefined;
      case 'worker.createRouter':
        this.routers.set(data.routerId, { id: data.routerId, transports: new Set() });
        return undefined;
      case 'router.close':
        this.closeRouter(this.router(id));
        return undefined;
      case 'router.createWebRtcTransport':
        return this.createWebRtcTransport(this.router(id), data);
      case 'router.createDirectTransport': {
        const r = this.router(id);
        const t = new EngineDirectTransport(data.transportId, r.id, this.drops, this.emit, this.log.child('direct-transport'));
        r.transports.add(t);
        this.transports.set(t.id, t);
        return undefined;
      }
      case 'transport.close':
        this.closeTransport(this.transport(id));
        return undefined;
      case 'transport.connect': {
        const t = this.webrtc(id);
        if (t.dtlsLocalRole) throw new EngineError('InvalidStateError', 'connect() already called');
        return { dtlsLocalRole: t.connect(data.dtlsParameters as DtlsParameters) };
      }
      case 'transport.restartIce':
        return { iceParameters: this.webrtc(id).restartIce() };
      case 'transport.setMaxIncomingBitrate':
        this.transport(id).maxIncomingBitrate = Number(data.bitrate) || 0;
        return undefined;
      case 'transport.getStats':
        return this.transportStats(this.transport(id));
      case 'transport.dump':
        return this.transportDump(this.transport(id));
      case 'transport.produce':
        return this.produce(this.transport(id), data);
      case 'transport.consume':
        return this.consume(this.transport(id), data);
      case 'transport.setFaults': {
        const t = this.transport(id);
        if (typeof data.dropSendPct === 'number') t.faults.dropSendPct = data.dropSendPct;
        if (typeof data.dropRecvPct === 'number') t.faults.dropRecvPct = data.dropRecvPct;
        return { ...t.faults };
      }
      case 'transport.simulateDisconnect':
        this.webrtc(id).simulateDisconnect();
        return undefined;
      case 'producer.close':
        this.closeProducer(this.producer(id));
        return undefined;
      case 'producer.pause':
      case 'producer.resume': {
        const p = this.producer(id);
        const paused = method === 'producer.pause';
        if (p.paused === paused) return undefined;
        p.paused = paused;
        for (const { c } of this.consumers.values()) {
          if (c.producer !== p) continue;
          c.setProducerPaused(paused);
          this.emit(c.id, paused ? 'producerpause' : 'producerresume');
        }
        return undefined;
      }
      case 'producer.getStats':
        return this.producer(id).getStats();
      case 'producer.dump': {
        const p = this.producer(id);
        return {
          id: p.id,
          kind: p.kind,
          paused: p.paused,
          rtpParameters: p.rtpParameters,
          consumers: p.listeners.size,
          stats: p.getStats(),
        };
      }
      case 'consumer.close': {
        const e = this.consumers.get(id);
        if (e) this.closeConsumer(e.c, e.t);
        return undefined;
      }
      case 'consumer.pause':
        this.consumer(id).pause();
        return undefined;
      case 'consumer.resume':
        this.consumer(id).resume();
        return undefined;
      case 'consumer.requestKeyFrame':
        this.consumer(id).requestKeyFrame();
        return undefined;
      case 'consumer.setPreferredLayers':
        return this.consumer(id).setPreferredLayers(data.spatialLayer, data.temporalLayer);
      case 'consumer.getStats': {
        const c = this.consumer(id);
        return [c.getStats(), ...c.producer.getStats()];
      }
      case 'consumer.dump': {
        const c = this.consumer(id);
        return {
          id: c.id,
          producerId: c.producer.id,
          kind: c.kind,
          paused: c.paused,
          producerPaused: c.producerPaused,
          stats: c.getStats(),
        };
      }
      default:
        throw new EngineError('TypeError', `unknown method ${method}`);
    }
  }

  /** Handles a fire-and-forget notification. */
  notify(method: string, handlerId: string, data: Data): void {
    if (method === 'producer.send') {
      const p = this.producers.get(handlerId);
      const t = p ? this.transports.get(p.host.id) : undefined;
      if (t instanceof EngineDirectTransport) t.injectRtp(data.packet as Uint8Array);
    } else if (method === 'transport.sendRtcp') {
      const t = this.transports.get(handlerId);
      if (t instanceof EngineDirectTransport) t.injectRtcp(data.packet as Uint8Array);
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

  private consumer(id: string): EngineConsumer {
    const e = this.consumers.get(id);
    if (!e) throw new EngineError('InvalidStateError', `consumer ${id} not found`);
    return e.c;
  }

  private createWebRtcTransport(r: EngineRouter, data: Data): unknown {
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
        announcedAddress: data.announcedAddress,
        ...(data.tcpAnnouncedAddress ? { tcpAnnouncedAddress: data.tcpAnnouncedAddress } : {}),
        enableUdp,
        enableTcp,
        preferTcp: !!data.preferTcp,
        consentTimeoutMs: (data.iceConsentTimeout ?? 30) * 1000,
        srtpProfiles: profiles,
      },
      this.tcp,
    );
    if (data.initialAvailableOutgoingBitrate) t.maxIncomingBitrate = 0;
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

  private produce(t: EngineTransport, data: Data): unknown {
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
        ...(data.e2eeTrailerCheck ? { e2eeTrailerCheck: data.e2eeTrailerCheck } : {}),
      },
      this.emit,
    );
    const err = t.addProducer(p);
    if (err) throw new EngineError('TypeError', err);
    this.producers.set(p.id, p);
    return { type: p.encodingCount > 1 ? 'simulcast' : 'simple' };
  }

  private consume(t: EngineTransport, data: Data): unknown {
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
    if (c.kind === 'video' && c.active) p.requestKeyFrame(performance.now());
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
    this.routers.delete(r.id);
  }

  private transportStats(t: EngineTransport): unknown {
    return t instanceof EngineWebRtcTransport || t instanceof EngineDirectTransport ? t.getStats() : [];
  }

  private transportDump(t: EngineTransport): unknown {
    return {
      id: t.id,
      producerIds: [...t.producers.keys()],
      consumerIds: [...t.consumers.keys()],
      faults: { ...t.faults },
      stats: this.transportStats(t),
    };
  }

  /** The worker's dump: routers, socket, drop counters. */
  dump(): Record<string, unknown> {
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
