import type { AppData } from '../common/app-data.js';
import type { EnhancedEventEmitter } from '../common/enhanced-event-emitter.js';
import type { Producer } from '../producer/producer.js';
import { RtpObserver, type RtpObserverConstructorOptions, type RtpObserverEvents, type RtpObserverObserverEvents } from './rtp-observer.js';

/** Options of `router.createAudioLevelObserver()` (mediasoup's `AudioLevelObserverOptions`). */
export interface AudioLevelObserverOptions<ObserverAppData extends AppData = AppData> {
  /** Most producers in a `volumes` event. Default 1. */
  maxEntries?: number;
  /** Least average level (dBov, -127..0) that counts as sound; quieter is silence. Default -80. */
  threshold?: number;
  /** Interval in ms over which levels are averaged and reported. Default 1000. */
  interval?: number;
  appData?: ObserverAppData;
}

/** One entry of a `volumes` event. */
export interface AudioLevelObserverVolume {
  /** The producer. */
  producer: Producer;
  /** Its average level over the interval, in dBov (-127..0, 0 loudest). */
  volume: number;
}

/** Events of an {@link AudioLevelObserver}. */
export type AudioLevelObserverEvents = RtpObserverEvents & {
  /** The producers at or above `threshold`, loudest first, at most `maxEntries`; every `interval` ms. */
  volumes: [volumes: AudioLevelObserverVolume[]];
  /** None of the producers is at or above `threshold` (once, until `volumes` again). */
  silence: [];
};

/** Observer events of an {@link AudioLevelObserver}. */
export type AudioLevelObserverObserverEvents = RtpObserverObserverEvents & {
  volumes: [volumes: AudioLevelObserverVolume[]];
  silence: [];
};

/**
 * Reports the loudest audio producers of a router every `interval` (mediasoup's
 * `AudioLevelObserver`), from the `ssrc-audio-level` RTP header extension the senders add. That
 * extension is outside the encrypted frame: with E2EE the SFU still learns how loud each
 * participant is; a session that drops the extension for privacy gets `silence` only.
 * @example
 * const levels = await router.createAudioLevelObserver({ maxEntries: 3, threshold: -60, interval: 500 });
 * await levels.addProducer({ producerId: micProducer.id });
 * levels.on('volumes', (v) => show(v.map(({ producer, volume }) => [producer.appData, volume])));
 */
export class AudioLevelObserver<ObserverAppData extends AppData = AppData> extends RtpObserver<
  ObserverAppData,
  AudioLevelObserverEvents,
  AudioLevelObserverObserverEvents
> {
  /** @internal */
  constructor(o: RtpObserverConstructorOptions<ObserverAppData>) {
    super(o);
    const self = this as unknown as EnhancedEventEmitter<AudioLevelObserverEvents>;
    const obs = this.observer as unknown as EnhancedEventEmitter<AudioLevelObserverObserverEvents>;
    this.channel.on(this.id, (event, data) => {
      if (event === 'volumes') {
        const volumes: AudioLevelObserverVolume[] = [];
        for (const { producerId, volume } of data as { producerId: string; volume: number }[]) {
          const producer = this.observedProducer(producerId);
          if (producer) volumes.push({ producer, volume });
        }
        if (volumes.length === 0) return;
        self.safeEmit('volumes', volumes);
        obs.safeEmit('volumes', volumes);
      } else if (event === 'silence') {
        self.safeEmit('silence');
        obs.safeEmit('silence');
      }
    });
  }
}
