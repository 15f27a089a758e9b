import { EnhancedEventEmitter } from '../common/enhanced-event-emitter.js';
import type { AppData } from '../common/app-data.js';
import { InvalidStateError } from '../errors.js';
import type { MediaKind, RtpParameters } from '../types/index.js';
import type { Channel } from '../worker/channel.js';

/** Options of `transport.produce()` (mediasoup's `ProducerOptions`). */
export interface ProducerOptions<ProducerAppData extends AppData = AppData> {
  /** Producer id (default: a random UUID). */
  id?: string;
  /** Media kind. */
  kind: MediaKind;
  /** RTP parameters the remote sends with. */
  rtpParameters: RtpParameters;
  /** Start paused. Default false. */
  paused?: boolean;
  /** Accepted for compatibility; keyframe requests are always delayed/throttled by the engine. */
  keyFrameRequestDelay?: number;
  /** Application data. */
  appData?: ProducerAppData;
  /**
   * Alcove extension (not in mediasoup): check that every frame ends with an Alcove E2EE trailer
   * of an accepted version and clear-prefix length (Opus, VP8 and VP9 only). On the first frame
   * without one the producer stops forwarding and emits `e2eetrailermissing`; closing it is up to
   * the application. The check cannot decrypt: it proves frames are shaped like E2EE frames, not
   * that they are encrypted (docs/e2ee.md).
   */
  e2eeTrailerCheck?: { readonly versions: readonly number[]; readonly prefixLengths: readonly number[] };
}

/** Data of a producer's `e2eetrailermissing` event. */
export interface E2eeTrailerMissing {
  /** `version`: the last byte has no accepted version; `prefix`: the clear-prefix length is not the codec's; `length`: the frame is too short for its trailer. */
  reason: 'version' | 'prefix' | 'length';
  /** Frames that passed before this one. */
  framesPassed: number;
}

/**
 * Producer type: `'simulcast'` with several encodings or one VP8 encoding with temporal layers
 * (`scalabilityMode` `L1T2`/`L1T3`, as mediasoup), `'svc'` for one VP9 encoding whose
 * `scalabilityMode` has several layers, else `'simple'`.
 */
export type ProducerType = 'simple' | 'simulcast' | 'svc';

/** Score of one producer encoding (0..10, from loss; 0 once the encoding stopped arriving). */
export interface ProducerScore {
  encodingIdx: number;
  ssrc: number;
  rid?: string;
  score: number;
}

/** Events of a {@link Producer}. */
export type ProducerEvents = {
  transportclose: [];
  score: [score: ProducerScore[]];
  videoorientationchange: [orientation: { camera: boolean; flip: boolean; rotation: number }];
  trace: [trace: unknown];
  /** A frame arrived without a valid E2EE trailer (only with `e2eeTrailerCheck`); the producer forwards nothing more. */
  e2eetrailermissing: [info: E2eeTrailerMissing];
  '@close': [];
};

/** Events of `producer.observer`. */
export type ProducerObserverEvents = {
  close: [];
  pause: [];
  resume: [];
  score: [score: ProducerScore[]];
  videoorientationchange: [orientation: { camera: boolean; flip: boolean; rotation: number }];
  trace: [trace: unknown];
};

/** @internal */
export interface ProducerConstructorOptions<ProducerAppData extends AppData> {
  id: string;
  kind: MediaKind;
  rtpParameters: RtpParameters;
  consumableRtpParameters: RtpParameters;
  type: ProducerType;
  paused: boolean;
  channel: Channel;
  direct: boolean;
  appData?: ProducerAppData;
}

/**
 * A media source received by a transport (mediasoup's `Producer`). Created by
 * `transport.produce()`.
 * @example
 * const producer = await transport.produce({ kind: 'video', rtpParameters });
 * producer.on('score', (s) => console.log(s));
 */
export class Producer<ProducerAppData extends AppData = AppData> extends EnhancedEventEmitter<ProducerEvents> {
  readonly #id: string;
  readonly #kind: MediaKind;
  readonly #rtpParameters: RtpParameters;
  readonly #consumableRtpParameters: RtpParameters;
  readonly #type: ProducerType;
  readonly #channel: Channel;
  readonly #direct: boolean;
  #closed = false;
  #paused: boolean;
  #score: ProducerScore[] = [];
  /** pause()/resume() run one after another, so each state change emits one event. */
  #pauseQueue: Promise<unknown> = Promise.resolve();
  #appData: ProducerAppData;
  readonly #observer = new EnhancedEventEmitter<ProducerObserverEvents>();

  /** @internal */
  constructor(o: ProducerConstructorOptions<ProducerAppData>) {
    super();
    this.#id = o.id;
    this.#kind = o.kind;
    this.#rtpParameters = o.rtpParameters;
    this.#consumableRtpParameters = o.consumableRtpParameters;
    this.#type = o.type;
    this.#paused = o.paused;
    this.#channel = o.channel;
    this.#direct = o.direct;
    this.#appData = o.appData ?? ({} as ProducerAppData);
    this.#channel.on(this.#id, (event, data) => {
      if (event === 'score') {
        this.#score = data as ProducerScore[];
        this.safeEmit('score', this.#score);
        this.#observer.safeEmit('score', this.#score);
      } else if (event === 'e2eetrailermissing') {
        this.safeEmit('e2eetrailermissing', data as E2eeTrailerMissing);
      }
    });
  }

  /** Producer id. */
  get id(): string {
    return this.#id;
  }
  /** Whether the producer is closed. */
  get closed(): boolean {
    return this.#closed;
  }
  /** Media kind. */
  get kind(): MediaKind {
    return this.#kind;
  }
  /** RTP parameters the remote sends with. */
  get rtpParameters(): RtpParameters {
    return this.#rtpParameters;
  }
  /** Producer type. */
  get type(): ProducerType {
    return this.#type;
  }
  /** RTP parameters as seen by consumers (router payload types, mapped SSRCs). */
  get consumableRtpParameters(): RtpParameters {
    return this.#consumableRtpParameters;
  }
  /** Whether the producer is paused. */
  get paused(): boolean {
    return this.#paused;
  }
  /** Latest per-encoding scores. */
  get score(): ProducerScore[] {
    return this.#score;
  }
  /** Application data. */
  get appData(): ProducerAppData {
    return this.#appData;
  }
  set appData(v: ProducerAppData) {
    this.#appData = v;
  }
  /** Observer (`close`, `pause`, `resume`, `score`). */
  get observer(): EnhancedEventEmitter<ProducerObserverEvents> {
    return this.#observer;
  }

  /** Closes the producer and its consumers. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channel.off(this.#id);
    this.#channel.requestQuietly('producer.close', this.#id);
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
    return this.#channel.request('producer.dump', this.#id);
  }

  /** `inbound-rtp` stats per encoding. */
  async getStats(): Promise<Record<string, unknown>[]> {
    this.#assertOpen();
    return await this.#channel.request('producer.getStats', this.#id);
  }

  /**
   * Stops forwarding to consumers (they get `producerpause`). Calls are applied in order, even
   * when not awaited: `observer` emits `pause` once per change from resumed to paused.
   */
  async pause(): Promise<void> {
    this.#assertOpen();
    await this.#setPaused(true);
  }

  /** Resumes forwarding (video consumers wait for a keyframe, which is requested); `resume` once per change. */
  async resume(): Promise<void> {
    this.#assertOpen();
    await this.#setPaused(false);
  }

  #setPaused(paused: boolean): Promise<void> {
    const run = async (): Promise<void> => {
      if (this.#closed) throw new InvalidStateError('Producer closed');
      if (this.#paused === paused) return;
      await this.#channel.request(paused ? 'producer.pause' : 'producer.resume', this.#id);
      if (this.#paused === paused) return;
      this.#paused = paused;
      this.#observer.safeEmit(paused ? 'pause' : 'resume');
    };
    const p = this.#pauseQueue.then(run, run);
    this.#pauseQueue = p.catch(() => undefined);
    return p;
  }

  /** Accepted for compatibility; trace events are not produced in this version. */
  async enableTraceEvent(_types: string[] = []): Promise<void> {
    this.#assertOpen();
  }

  /**
   * Injects one RTP packet (DirectTransport producers only), as if received from the network.
   * @throws {InvalidStateError} if closed or not a DirectTransport producer.
   */
  send(rtpPacket: Uint8Array): void {
    this.#assertOpen();
    if (!this.#direct) throw new InvalidStateError('send() is only available on DirectTransport producers');
    if (!(rtpPacket instanceof Uint8Array)) throw new TypeError('rtpPacket must be a Buffer/Uint8Array');
    this.#channel.notify('producer.send', this.#id, { packet: rtpPacket });
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('Producer closed');
  }
}
