/**
 * An in-memory media engine with mediasoup's API shape and no media plane, for tests of the
 * signalling side: objects, ids, events and the `close()` cascade behave as in mediasoup.
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { DtlsParameters, IceParameters, MediaKind } from '@alcove/protocol';
// The engine interface's shapes (mediasoup's), which the wire's parameters satisfy.
import type { EngineRtpCapabilities as RtpCapabilities, EngineRtpParameters as RtpParameters } from './engine-types.js';
import type {
  EngineCodecCapability,
  EngineConsumer,
  EngineProducer,
  EngineRouter,
  EngineWebRtcTransport,
  EngineWebRtcTransportOptions,
  EngineWorker,
} from './engine-types.js';

/** Counters a test can read. */
export interface FakeEngineStats {
  routers: number;
  transports: number;
  producers: number;
  consumers: number;
  /** Engine calls made (any method). */
  calls: number;
}

/** What a fake producer reports as received (tests set it). */
export interface FakeInboundStats {
  packetCount: number;
  byteCount: number;
  packetsLost: number;
  /** RTP timestamp units, as mediasoup reports it. */
  jitter: number;
}

export class FakeProducer extends EventEmitter implements EngineProducer {
  readonly id = randomUUID();
  paused: boolean;
  closed = false;
  readonly consumers = new Set<FakeConsumer>();
  /** The E2EE trailer check the server asked for; tests emit `e2eetrailermissing` to simulate a failure. */
  e2eeTrailerCheck: { readonly versions: readonly number[]; readonly prefixLengths: readonly number[] } | undefined;
  /** What `getStats()` reports; tests change it to simulate received media. */
  readonly inbound: FakeInboundStats = { packetCount: 0, byteCount: 0, packetsLost: 0, jitter: 0 };
  constructor(
    readonly kind: MediaKind,
    readonly rtpParameters: RtpParameters,
    paused: boolean,
    private readonly engine: FakeMediaEngine,
  ) {
    super();
    this.paused = paused;
  }
  async pause(): Promise<void> {
    this.engine.stats.calls++;
    this.paused = true;
    for (const c of this.consumers) c.producerPausedChanged(true);
  }
  async resume(): Promise<void> {
    this.engine.stats.calls++;
    this.paused = false;
    for (const c of this.consumers) c.producerPausedChanged(false);
  }
  async getStats(): Promise<readonly Record<string, unknown>[]> {
    this.engine.stats.calls++;
    if (this.closed) throw new Error('producer closed');
    const codec = this.rtpParameters.codecs[0];
    return [{ type: 'inbound-rtp', kind: this.kind, mimeType: codec?.mimeType, ...this.inbound }];
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.engine.stats.producers--;
    this.engine.producers.delete(this.id);
    for (const c of [...this.consumers]) c.producerClosed();
    this.emit('@close');
  }
  transportClosed(): void {
    if (this.closed) return;
    this.close();
    this.emit('transportclose');
  }
}

export class FakeConsumer extends EventEmitter implements EngineConsumer {
  readonly id = randomUUID();
  paused: boolean;
  producerPaused: boolean;
  closed = false;
  constructor(
    private readonly producer: FakeProducer,
    readonly rtpParameters: RtpParameters,
    paused: boolean,
    private readonly engine: FakeMediaEngine,
  ) {
    super();
    this.paused = paused;
    this.producerPaused = producer.paused;
  }
  get producerId(): string {
    return this.producer.id;
  }
  get kind(): MediaKind {
    return this.producer.kind;
  }
  async pause(): Promise<void> {
    this.engine.stats.calls++;
    this.paused = true;
  }
  async resume(): Promise<void> {
    this.engine.stats.calls++;
    this.paused = false;
  }
  async setPreferredLayers(): Promise<void> {
    this.engine.stats.calls++;
  }
  async requestKeyFrame(): Promise<void> {
    this.engine.stats.calls++;
  }
  /** Whether media would flow to this consumer now. */
  get forwarding(): boolean {
    return !this.closed && !this.paused && !this.producerPaused;
  }
  producerPausedChanged(paused: boolean): void {
    this.producerPaused = paused;
    this.emit(paused ? 'producerpause' : 'producerresume');
  }
  producerClosed(): void {
    if (this.closed) return;
    this.close();
    this.emit('producerclose');
  }
  transportClosed(): void {
    if (this.closed) return;
    this.close();
    this.emit('transportclose');
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.engine.stats.consumers--;
    this.producer.consumers.delete(this);
    this.engine.consumers.delete(this.id);
    this.emit('@close');
  }
}

export class FakeTransport extends EventEmitter implements EngineWebRtcTransport {
  readonly id = randomUUID();
  iceParameters: IceParameters = { usernameFragment: randomUUID().slice(0, 8), password: randomUUID().replace(/-/g, ''), iceLite: true };
  readonly iceCandidates = [
    {
      foundation: 'udpcandidate',
      priority: 1076302079,
      ip: '127.0.0.1',
      address: '127.0.0.1',
      protocol: 'udp' as const,
      port: 40000,
      type: 'host' as const,
    },
  ];
  readonly dtlsParameters: DtlsParameters = {
    role: 'auto',
    fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') }],
  };
  closed = false;
  connected = false;
  readonly producers = new Set<FakeProducer>();
  readonly consumers = new Set<FakeConsumer>();
  constructor(
    private readonly router: FakeRouter,
    private readonly engine: FakeMediaEngine,
  ) {
    super();
  }
  async connect(params: { dtlsParameters: DtlsParameters }): Promise<void> {
    this.engine.stats.calls++;
    if (this.closed) throw new Error('transport closed');
    if (this.connected) throw new Error('connect() already called');
    if (params.dtlsParameters.fingerprints.length === 0) throw new TypeError('no fingerprints');
    this.connected = true;
  }
  async restartIce(): Promise<IceParameters> {
    this.engine.stats.calls++;
    this.iceParameters = { ...this.iceParameters, usernameFragment: randomUUID().slice(0, 8) };
    return this.iceParameters;
  }
  async produce(o: {
    kind: MediaKind;
    rtpParameters: RtpParameters;
    paused?: boolean;
    e2eeTrailerCheck?: FakeProducer['e2eeTrailerCheck'];
  }): Promise<EngineProducer> {
    this.engine.stats.calls++;
    if (this.closed) throw new Error('transport closed');
    if (this.engine.failNext) {
      this.engine.failNext = false;
      throw new Error('engine refused');
    }
    const p = new FakeProducer(o.kind, o.rtpParameters, o.paused ?? false, this.engine);
    p.e2eeTrailerCheck = o.e2eeTrailerCheck;
    this.producers.add(p);
    p.on('@close', () => this.producers.delete(p));
    this.engine.producers.set(p.id, p);
    this.engine.stats.producers++;
    return p;
  }
  async consume(o: { producerId: string; rtpCapabilities: RtpCapabilities; paused?: boolean }): Promise<EngineConsumer> {
    this.engine.stats.calls++;
    const producer = this.engine.producers.get(o.producerId);
    if (!producer || this.closed) throw new Error('cannot consume');
    if (!this.router.canConsume(o)) throw new Error('cannot consume');
    const c = new FakeConsumer(producer, producer.rtpParameters, o.paused ?? false, this.engine);
    producer.consumers.add(c);
    this.consumers.add(c);
    c.on('@close', () => this.consumers.delete(c));
    this.engine.consumers.set(c.id, c);
    this.engine.stats.consumers++;
    return c;
  }
  async getStats(): Promise<readonly Record<string, unknown>[]> {
    return [{ type: 'webrtc-transport', bytesReceived: 0, bytesSent: 0 }];
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.engine.stats.transports--;
    for (const p of [...this.producers]) p.transportClosed();
    for (const c of [...this.consumers]) c.transportClosed();
    this.emit('@close');
  }
  routerClosed(): void {
    if (this.closed) return;
    this.close();
    this.emit('routerclose');
  }
}

export class FakeRouter extends EventEmitter implements EngineRouter {
  readonly id = randomUUID();
  closed = false;
  readonly rtpCapabilities: RtpCapabilities;
  readonly transports = new Set<FakeTransport>();
  constructor(
    codecs: readonly EngineCodecCapability[],
    private readonly engine: FakeMediaEngine,
  ) {
    super();
    let pt = 100;
    this.rtpCapabilities = {
      codecs: codecs.map((c) => ({
        ...c,
        parameters: { ...(c.parameters ?? {}) },
        preferredPayloadType: pt++,
        rtcpFeedback: [...(c.rtcpFeedback ?? [])],
      })),
      headerExtensions: [
        { kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1, preferredEncrypt: false, direction: 'sendrecv' },
        { kind: 'video', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1, preferredEncrypt: false, direction: 'sendrecv' },
        {
          kind: 'audio',
          uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
          preferredId: 10,
          preferredEncrypt: false,
          direction: 'sendrecv',
        },
      ],
    };
  }
  canConsume(o: { producerId: string; rtpCapabilities: RtpCapabilities }): boolean {
    const p = this.engine.producers.get(o.producerId);
    if (!p) return false;
    const mimes = new Set((o.rtpCapabilities.codecs ?? []).map((c) => c.mimeType.toLowerCase()));
    return p.rtpParameters.codecs.some((c) => mimes.has(c.mimeType.toLowerCase()));
  }
  async createWebRtcTransport(_o: EngineWebRtcTransportOptions): Promise<EngineWebRtcTransport> {
    this.engine.stats.calls++;
    if (this.closed) throw new Error('router closed');
    const t = new FakeTransport(this, this.engine);
    this.transports.add(t);
    t.on('@close', () => this.transports.delete(t));
    this.engine.transports.set(t.id, t);
    this.engine.stats.transports++;
    return t;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.engine.stats.routers--;
    for (const t of [...this.transports]) t.routerClosed();
  }
}

/** The fake engine: a worker factory plus inspection helpers for tests. */
export class FakeMediaEngine {
  readonly stats: FakeEngineStats = { routers: 0, transports: 0, producers: 0, consumers: 0, calls: 0 };
  readonly producers = new Map<string, FakeProducer>();
  readonly consumers = new Map<string, FakeConsumer>();
  readonly transports = new Map<string, FakeTransport>();
  /** Makes the next `produce()` throw, to test error mapping. */
  failNext = false;
  /** Router codecs by creation order. */
  readonly routerCodecs: (readonly EngineCodecCapability[])[] = [];
  readonly #workers: (EventEmitter & EngineWorker)[] = [];

  /** Simulates a crash of every worker: closes it and emits `died`. */
  killWorkers(): void {
    for (const w of this.#workers) {
      w.close();
      w.emit('died', new Error('worker died'));
    }
  }

  /** A `createWorker` function for the server's options. */
  readonly createWorker = async (): Promise<EngineWorker> => {
    const engine = this;
    const worker = new (class extends EventEmitter implements EngineWorker {
      closed = false;
      readonly routers = new Set<FakeRouter>();
      async createRouter(o: { mediaCodecs: EngineCodecCapability[] }): Promise<EngineRouter> {
        engine.stats.calls++;
        engine.routerCodecs.push(o.mediaCodecs);
        const r = new FakeRouter(o.mediaCodecs, engine);
        this.routers.add(r);
        engine.stats.routers++;
        return r;
      }
      close(): void {
        if (this.closed) return;
        this.closed = true;
        for (const r of this.routers) r.close();
      }
    })();
    this.#workers.push(worker);
    return worker;
  };

  /** Consumers that would forward media right now. */
  forwardingConsumers(): number {
    let n = 0;
    for (const c of this.consumers.values()) if (c.forwarding) n++;
    return n;
  }
}
