import type { AppData } from '../common/app-data.js';
import { EnhancedEventEmitter, type EventMap } from '../common/enhanced-event-emitter.js';
import { InvalidStateError } from '../errors.js';
import type { Producer } from '../producer/producer.js';
import type { Channel } from '../worker/channel.js';

/** Events every RTP observer emits. */
export type RtpObserverEvents = {
  routerclose: [];
  '@close': [];
};

/** Observer events every RTP observer emits. */
export type RtpObserverObserverEvents = {
  close: [];
  pause: [];
  resume: [];
  addproducer: [producer: Producer];
  removeproducer: [producer: Producer];
};

/** Options of `observer.addProducer()` / `removeProducer()`. */
export interface RtpObserverAddRemoveProducerOptions {
  /** An audio producer of the observer's router. */
  producerId: string;
}

/** @internal */
export interface RtpObserverConstructorOptions<ObserverAppData extends AppData> {
  id: string;
  channel: Channel;
  getProducerById(id: string): Producer | undefined;
  appData?: ObserverAppData;
}

/**
 * Base of {@link AudioLevelObserver} and {@link ActiveSpeakerObserver} (mediasoup's
 * `RtpObserver`): a set of audio producers of one router whose audio level (the
 * `ssrc-audio-level` RTP header extension) is watched.
 */
export abstract class RtpObserver<
  ObserverAppData extends AppData = AppData,
  Events extends EventMap = RtpObserverEvents,
  ObserverEvents extends EventMap = RtpObserverObserverEvents,
> extends EnhancedEventEmitter<Events & RtpObserverEvents> {
  readonly #id: string;
  /** @internal */
  protected readonly channel: Channel;
  readonly #getProducerById: (id: string) => Producer | undefined;
  readonly #producers = new Map<string, { producer: Producer; onClose: () => void }>();
  #closed = false;
  #paused = false;
  #appData: ObserverAppData;
  readonly #observer = new EnhancedEventEmitter<ObserverEvents & RtpObserverObserverEvents>();

  /** @internal */
  constructor(o: RtpObserverConstructorOptions<ObserverAppData>) {
    super();
    this.#id = o.id;
    this.channel = o.channel;
    this.#getProducerById = o.getProducerById;
    this.#appData = o.appData ?? ({} as ObserverAppData);
  }

  /** Observer id. */
  get id(): string {
    return this.#id;
  }
  /** Whether it is closed. */
  get closed(): boolean {
    return this.#closed;
  }
  /** Whether it is paused (no events while paused). */
  get paused(): boolean {
    return this.#paused;
  }
  /** Application data. */
  get appData(): ObserverAppData {
    return this.#appData;
  }
  set appData(v: ObserverAppData) {
    this.#appData = v;
  }
  /** Observer (`close`, `pause`, `resume`, `addproducer`, `removeproducer`, and the subclass's events). */
  get observer(): EnhancedEventEmitter<ObserverEvents & RtpObserverObserverEvents> {
    return this.#observer;
  }

  /** @internal The producer of an id this observer watches. */
  protected observedProducer(id: string): Producer | undefined {
    return this.#producers.get(id)?.producer;
  }

  /** Closes the observer. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach();
    this.channel.requestQuietly('rtpObserver.close', this.#id);
    (this as EnhancedEventEmitter<RtpObserverEvents>).emit('@close');
    (this.#observer as EnhancedEventEmitter<RtpObserverObserverEvents>).safeEmit('close');
  }

  /** @internal The router closed. */
  routerClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach();
    (this as EnhancedEventEmitter<RtpObserverEvents>).safeEmit('routerclose');
    (this.#observer as EnhancedEventEmitter<RtpObserverObserverEvents>).safeEmit('close');
  }

  /** Stops the observer's events until {@link RtpObserver.resume}. */
  async pause(): Promise<void> {
    this.#assertOpen();
    const was = this.#paused;
    this.#paused = true;
    await this.channel.request('rtpObserver.pause', this.#id);
    if (!was) (this.#observer as EnhancedEventEmitter<RtpObserverObserverEvents>).safeEmit('pause');
  }

  /** Resumes the observer's events. */
  async resume(): Promise<void> {
    this.#assertOpen();
    const was = this.#paused;
    this.#paused = false;
    await this.channel.request('rtpObserver.resume', this.#id);
    if (was) (this.#observer as EnhancedEventEmitter<RtpObserverObserverEvents>).safeEmit('resume');
  }

  /**
   * Starts watching an audio producer of the router.
   * @throws `TypeError` without a producerId, for an unknown or a video producer;
   *   {@link InvalidStateError} if closed.
   */
  async addProducer({ producerId }: RtpObserverAddRemoveProducerOptions): Promise<void> {
    this.#assertOpen();
    if (typeof producerId !== 'string' || !producerId) throw new TypeError('missing producerId');
    const producer = this.#getProducerById(producerId);
    if (!producer) throw new TypeError(`Producer with id "${producerId}" not found`);
    if (producer.kind !== 'audio') throw new TypeError('only audio producers can be observed');
    if (this.#producers.has(producerId)) return;
    await this.channel.request('rtpObserver.addProducer', this.#id, { producerId });
    const onClose = (): void => this.#forget(producerId);
    this.#producers.set(producerId, { producer, onClose });
    producer.observer.once('close', onClose);
    (this.#observer as EnhancedEventEmitter<RtpObserverObserverEvents>).safeEmit('addproducer', producer);
  }

  /** Stops watching a producer. */
  async removeProducer({ producerId }: RtpObserverAddRemoveProducerOptions): Promise<void> {
    this.#assertOpen();
    if (typeof producerId !== 'string' || !producerId) throw new TypeError('missing producerId');
    if (!this.#producers.has(producerId)) return;
    await this.channel.request('rtpObserver.removeProducer', this.#id, { producerId });
    this.#forget(producerId);
  }

  #forget(producerId: string): void {
    const e = this.#producers.get(producerId);
    if (!e) return;
    this.#producers.delete(producerId);
    e.producer.observer.off('close', e.onClose);
    (this.#observer as EnhancedEventEmitter<RtpObserverObserverEvents>).safeEmit('removeproducer', e.producer);
  }

  #detach(): void {
    this.channel.off(this.#id);
    for (const { producer, onClose } of this.#producers.values()) producer.observer.off('close', onClose);
    this.#producers.clear();
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('RtpObserver closed');
  }
}
