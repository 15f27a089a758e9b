import { EnhancedEventEmitter } from '../common/enhanced-event-emitter.js';
import type { AppData } from '../common/app-data.js';
import { InvalidStateError } from '../errors.js';
import type { MediaKind, RtpCapabilities, RtpParameters } from '../types/index.js';
import type { Channel } from '../worker/channel.js';

/** Options of `transport.consume()` (mediasoup's `ConsumerOptions`). */
export interface ConsumerOptions<ConsumerAppData extends AppData = AppData> {
  /** The producer to consume. */
  producerId: string;
  /** RTP capabilities of the consuming endpoint (not needed on a DirectTransport). */
  rtpCapabilities?: RtpCapabilities;
  /** Start paused (recommended, then resume once the client is ready). Default false. */
  paused?: boolean;
  /** MID for the consumer (default: a per-transport counter). */
  mid?: string;
  /** Preferred layers of a simulcast or SVC consumer (default: the highest spatial and temporal layer). */
  preferredLayers?: ConsumerLayers;
  /** Accepted for compatibility. */
  ignoreDtx?: boolean;
  /** Offer RTX when the remote supports it. Default true for video. */
  enableRtx?: boolean;
  /** Pipe consumer (not supported in this version). */
  pipe?: boolean;
  /** Application data. */
  appData?: ConsumerAppData;
}

/** Spatial/temporal layers. */
export interface ConsumerLayers {
  spatialLayer: number;
  temporalLayer?: number;
}

/** A consumer's score (0..10) and its producer's. */
export interface ConsumerScore {
  /** From the receiver's reported loss. */
  score: number;
  /** Score of the producer encoding being forwarded (simulcast: the current spatial layer; 0 before one). */
  producerScore: number;
  /** Score of each producer encoding, in encoding order (0 for one not received yet). */
  producerScores: number[];
}

/** Consumer type: `'simulcast'` / `'svc'` for a simulcast / SVC producer's video, else `'simple'` (`'pipe'` not produced). */
export type ConsumerType = 'simple' | 'simulcast' | 'svc' | 'pipe';

/** Events of a {@link Consumer}. */
export type ConsumerEvents = {
  transportclose: [];
  producerclose: [];
  producerpause: [];
  producerresume: [];
  score: [score: ConsumerScore];
  layerschange: [layers?: ConsumerLayers];
  trace: [trace: unknown];
  /** DirectTransport consumers: one forwarded RTP packet (rewritten for this consumer). */
  rtp: [rtpPacket: Buffer];
  '@close': [];
  '@producerclose': [];
};

/** Events of `consumer.observer`. */
export type ConsumerObserverEvents = {
  close: [];
  pause: [];
  resume: [];
  score: [score: ConsumerScore];
  layerschange: [layers?: ConsumerLayers];
  trace: [trace: unknown];
};

/** @internal */
export interface ConsumerConstructorOptions<ConsumerAppData extends AppData> {
  id: string;
  producerId: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  type: ConsumerType;
  paused: boolean;
  producerPaused: boolean;
  score: ConsumerScore;
  preferredLayers?: ConsumerLayers | undefined;
  channel: Channel;
  appData?: ConsumerAppData;
}

/**
 * A media sink on a transport fed by one producer (mediasoup's `Consumer`). Created by
 * `transport.consume()`.
 * @example
 * const consumer = await transport.consume({ producerId, rtpCapabilities, paused: true });
 * // send consumer.rtpParameters to the client, then:
 * await consumer.resume();
 */
export class Consumer<ConsumerAppData extends AppData = AppData> extends EnhancedEventEmitter<ConsumerEvents> {
  readonly #id: string;
  readonly #producerId: string;
  readonly #kind: MediaKind;
  readonly #rtpParameters: RtpParameters;
  readonly #type: ConsumerType;
  readonly #channel: Channel;
  #closed = false;
  #paused: boolean;
  #producerPaused: boolean;
  #score: ConsumerScore;
  #preferredLayers: ConsumerLayers | undefined;
  #currentLayers: ConsumerLayers | undefined;
  #priority = 1;
  /** pause()/resume() run one after another, so each state change emits one event. */
  #pauseQueue: Promise<unknown> = Promise.resolve();
  #appData: ConsumerAppData;
  readonly #observer = new EnhancedEventEmitter<ConsumerObserverEvents>();

  /** @internal */
  constructor(o: ConsumerConstructorOptions<ConsumerAppData>) {
    super();
    this.#id = o.id;
    this.#producerId = o.producerId;
    this.#kind = o.kind;
    this.#rtpParameters = o.rtpParameters;
    this.#type = o.type;
    this.#paused = o.paused;
    this.#producerPaused = o.producerPaused;
    this.#score = o.score;
    this.#preferredLayers = o.preferredLayers;
    this.#channel = o.channel;
    this.#appData = o.appData ?? ({} as ConsumerAppData);
    this.#channel.on(this.#id, (event, data) => this.#onEvent(event, data));
  }

  /** Consumer id. */
  get id(): string {
    return this.#id;
  }
  /** Id of the consumed producer. */
  get producerId(): string {
    return this.#producerId;
  }
  /** Whether the consumer is closed. */
  get closed(): boolean {
    return this.#closed;
  }
  /** Media kind. */
  get kind(): MediaKind {
    return this.#kind;
  }
  /** RTP parameters to give the consuming client. */
  get rtpParameters(): RtpParameters {
    return this.#rtpParameters;
  }
  /** Consumer type. */
  get type(): ConsumerType {
    return this.#type;
  }
  /** Whether the consumer is paused (locally). */
  get paused(): boolean {
    return this.#paused;
  }
  /** Whether its producer is paused. */
  get producerPaused(): boolean {
    return this.#producerPaused;
  }
  /** Priority (accepted; no effect without congestion control). */
  get priority(): number {
    return this.#priority;
  }
  /** Latest score. */
  get score(): ConsumerScore {
    return this.#score;
  }
  /** Preferred layers. */
  get preferredLayers(): ConsumerLayers | undefined {
    return this.#preferredLayers;
  }
  /** Layers being forwarded (simulcast/SVC; undefined before the first key frame and for a single layer). */
  get currentLayers(): ConsumerLayers | undefined {
    return this.#currentLayers;
  }
  /** Application data. */
  get appData(): ConsumerAppData {
    return this.#appData;
  }
  set appData(v: ConsumerAppData) {
    this.#appData = v;
  }
  /** Observer (`close`, `pause`, `resume`, `score`, `layerschange`). */
  get observer(): EnhancedEventEmitter<ConsumerObserverEvents> {
    return this.#observer;
  }

  /** Closes the consumer. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channel.off(this.#id);
    this.#channel.requestQuietly('consumer.close', this.#id);
    this.emit('@close');
    this.#observer.safeEmit('close');
  }

  /** @internal The transport closed. */
  transportClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channel.off(this.#id);
    this.safeEmit('transportclose');
    this.#observer.safeEmit('close');
  }

  /** Engine-side state. */
  async dump(): Promise<unknown> {
    this.#assertOpen();
    return this.#channel.request('consumer.dump', this.#id);
  }

  /** `[outbound-rtp of this consumer, inbound-rtp of the producer…]`. */
  async getStats(): Promise<Record<string, unknown>[]> {
    this.#assertOpen();
    return await this.#channel.request('consumer.getStats', this.#id);
  }

  /**
   * Stops forwarding to this consumer. Calls are applied in order, even when not awaited:
   * `observer` emits `pause` once per change from resumed to paused (as mediasoup, not while its
   * producer is paused, which already emitted it).
   */
  async pause(): Promise<void> {
    this.#assertOpen();
    await this.#setPaused(true);
  }

  /** Resumes forwarding; video restarts at a keyframe, which the engine requests. `resume` once per change. */
  async resume(): Promise<void> {
    this.#assertOpen();
    await this.#setPaused(false);
  }

  #setPaused(paused: boolean): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#closed) throw new InvalidStateError('Consumer closed');
      if (this.#paused === paused) return;
      await this.#channel.request(paused ? 'consumer.pause' : 'consumer.resume', this.#id);
      if (this.#paused === paused) return;
      this.#paused = paused;
      if (!this.#producerPaused) this.#observer.safeEmit(paused ? 'pause' : 'resume');
    };
    const p = this.#pauseQueue.then(run, run);
    this.#pauseQueue = p.catch(() => undefined);
    return p;
  }

  /**
   * Sets the preferred layers. A simulcast consumer switches to that spatial layer at its next
   * keyframe (which the engine requests) and emits `layerschange`; every temporal layer of it is
   * forwarded. An SVC consumer goes down at the next picture, up a spatial layer at the next key
   * picture (requested) and up a temporal layer at the next switching-up point, and emits
   * `layerschange`. No effect on a single-layer consumer (`preferredLayers` stays undefined).
   * @example
   * await consumer.setPreferredLayers({ spatialLayer: 0 }); // lowest resolution
   * @throws {InvalidStateError} if closed; `TypeError` without a numeric `spatialLayer`.
   */
  async setPreferredLayers(layers: ConsumerLayers): Promise<void> {
    this.#assertOpen();
    if (typeof layers?.spatialLayer !== 'number') throw new TypeError('missing spatialLayer');
    const res = await this.#channel.request('consumer.setPreferredLayers', this.#id, layers);
    this.#preferredLayers = res ? { ...res } : undefined;
  }

  /** Sets the priority (stored; no effect without congestion control). */
  async setPriority(priority: number): Promise<void> {
    this.#assertOpen();
    if (typeof priority !== 'number' || priority < 1) throw new TypeError('wrong priority');
    this.#priority = priority;
  }

  /** Resets the priority to 1. */
  async unsetPriority(): Promise<void> {
    await this.setPriority(1);
  }

  /** Asks the producer's sender for a keyframe (throttled by the engine). */
  async requestKeyFrame(): Promise<void> {
    this.#assertOpen();
    await this.#channel.request('consumer.requestKeyFrame', this.#id);
  }

  /** Accepted for compatibility; trace events are not produced in this version. */
  async enableTraceEvent(_types: string[] = []): Promise<void> {
    this.#assertOpen();
  }

  #onEvent(event: string, data: unknown): void {
    switch (event) {
      case 'producerclose':
        if (this.#closed) return;
        this.#closed = true;
        this.#channel.off(this.#id);
        this.emit('@producerclose');
        this.safeEmit('producerclose');
        this.#observer.safeEmit('close');
        break;
      case 'producerpause':
        if (this.#producerPaused) return;
        this.#producerPaused = true;
        this.safeEmit('producerpause');
        if (!this.#paused) this.#observer.safeEmit('pause');
        break;
      case 'producerresume':
        if (!this.#producerPaused) return;
        this.#producerPaused = false;
        this.safeEmit('producerresume');
        if (!this.#paused) this.#observer.safeEmit('resume');
        break;
      case 'score':
        this.#score = data as ConsumerScore;
        this.safeEmit('score', this.#score);
        this.#observer.safeEmit('score', this.#score);
        break;
      case 'layerschange':
        this.#currentLayers = data as ConsumerLayers | undefined;
        this.safeEmit('layerschange', this.#currentLayers);
        this.#observer.safeEmit('layerschange', this.#currentLayers);
        break;
      case 'rtp': {
        const u = data as Uint8Array;
        this.safeEmit('rtp', Buffer.from(u.buffer, u.byteOffset, u.byteLength));
        break;
      }
      default:
        break;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('Consumer closed');
  }
}
