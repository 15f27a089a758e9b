import type { AppData } from '../common/app-data.js';
import type { EnhancedEventEmitter } from '../common/enhanced-event-emitter.js';
import type { Producer } from '../producer/producer.js';
import { RtpObserver, type RtpObserverConstructorOptions, type RtpObserverEvents, type RtpObserverObserverEvents } from './rtp-observer.js';

/** Options of `router.createActiveSpeakerObserver()` (mediasoup's `ActiveSpeakerObserverOptions`). */
export interface ActiveSpeakerObserverOptions<ObserverAppData extends AppData = AppData> {
  /** How often (ms) the dominant speaker is re-evaluated. Default 300. */
  interval?: number;
  appData?: ObserverAppData;
}

/** The data of a `dominantspeaker` event. */
export interface ActiveSpeakerObserverDominantSpeaker {
  /** The producer of the new dominant speaker. */
  producer: Producer;
}

/** Events of an {@link ActiveSpeakerObserver}. */
export type ActiveSpeakerObserverEvents = RtpObserverEvents & {
  /** A new dominant speaker (emitted on changes only). */
  dominantspeaker: [dominantSpeaker: ActiveSpeakerObserverDominantSpeaker];
};

/** Observer events of an {@link ActiveSpeakerObserver}. */
export type ActiveSpeakerObserverObserverEvents = RtpObserverObserverEvents & {
  dominantspeaker: [dominantSpeaker: ActiveSpeakerObserverDominantSpeaker];
};

/**
 * Tells who is speaking in a group (mediasoup's `ActiveSpeakerObserver`), from the
 * `ssrc-audio-level` header extension: each producer's share of voiced packets, smoothed over about
 * two seconds; a new dominant speaker must be clearly more active than the current one. (mediasoup
 * uses the Volfin–Cohen dominant speaker identification; the events and their meaning are the
 * same, the exact switching moments differ.)
 * @example
 * const speaker = await router.createActiveSpeakerObserver({ interval: 300 });
 * await speaker.addProducer({ producerId: micProducer.id });
 * speaker.on('dominantspeaker', ({ producer }) => highlight(producer.appData));
 */
export class ActiveSpeakerObserver<ObserverAppData extends AppData = AppData> extends RtpObserver<
  ObserverAppData,
  ActiveSpeakerObserverEvents,
  ActiveSpeakerObserverObserverEvents
> {
  /** @internal */
  constructor(o: RtpObserverConstructorOptions<ObserverAppData>) {
    super(o);
    const self = this as unknown as EnhancedEventEmitter<ActiveSpeakerObserverEvents>;
    const obs = this.observer as unknown as EnhancedEventEmitter<ActiveSpeakerObserverObserverEvents>;
    this.channel.on(this.id, (event, data) => {
      if (event !== 'dominantspeaker') return;
      const producer = this.observedProducer((data as { producerId: string }).producerId);
      if (!producer) return;
      self.safeEmit('dominantspeaker', { producer });
      obs.safeEmit('dominantspeaker', { producer });
    });
  }
}
