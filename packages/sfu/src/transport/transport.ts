import { randomUUID } from 'node:crypto';
import { EnhancedEventEmitter, type EventMap } from '../common/enhanced-event-emitter.js';
import type { AppData } from '../common/app-data.js';
import { Consumer, type ConsumerOptions, type ConsumerType } from '../consumer/consumer.js';

/** Most encodings (simulcast spatial layers) a producer may have. */
export const MAX_SIMULCAST_ENCODINGS = 3;
import { InvalidStateError, UnsupportedError } from '../errors.js';
import {
  getConsumableRtpParameters,
  getConsumerRtpParameters,
  getProducerRtpParametersMapping,
  validateRtpCapabilities,
  validateRtpParameters,
} from '../ortc/index.js';
import { Producer, type ProducerOptions } from '../producer/producer.js';
import type { RtpCapabilities, RtpParameters } from '../types/index.js';
import type { Channel } from '../worker/channel.js';

/** Events every transport emits. */
export type TransportEvents = {
  routerclose: [];
  listenserverclose: [];
  trace: [trace: unknown];
  '@close': [];
  '@newproducer': [producer: Producer];
  '@producerclose': [producer: Producer];
};

/** Observer events every transport emits. */
export type TransportObserverEvents = {
  close: [];
  newproducer: [producer: Producer];
  newconsumer: [consumer: Consumer];
  newdataproducer: [dataProducer: unknown];
  newdataconsumer: [dataConsumer: unknown];
  trace: [trace: unknown];
};

/** Fault injection for tests (ARCHITECTURE §10). */
export interface TransportFaultOptions {
  /** Percentage (0..100) of RTP packets dropped on the way out to the remote. */
  dropSendPct?: number;
  /** Percentage (0..100) of RTP packets dropped on the way in from the remote. */
  dropRecvPct?: number;
}

/** @internal What a transport needs from its router. */
export interface TransportRouterLink {
  routerId: string;
  getRouterRtpCapabilities(): RtpCapabilities;
  getProducerById(id: string): Producer | undefined;
}

/** @internal */
export interface TransportConstructorOptions<TransportAppData extends AppData> {
  id: string;
  channel: Channel;
  router: TransportRouterLink;
  appData?: TransportAppData;
  direct: boolean;
}

/**
 * Base of {@link WebRtcTransport} and {@link DirectTransport} (mediasoup's `Transport`): produce,
 * consume, stats and the close cascade.
 */
export abstract class Transport<
  TransportAppData extends AppData = AppData,
  Events extends EventMap = TransportEvents,
  ObserverEvents extends EventMap = TransportObserverEvents,
> extends EnhancedEventEmitter<Events & TransportEvents> {
  readonly #id: string;
  /** @internal */
  protected readonly channel: Channel;
  readonly #router: TransportRouterLink;
  readonly #direct: boolean;
  #closed = false;
  #appData: TransportAppData;
  readonly #producers = new Map<string, Producer>();
  readonly #consumers = new Map<string, Consumer>();
  #nextMid = 0;
  #cnameForProducers: string | undefined;
  readonly #observer = new EnhancedEventEmitter<ObserverEvents & TransportObserverEvents>();

  /** @internal */
  constructor(o: TransportConstructorOptions<TransportAppData>) {
    super();
    this.#id = o.id;
    this.channel = o.channel;
    this.#router = o.router;
    this.#direct = o.direct;
    this.#appData = o.appData ?? ({} as TransportAppData);
  }

  /** Transport id. */
  get id(): string {
    return this.#id;
  }
  /** Whether the transport is closed. */
  get closed(): boolean {
    return this.#closed;
  }
  /** Application data. */
  get appData(): TransportAppData {
    return this.#appData;
  }
  set appData(v: TransportAppData) {
    this.#appData = v;
  }
  /** Observer (`close`, `newproducer`, `newconsumer`). */
  get observer(): EnhancedEventEmitter<ObserverEvents & TransportObserverEvents> {
    return this.#observer;
  }
  /** @internal Producers of this transport. */
  get producers(): ReadonlyMap<string, Producer> {
    return this.#producers;
  }
  /** @internal Consumers of this transport. */
  get consumers(): ReadonlyMap<string, Consumer> {
    return this.#consumers;
  }

  /** Closes the transport, its producers and consumers. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.channel.off(this.#id);
    this.channel.requestQuietly('transport.close', this.#id);
    this.#closeChildren();
    (this as EnhancedEventEmitter<TransportEvents>).emit('@close');
    (this.#observer as EnhancedEventEmitter<TransportObserverEvents>).safeEmit('close');
  }

  /** @internal The router closed. */
  routerClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.channel.off(this.#id);
    this.#closeChildren();
    (this as EnhancedEventEmitter<TransportEvents>).safeEmit('routerclose');
    (this.#observer as EnhancedEventEmitter<TransportObserverEvents>).safeEmit('close');
  }

  /** @internal The WebRtcServer the transport was created with closed: the transport closes too. */
  listenServerClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.channel.off(this.#id);
    this.channel.requestQuietly('transport.close', this.#id);
    this.#closeChildren();
    (this as EnhancedEventEmitter<TransportEvents>).safeEmit('listenserverclose');
    (this as EnhancedEventEmitter<TransportEvents>).emit('@close');
    (this.#observer as EnhancedEventEmitter<TransportObserverEvents>).safeEmit('close');
  }

  #closeChildren(): void {
    for (const p of this.#producers.values()) {
      p.transportClosed();
      (this as EnhancedEventEmitter<TransportEvents>).emit('@producerclose', p);
    }
    this.#producers.clear();
    for (const c of this.#consumers.values()) c.transportClosed();
    this.#consumers.clear();
  }

  /** Engine-side state. */
  async dump(): Promise<unknown> {
    this.assertOpen();
    return this.channel.request('transport.dump', this.#id);
  }

  /** Transport stats (mediasoup shape: an array with one entry). */
  async getStats(): Promise<Record<string, unknown>[]> {
    this.assertOpen();
    return await this.channel.request('transport.getStats', this.#id);
  }

  /** Caps the bitrate the remote may send (announced to senders by REMB). 0 removes the cap. */
  async setMaxIncomingBitrate(bitrate: number): Promise<void> {
    this.assertOpen();
    if (typeof bitrate !== 'number' || bitrate < 0) throw new TypeError('bitrate must be a non-negative number');
    await this.channel.request('transport.setMaxIncomingBitrate', this.#id, { bitrate });
  }

  /** Accepted for compatibility (no congestion control towards consumers in this version). */
  async setMaxOutgoingBitrate(bitrate: number): Promise<void> {
    this.assertOpen();
    if (typeof bitrate !== 'number' || bitrate < 0) throw new TypeError('bitrate must be a non-negative number');
  }

  /** Accepted for compatibility; trace events are not produced in this version. */
  async enableTraceEvent(_types: string[] = []): Promise<void> {
    this.assertOpen();
  }

  /**
   * Creates a producer: the remote (or, on a DirectTransport, `producer.send()`) sends media
   * with `rtpParameters`.
   * Several encodings make a simulcast producer (RID-based as mediasoup-client sends them, or
   * with SSRCs), at most three.
   * @throws {InvalidStateError} if closed; {@link UnsupportedError} if no codec matches or for
   *   more than three encodings or simulcast audio;
   *   `TypeError` on bad parameters or an SSRC/MID already in use.
   */
  async produce<ProducerAppData extends AppData = AppData>(options: ProducerOptions<ProducerAppData>): Promise<Producer<ProducerAppData>> {
    this.assertOpen();
    const {
      id = randomUUID(),
      kind,
      rtpParameters,
      paused = false,
      appData,
      e2eeTrailerCheck,
    } = options ?? ({} as ProducerOptions<ProducerAppData>);
    if (e2eeTrailerCheck !== undefined && !validTrailerCheck(e2eeTrailerCheck))
      throw new TypeError('e2eeTrailerCheck needs versions (0..3) and prefixLengths (0..65535) as non-empty integer arrays');
    if (kind !== 'audio' && kind !== 'video') throw new TypeError(`invalid kind "${String(kind)}"`);
    if (appData !== undefined && (typeof appData !== 'object' || appData === null))
      throw new TypeError('if given, appData must be an object');
    if (this.#router.getProducerById(id)) throw new InvalidStateError(`a Producer with same id "${id}" already exists`);
    const params = structuredClone(rtpParameters) as RtpParameters;
    // As mediasoup: omitted encodings become [] (ortc), and a producer needs at least one.
    validateRtpParameters(params);
    if (!params.encodings || params.encodings.length === 0) throw new TypeError('empty rtpParameters.encodings');
    const encodingCount = params.encodings.length;
    if (encodingCount > 1) {
      if (kind !== 'video') throw new UnsupportedError('simulcast audio is not supported');
      if (encodingCount > MAX_SIMULCAST_ENCODINGS)
        throw new UnsupportedError(`at most ${MAX_SIMULCAST_ENCODINGS} simulcast encodings are supported`);
      for (const e of params.encodings!) {
        if (e.ssrc === undefined && !e.rid) throw new TypeError('each simulcast encoding needs a rid or an ssrc');
      }
    }
    if (!this.#direct && params.mid === undefined && !(params.encodings ?? []).every((e) => e.ssrc !== undefined)) {
      throw new TypeError('rtpParameters need a mid or SSRCs in every encoding');
    }
    // As mediasoup: one CNAME for all producers of a transport, the first one given or a random one
    // (Chromium's RID-only simulcast signals none, and receivers need one for their stream id).
    if (!this.#cnameForProducers) this.#cnameForProducers = params.rtcp?.cname || randomUUID().slice(0, 8);
    params.rtcp = { ...params.rtcp, cname: this.#cnameForProducers };
    const caps = this.#router.getRouterRtpCapabilities();
    const rtpMapping = getProducerRtpParametersMapping(params, caps);
    const consumableRtpParameters = getConsumableRtpParameters(kind, params, caps, rtpMapping);
    const res = await this.channel.request('transport.produce', this.#id, {
      producerId: id,
      kind,
      rtpParameters: params,
      rtpMapping,
      consumableRtpParameters,
      paused,
      ...(e2eeTrailerCheck ? { e2eeTrailerCheck } : {}),
    });
    const producer = new Producer<ProducerAppData>({
      id,
      kind,
      rtpParameters: params,
      consumableRtpParameters,
      type: res.type,
      paused,
      channel: this.channel,
      direct: this.#direct,
      ...(appData ? { appData } : {}),
    });
    this.#producers.set(id, producer as unknown as Producer);
    producer.on('@close', () => {
      this.#producers.delete(id);
      (this as EnhancedEventEmitter<TransportEvents>).emit('@producerclose', producer as unknown as Producer);
    });
    (this as EnhancedEventEmitter<TransportEvents>).emit('@newproducer', producer as unknown as Producer);
    (this.#observer as EnhancedEventEmitter<TransportObserverEvents>).safeEmit('newproducer', producer as unknown as Producer);
    return producer;
  }

  /**
   * Creates a consumer of `producerId` for a remote with `rtpCapabilities`.
   * @throws {InvalidStateError} if closed or the producer does not exist;
   *   {@link UnsupportedError} if the remote cannot receive any of the producer's codecs.
   */
  async consume<ConsumerAppData extends AppData = AppData>(options: ConsumerOptions<ConsumerAppData>): Promise<Consumer<ConsumerAppData>> {
    this.assertOpen();
    const {
      producerId,
      paused = false,
      mid,
      enableRtx,
      pipe = false,
      preferredLayers,
      appData,
    } = options ?? ({} as ConsumerOptions<ConsumerAppData>);
    if (preferredLayers !== undefined && typeof preferredLayers?.spatialLayer !== 'number')
      throw new TypeError('if given, preferredLayers needs a spatialLayer');
    if (typeof producerId !== 'string' || !producerId) throw new TypeError('missing producerId');
    if (pipe) throw new TypeError('pipe consumers are not supported');
    if (appData !== undefined && (typeof appData !== 'object' || appData === null))
      throw new TypeError('if given, appData must be an object');
    if (mid !== undefined && (typeof mid !== 'string' || mid.length === 0)) throw new TypeError('if given, mid must be a non-empty string');
    const producer = this.#router.getProducerById(producerId);
    if (!producer) throw new InvalidStateError(`Producer with id "${producerId}" not found`);
    let rtpCapabilities = options.rtpCapabilities;
    if (this.#direct) rtpCapabilities = this.#router.getRouterRtpCapabilities();
    if (!rtpCapabilities) throw new TypeError('missing rtpCapabilities');
    rtpCapabilities = structuredClone(rtpCapabilities);
    validateRtpCapabilities(rtpCapabilities);
    const rtpParameters = getConsumerRtpParameters({
      consumableRtpParameters: producer.consumableRtpParameters,
      remoteRtpCapabilities: rtpCapabilities,
      pipe: false,
      enableRtx: this.#direct ? false : (enableRtx ?? producer.kind === 'video'),
    });
    if (!this.#direct) {
      rtpParameters.mid = mid ?? String(this.#nextMid++);
      if (this.#nextMid === 100_000_000) this.#nextMid = 0;
    }
    const id = randomUUID();
    const res = await this.channel.request('transport.consume', this.#id, {
      consumerId: id,
      producerId,
      kind: producer.kind,
      rtpParameters,
      paused,
      preferredLayers,
    });
    const type: ConsumerType =
      (producer.type === 'simulcast' || producer.type === 'svc') && producer.kind === 'video' ? producer.type : 'simple';
    const consumer = new Consumer<ConsumerAppData>({
      id,
      producerId,
      kind: producer.kind,
      rtpParameters,
      type,
      paused,
      producerPaused: res.producerPaused,
      score: res.score,
      preferredLayers: res.preferredLayers,
      channel: this.channel,
      ...(appData ? { appData } : {}),
    });
    this.#consumers.set(id, consumer as unknown as Consumer);
    const remove = (): void => {
      this.#consumers.delete(id);
    };
    consumer.on('@close', remove);
    consumer.on('@producerclose', remove);
    (this.#observer as EnhancedEventEmitter<TransportObserverEvents>).safeEmit('newconsumer', consumer as unknown as Consumer);
    return consumer;
  }

  /** @internal */
  protected assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('Transport closed');
  }

  /** @internal Test hook: sets random packet drop percentages on this transport. */
  protected async setFaults(faults: TransportFaultOptions): Promise<TransportFaultOptions> {
    this.assertOpen();
    return await this.channel.request('transport.setFaults', this.#id, faults);
  }
}

/** Whether `o` is a well-formed {@link ProducerOptions.e2eeTrailerCheck}. */
function validTrailerCheck(o: unknown): boolean {
  if (typeof o !== 'object' || o === null) return false;
  const ints = (v: unknown, max: number): boolean =>
    Array.isArray(v) && v.length > 0 && v.length <= 16 && v.every((x) => Number.isInteger(x) && x >= 0 && x <= max);
  const c = o as { versions?: unknown; prefixLengths?: unknown };
  return ints(c.versions, 3) && ints(c.prefixLengths, 0xffff);
}
