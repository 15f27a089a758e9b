/**
 * The adapter between signalling and the media engine for one session: one router, the
 * participants' transports, producers and consumers, ownership checks, parameter validation before
 * any engine call, engine errors mapped to `MEDIA_ERROR`, and the fault hooks tests use.
 * @packageDocumentation
 */
import type {
  DtlsParameters,
  IceParameters,
  MediaKind,
  NotificationData,
  NotificationMethod,
  ProducerInfo,
  RequestData,
  ResponseData,
  RtpCapabilities,
  TrackSource,
} from '@alcove/protocol';
import { RequestError } from '../signaling/request-error.js';
import {
  capabilitiesWithoutAudioLevel,
  checkConsumerCapabilities,
  checkDtlsFingerprints,
  checkProducerParameters,
  withoutAudioLevel,
} from './codecs.js';
import { e2eeTrailerCheckFor, type E2eeTrailerFailure, trailerFailureOf } from './e2ee-trailer-check.js';
import type { EngineConsumer, EngineProducer, EngineRouter, EngineWebRtcTransport } from './engine-types.js';
import {
  sanitizeConsumerRtpParameters,
  sanitizeDtlsParameters,
  sanitizeIceCandidates,
  sanitizeIceParameters,
  sanitizeRtpCapabilities,
} from './sanitize.js';

/** Per-participant resource limits. */
export interface MediaLimits {
  /** Default 4. */
  readonly transportsPerParticipant: number;
  /** Default 8. */
  readonly producersPerParticipant: number;
  /** Default 200. */
  readonly consumersPerParticipant: number;
}

/** Default {@link MediaLimits}. */
export const DEFAULT_MEDIA_LIMITS: MediaLimits = { transportsPerParticipant: 4, producersPerParticipant: 8, consumersPerParticipant: 200 };

/** What the room tells the media adapter and hears back from it. */
export interface MediaRoomOptions {
  readonly router: EngineRouter;
  readonly e2eeRequired: boolean;
  /** 1:1 rooms drop the audio-level header extension (E2EE.md §7). */
  readonly dropAudioLevel: boolean;
  readonly listenInfos: readonly { protocol: 'udp' | 'tcp'; ip: string; announcedAddress?: string }[];
  readonly limits?: Partial<MediaLimits>;
  /** Sends a notification to one participant. */
  readonly notify: <M extends NotificationMethod>(participantId: string, method: M, data: NotificationData<M>) => void;
  /** A producer appeared, closed, paused or resumed: the room tells the other admitted participants. */
  readonly producerEvent: (event: 'added' | 'closed' | 'paused' | 'resumed', info: ProducerInfo) => void;
  /** Whether `participantId` may publish from `source` now (screen-share policy, role). */
  readonly mayProduce: (participantId: string, source: TrackSource) => boolean;
  /** Reports an engine failure (error name only; never parameters). */
  readonly onEngineError?: (operation: string, error: unknown) => void;
  /**
   * The engine found a frame without the E2EE trailer and the room closed that producer and its
   * consumers. The callee tells the owner and hosts why (and everyone else that it closed) and
   * audits it; without a callee the room sends a plain `closed` event and tells the owner.
   */
  readonly producerNotEncrypted?: (info: ProducerInfo, check: E2eeTrailerFailure) => void;
}

interface TransportEntry {
  readonly transport: EngineWebRtcTransport;
  readonly owner: string;
  readonly direction: 'send' | 'recv';
}
interface ProducerEntry {
  readonly producer: EngineProducer;
  readonly owner: string;
  readonly source: TrackSource;
  readonly kind: MediaKind;
  readonly transportId: string;
}
interface ConsumerEntry {
  readonly consumer: EngineConsumer;
  readonly owner: string;
  readonly producerId: string;
  /** What the client asked for; faults may pause the engine consumer regardless. */
  wantPaused: boolean;
}

/** One session's media: see the file header. */
export class MediaRoom {
  readonly #o: MediaRoomOptions;
  readonly #limits: MediaLimits;
  readonly #transports = new Map<string, TransportEntry>();
  readonly #producers = new Map<string, ProducerEntry>();
  readonly #consumers = new Map<string, ConsumerEntry>();
  readonly #forwardingPaused = new Set<string>();
  readonly #keyFrameNotified = new Map<string, number>();
  #closed = false;

  constructor(options: MediaRoomOptions) {
    this.#o = options;
    this.#limits = { ...DEFAULT_MEDIA_LIMITS, ...options.limits };
  }

  /** The router's capabilities as clients should see them. */
  get rtpCapabilities(): RtpCapabilities {
    const caps = sanitizeRtpCapabilities(this.#o.router.rtpCapabilities);
    return this.#o.dropAudioLevel ? capabilitiesWithoutAudioLevel(caps) : caps;
  }

  /** Number of live engine objects (for tests and metrics). */
  get counts(): { transports: number; producers: number; consumers: number } {
    return { transports: this.#transports.size, producers: this.#producers.size, consumers: this.#consumers.size };
  }

  /** Published tracks others may consume (all of them, or all but `exceptOwner`'s). */
  producers(exceptOwner?: string): ProducerInfo[] {
    const out: ProducerInfo[] = [];
    for (const [id, p] of this.#producers) if (p.owner !== exceptOwner) out.push(this.#info(id, p));
    return out;
  }

  async createTransport(owner: string, data: RequestData<'media.createTransport'>): Promise<ResponseData<'media.createTransport'>> {
    this.#guard();
    if (this.#count(this.#transports, owner) >= this.#limits.transportsPerParticipant) {
      throw new RequestError('INVALID_STATE', 'too many transports');
    }
    const transport = await this.#engine('createWebRtcTransport', () =>
      this.#o.router.createWebRtcTransport({
        listenInfos: this.#o.listenInfos.map((l) => ({ ...l })),
        enableUdp: this.#o.listenInfos.some((l) => l.protocol === 'udp'),
        enableTcp: this.#o.listenInfos.some((l) => l.protocol === 'tcp'),
        preferUdp: true,
        initialAvailableOutgoingBitrate: 1_000_000,
        appData: { owner, direction: data.direction },
      }),
    );
    if (this.#closed) {
      transport.close();
      throw new RequestError('SESSION_ENDED', 'session ended');
    }
    const entry: TransportEntry = { transport, owner, direction: data.direction };
    this.#transports.set(transport.id, entry);
    transport.on('routerclose', () => this.#transports.delete(transport.id));
    return {
      transportId: transport.id,
      iceParameters: sanitizeIceParameters(transport.iceParameters),
      iceCandidates: sanitizeIceCandidates(transport.iceCandidates),
      dtlsParameters: sanitizeDtlsParameters(transport.dtlsParameters),
    };
  }

  async connectTransport(owner: string, data: { transportId: string; dtlsParameters: DtlsParameters }): Promise<void> {
    const t = this.#transport(owner, data.transportId);
    const bad = checkDtlsFingerprints(data.dtlsParameters);
    if (bad) throw new RequestError(bad.code, bad.message);
    await this.#engine('connect', () => t.transport.connect({ dtlsParameters: data.dtlsParameters }));
  }

  async restartIce(owner: string, transportId: string): Promise<{ iceParameters: IceParameters }> {
    const t = this.#transport(owner, transportId);
    const iceParameters = await this.#engine('restartIce', () => t.transport.restartIce());
    return { iceParameters: sanitizeIceParameters(iceParameters) };
  }

  closeTransport(owner: string, transportId: string): void {
    const t = this.#transport(owner, transportId);
    this.#closeTransport(transportId, t);
  }

  async produce(owner: string, data: RequestData<'media.produce'>): Promise<{ producerId: string }> {
    const t = this.#transport(owner, data.transportId);
    if (t.direction !== 'send') throw new RequestError('INVALID_STATE', 'not a send transport');
    if (this.#o.e2eeRequired && !data.e2ee) throw new RequestError('E2EE_REQUIRED', 'this session requires end-to-end encrypted media');
    const sourceKind: MediaKind = data.source === 'mic' || data.source === 'screen-audio' ? 'audio' : 'video';
    if (sourceKind !== data.kind) throw new RequestError('INVALID_MESSAGE', 'source does not match kind');
    if (!this.#o.mayProduce(owner, data.source)) {
      throw new RequestError(
        data.source.startsWith('screen') ? 'SCREEN_SHARE_NOT_ALLOWED' : 'NOT_ALLOWED',
        'not allowed to publish this source',
      );
    }
    if (this.#count(this.#producers, owner) >= this.#limits.producersPerParticipant)
      throw new RequestError('INVALID_STATE', 'too many producers');
    for (const p of this.#producers.values()) {
      if (p.owner === owner && p.source === data.source) throw new RequestError('INVALID_STATE', 'this source is already published');
    }
    const bad = checkProducerParameters(data.kind, data.rtpParameters, this.#o.e2eeRequired);
    if (bad) throw new RequestError(bad.code, bad.message);
    const rtpParameters = this.#o.dropAudioLevel ? withoutAudioLevel(data.rtpParameters) : data.rtpParameters;
    // Fail closed on the server too: the engine checks each frame's E2EE trailer (docs/e2ee.md).
    const trailerCheck = this.#o.e2eeRequired ? e2eeTrailerCheckFor(rtpParameters) : undefined;
    if (this.#o.e2eeRequired && !trailerCheck) throw new RequestError('UNSUPPORTED_CODEC', 'this codec cannot be end-to-end encrypted');
    const producer = await this.#engine('produce', () =>
      t.transport.produce({
        kind: data.kind,
        rtpParameters,
        paused: data.paused ?? false,
        appData: { owner, source: data.source },
        ...(trailerCheck ? { e2eeTrailerCheck: trailerCheck } : {}),
      }),
    );
    if (t.transport.closed || this.#closed) {
      producer.close();
      throw new RequestError('INVALID_STATE', 'transport closed');
    }
    const entry: ProducerEntry = { producer, owner, source: data.source, kind: data.kind, transportId: data.transportId };
    this.#producers.set(producer.id, entry);
    producer.on('transportclose', () => this.#producerGone(producer.id));
    producer.on('e2eetrailermissing', (info: unknown) => this.#notEncrypted(producer.id, trailerFailureOf(info)));
    this.#o.producerEvent('added', this.#info(producer.id, entry));
    return { producerId: producer.id };
  }

  closeProducer(owner: string, producerId: string): void {
    const p = this.#producer(owner, producerId);
    p.producer.close();
    this.#producerGone(producerId);
  }

  async setProducerPaused(owner: string, producerId: string, paused: boolean): Promise<void> {
    const p = this.#producer(owner, producerId);
    await this.#engine(paused ? 'pauseProducer' : 'resumeProducer', () => (paused ? p.producer.pause() : p.producer.resume()));
    if (this.#producers.has(producerId)) this.#o.producerEvent(paused ? 'paused' : 'resumed', this.#info(producerId, p));
  }

  /** Closes every producer of `owner` from a source (screen-share policy change). */
  closeProducersWhere(predicate: (owner: string, source: TrackSource) => boolean): void {
    for (const [id, p] of [...this.#producers]) {
      if (!predicate(p.owner, p.source)) continue;
      p.producer.close();
      this.#producerGone(id);
      this.#o.notify(p.owner, 'media.producerClosed', { producerId: id });
    }
  }

  async consume(owner: string, data: RequestData<'media.consume'>): Promise<ResponseData<'media.consume'>> {
    const t = this.#transport(owner, data.transportId);
    if (t.direction !== 'recv') throw new RequestError('INVALID_STATE', 'not a receive transport');
    const p = this.#producers.get(data.producerId);
    if (!p) throw new RequestError('NOT_FOUND', 'no such producer');
    if (p.owner === owner) throw new RequestError('INVALID_STATE', 'cannot consume own producer');
    if (this.#count(this.#consumers, owner) >= this.#limits.consumersPerParticipant)
      throw new RequestError('INVALID_STATE', 'too many consumers');
    const bad = checkConsumerCapabilities(data.rtpCapabilities);
    if (bad) throw new RequestError(bad.code, bad.message);
    let can = false;
    try {
      can = this.#o.router.canConsume({ producerId: data.producerId, rtpCapabilities: data.rtpCapabilities });
    } catch (error) {
      this.#o.onEngineError?.('canConsume', error);
    }
    if (!can) throw new RequestError('CANNOT_CONSUME', 'capabilities cannot receive this producer');
    const consumer = await this.#engine('consume', () =>
      t.transport.consume({ producerId: data.producerId, rtpCapabilities: data.rtpCapabilities, paused: true, appData: { owner } }),
    );
    if (t.transport.closed || !this.#producers.has(data.producerId)) {
      consumer.close();
      throw new RequestError('NOT_FOUND', 'producer or transport closed');
    }
    const entry: ConsumerEntry = { consumer, owner, producerId: data.producerId, wantPaused: true };
    this.#consumers.set(consumer.id, entry);
    consumer.on('transportclose', () => this.#consumers.delete(consumer.id));
    consumer.on('producerclose', () => {
      if (this.#consumers.delete(consumer.id)) this.#o.notify(owner, 'media.consumerClosed', { consumerId: consumer.id });
    });
    consumer.on('producerpause', () => this.#o.notify(owner, 'media.consumerPaused', { consumerId: consumer.id }));
    consumer.on('producerresume', () => this.#o.notify(owner, 'media.consumerResumed', { consumerId: consumer.id }));
    consumer.on('score', (s: { score?: unknown; producerScore?: unknown } | undefined) => {
      const score = clampScore(s?.score);
      const producerScore = clampScore(s?.producerScore);
      this.#o.notify(owner, 'media.consumerScore', { consumerId: consumer.id, score, producerScore });
    });
    consumer.on('layerschange', (l: { spatialLayer?: unknown; temporalLayer?: unknown } | undefined) => {
      this.#o.notify(owner, 'media.consumerLayersChanged', {
        consumerId: consumer.id,
        spatialLayer: layer(l?.spatialLayer),
        temporalLayer: layer(l?.temporalLayer),
      });
    });
    return {
      consumerId: consumer.id,
      producerId: data.producerId,
      participantId: p.owner,
      kind: p.kind,
      source: p.source,
      rtpParameters: sanitizeConsumerRtpParameters(consumer.rtpParameters),
      paused: true,
      producerPaused: consumer.producerPaused,
    };
  }

  async setConsumerPaused(owner: string, consumerId: string, paused: boolean): Promise<void> {
    const c = this.#consumer(owner, consumerId);
    c.wantPaused = paused;
    if (!paused && this.#forwardingPaused.has(owner)) return;
    await this.#engine(paused ? 'pauseConsumer' : 'resumeConsumer', () => (paused ? c.consumer.pause() : c.consumer.resume()));
  }

  closeConsumer(owner: string, consumerId: string): void {
    const c = this.#consumer(owner, consumerId);
    c.consumer.close();
    this.#consumers.delete(consumerId);
  }

  async setPreferredLayers(owner: string, data: RequestData<'media.setPreferredLayers'>): Promise<void> {
    const c = this.#consumer(owner, data.consumerId);
    const layers =
      data.temporalLayer === undefined
        ? { spatialLayer: data.spatialLayer }
        : { spatialLayer: data.spatialLayer, temporalLayer: data.temporalLayer };
    await this.#engine('setPreferredLayers', () => c.consumer.setPreferredLayers(layers));
  }

  /**
   * Asks the engine for a key frame on every consumer `owner` has of the producer, and tells the
   * producer's owner (`media.keyFrameRequested`, at most every 500 ms per producer) so an E2EE
   * sender can force one after a key switch.
   */
  async requestKeyFrame(owner: string, producerId: string): Promise<void> {
    const p = this.#producers.get(producerId);
    if (!p) throw new RequestError('NOT_FOUND', 'no such producer');
    let found = false;
    for (const c of this.#consumers.values()) {
      if (c.owner !== owner || c.producerId !== producerId) continue;
      found = true;
      await this.#engine('requestKeyFrame', () => c.consumer.requestKeyFrame());
    }
    if (!found) throw new RequestError('NOT_FOUND', 'no consumer of this producer');
    const now = Date.now();
    if (now - (this.#keyFrameNotified.get(producerId) ?? 0) >= 500) {
      this.#keyFrameNotified.set(producerId, now);
      this.#o.notify(p.owner, 'media.keyFrameRequested', { producerId });
    }
  }

  async transportStats(owner: string, transportId: string): Promise<ResponseData<'media.getTransportStats'>> {
    const t = this.#transport(owner, transportId);
    const stats = await this.#engine('getStats', () => t.transport.getStats());
    const s = stats[0] ?? {};
    const out: { bytesReceived: number; bytesSent: number; rtpPacketsLost?: number } = {
      bytesReceived: count(s['bytesReceived']),
      bytesSent: count(s['bytesSent']),
    };
    if (typeof s['rtpPacketsLost'] === 'number') out.rtpPacketsLost = count(s['rtpPacketsLost']);
    return out;
  }

  /** Closes every transport (and so every producer and consumer) of a participant. */
  closeParticipant(owner: string): void {
    this.#forwardingPaused.delete(owner);
    for (const [id, t] of [...this.#transports]) if (t.owner === owner) this.#closeTransport(id, t);
  }

  /** Fault hook: closes a participant's transports and tells it `media.transportClosed`. */
  dropTransports(owner: string): number {
    let n = 0;
    for (const [id, t] of [...this.#transports]) {
      if (t.owner !== owner) continue;
      this.#closeTransport(id, t);
      this.#o.notify(owner, 'media.transportClosed', { transportId: id });
      n++;
    }
    return n;
  }

  /** Fault hook: stops (or restarts) forwarding media to a participant without telling it. */
  async pauseForwarding(owner: string, paused: boolean): Promise<void> {
    if (paused) this.#forwardingPaused.add(owner);
    else this.#forwardingPaused.delete(owner);
    for (const c of this.#consumers.values()) {
      if (c.owner !== owner) continue;
      if (paused) await this.#engine('pauseConsumer', () => c.consumer.pause());
      else if (!c.wantPaused) await this.#engine('resumeConsumer', () => c.consumer.resume());
    }
  }

  /** Closes the router and everything on it. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const [id, t] of [...this.#transports]) this.#closeTransport(id, t);
    try {
      this.#o.router.close();
    } catch (error) {
      this.#o.onEngineError?.('closeRouter', error);
    }
  }

  #closeTransport(id: string, t: TransportEntry): void {
    this.#transports.delete(id);
    try {
      t.transport.close();
    } catch (error) {
      this.#o.onEngineError?.('closeTransport', error);
    }
    for (const [pid, p] of [...this.#producers]) if (p.transportId === id) this.#producerGone(pid);
    for (const [cid, c] of [...this.#consumers]) {
      if (c.consumer.closed) this.#consumers.delete(cid);
    }
  }

  #producerGone(producerId: string, announce = true): void {
    const p = this.#producers.get(producerId);
    if (!p) return;
    this.#producers.delete(producerId);
    this.#keyFrameNotified.delete(producerId);
    for (const [cid, c] of [...this.#consumers]) {
      if (c.producerId !== producerId) continue;
      this.#consumers.delete(cid);
      if (!c.consumer.closed) c.consumer.close();
      this.#o.notify(c.owner, 'media.consumerClosed', { consumerId: cid });
    }
    if (announce) this.#o.producerEvent('closed', this.#info(producerId, p));
  }

  /** A producer sent a frame without the E2EE trailer: close it and its consumers, then report. */
  #notEncrypted(producerId: string, check: E2eeTrailerFailure): void {
    const p = this.#producers.get(producerId);
    if (!p) return;
    const info = this.#info(producerId, p);
    p.producer.close();
    const report = this.#o.producerNotEncrypted;
    this.#producerGone(producerId, report === undefined);
    if (report) report(info, check);
    else this.#o.notify(p.owner, 'media.producerClosed', { producerId, reason: 'E2EE_NOT_ENCRYPTED' });
  }

  #info(producerId: string, p: ProducerEntry): ProducerInfo {
    return { producerId, participantId: p.owner, kind: p.kind, source: p.source, paused: p.producer.paused };
  }

  #guard(): void {
    if (this.#closed) throw new RequestError('SESSION_ENDED', 'session ended');
  }

  #transport(owner: string, id: string): TransportEntry {
    this.#guard();
    const t = this.#transports.get(id);
    if (!t || t.owner !== owner) throw new RequestError('NOT_FOUND', 'no such transport');
    return t;
  }

  #producer(owner: string, id: string): ProducerEntry {
    this.#guard();
    const p = this.#producers.get(id);
    if (!p || p.owner !== owner) throw new RequestError('NOT_FOUND', 'no such producer');
    return p;
  }

  #consumer(owner: string, id: string): ConsumerEntry {
    this.#guard();
    const c = this.#consumers.get(id);
    if (!c || c.owner !== owner) throw new RequestError('NOT_FOUND', 'no such consumer');
    return c;
  }

  #count(map: Map<string, { owner: string }>, owner: string): number {
    let n = 0;
    for (const e of map.values()) if (e.owner === owner) n++;
    return n;
  }

  async #engine<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      this.#o.onEngineError?.(operation, error);
      throw new RequestError('MEDIA_ERROR', `the media engine refused ${operation}`, { cause: error });
    }
  }
}

function clampScore(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.max(0, Math.min(10, Math.round(v))) : 0;
}
function layer(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 3 ? v : null;
}
function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.min(Math.floor(v), Number.MAX_SAFE_INTEGER) : 0;
}
