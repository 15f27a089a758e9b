/**
 * RTP observers of the engine (mediasoup's `AudioLevelObserver` and `ActiveSpeakerObserver`):
 * both read the `ssrc-audio-level` header extension (RFC 6464) of the audio producers they observe.
 * That extension travels outside the frame, so frame-level E2EE does not hide it; a session that
 * strips it (the server's `dropAudioLevel` policy) leaves both observers silent.
 * @internal
 */
import type { EmitFn } from './context.js';

/** RFC 6464 `urn:ietf:params:rtp-hdrext:ssrc-audio-level`. */
export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/** What an observer needs of a producer. */
export interface ObservedProducer {
  readonly id: string;
  readonly kind: 'audio' | 'video';
  readonly levelSinks: Set<AudioLevelSink>;
}

/** Receives the audio level of every packet of the producers it observes. */
export interface AudioLevelSink {
  /** `level`: 0..127, the level in -dBov (0 is loudest, 127 silence); `voice`: the V bit. */
  onAudioLevel(producer: ObservedProducer, level: number, voice: boolean): void;
}

/** Common part: the producer set, pause/resume, the interval timer, close. */
abstract class EngineRtpObserver implements AudioLevelSink {
  readonly id: string;
  readonly routerId: string;
  paused = false;
  protected readonly producers = new Set<ObservedProducer>();
  protected readonly emit: EmitFn;
  private readonly timer: NodeJS.Timeout;
  /** Errors swallowed in the timer (counted, never thrown). */
  timerErrors = 0;

  constructor(id: string, routerId: string, intervalMs: number, emit: EmitFn) {
    this.id = id;
    this.routerId = routerId;
    this.emit = emit;
    this.timer = setInterval(() => {
      try {
        if (!this.paused) this.onInterval();
      } catch {
        this.timerErrors++;
      }
    }, intervalMs);
    this.timer.unref?.();
  }

  abstract onAudioLevel(producer: ObservedProducer, level: number, voice: boolean): void;
  protected abstract onInterval(): void;
  protected abstract forget(producer: ObservedProducer): void;

  addProducer(p: ObservedProducer): void {
    if (p.kind !== 'audio') throw new TypeError('only audio producers can be observed');
    if (this.producers.has(p)) return;
    this.producers.add(p);
    p.levelSinks.add(this);
  }

  removeProducer(p: ObservedProducer): void {
    if (!this.producers.delete(p)) return;
    p.levelSinks.delete(this);
    this.forget(p);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  close(): void {
    clearInterval(this.timer);
    for (const p of [...this.producers]) this.removeProducer(p);
  }
}

/**
 * mediasoup's `AudioLevelObserver`: every `interval` ms, the average level of each observed
 * producer over the interval (in dBov, -127..0); those at or above `threshold`, loudest first, at
 * most `maxEntries`, as a `volumes` event, or one `silence` event when none is (not repeated
 * while silence lasts).
 */
export class EngineAudioLevelObserver extends EngineRtpObserver {
  private readonly maxEntries: number;
  private readonly threshold: number;
  private readonly sums = new Map<ObservedProducer, { sum: number; count: number }>();
  private silent = true;

  constructor(id: string, routerId: string, o: { maxEntries: number; threshold: number; interval: number }, emit: EmitFn) {
    super(id, routerId, o.interval, emit);
    this.maxEntries = o.maxEntries;
    this.threshold = o.threshold;
  }

  onAudioLevel(producer: ObservedProducer, level: number): void {
    if (this.paused) return;
    const s = this.sums.get(producer);
    if (s) {
      s.sum += level;
      s.count++;
    } else this.sums.set(producer, { sum: level, count: 1 });
  }

  protected onInterval(): void {
    const volumes: { producerId: string; volume: number }[] = [];
    for (const [p, s] of this.sums) {
      if (s.count === 0) continue;
      const volume = -Math.round(s.sum / s.count);
      if (volume >= this.threshold) volumes.push({ producerId: p.id, volume });
    }
    this.sums.clear();
    volumes.sort((a, b) => b.volume - a.volume);
    if (volumes.length > 0) {
      this.silent = false;
      this.emit(this.id, 'volumes', volumes.slice(0, this.maxEntries));
    } else if (!this.silent) {
      this.silent = true;
      this.emit(this.id, 'silence');
    }
  }

  override pause(): void {
    super.pause();
    this.sums.clear();
  }

  protected forget(p: ObservedProducer): void {
    this.sums.delete(p);
  }
}

/** Levels at or below this -dBov value count as speech (about -50 dBov). */
const SPEECH_LEVEL = 50;
/** A challenger must be this much more active than the speaker (speech activity, 0..1). */
const SWITCH_MARGIN = 0.15;

/**
 * mediasoup's `ActiveSpeakerObserver` (`dominantspeaker` events), with a simpler rule than the
 * Volfin–Cohen dominant speaker identification mediasoup uses: each producer's speech activity is
 * the share of its recent packets that carry voice (the V bit, or a level louder than about
 * -50 dBov), smoothed over about two seconds; every `interval` ms the most active producer becomes
 * the dominant speaker when it beats the current one by a margin (so two people talking over each
 * other do not flip the indicator at every interval). An event is emitted on each change only.
 */
export class EngineActiveSpeakerObserver extends EngineRtpObserver {
  private readonly alpha: number;
  private readonly window = new Map<ObservedProducer, { voiced: number; total: number }>();
  private readonly activity = new Map<ObservedProducer, number>();
  private dominant: ObservedProducer | undefined;

  constructor(id: string, routerId: string, o: { interval: number }, emit: EmitFn) {
    super(id, routerId, o.interval, emit);
    // Weight of one interval in an average over about two seconds.
    this.alpha = Math.min(1, o.interval / 2000);
  }

  onAudioLevel(producer: ObservedProducer, level: number, voice: boolean): void {
    if (this.paused) return;
    let w = this.window.get(producer);
    if (!w) {
      w = { voiced: 0, total: 0 };
      this.window.set(producer, w);
    }
    w.total++;
    if (voice || level <= SPEECH_LEVEL) w.voiced++;
  }

  protected onInterval(): void {
    let best: ObservedProducer | undefined;
    let bestActivity = 0;
    for (const p of this.producers) {
      const w = this.window.get(p);
      const share = w && w.total > 0 ? w.voiced / w.total : 0;
      const a = (this.activity.get(p) ?? 0) * (1 - this.alpha) + share * this.alpha;
      this.activity.set(p, a);
      if (a > bestActivity) {
        best = p;
        bestActivity = a;
      }
    }
    this.window.clear();
    if (!best || best === this.dominant) return;
    const current = this.dominant ? (this.activity.get(this.dominant) ?? 0) : 0;
    if (this.dominant && bestActivity < current + SWITCH_MARGIN) return;
    this.dominant = best;
    this.emit(this.id, 'dominantspeaker', { producerId: best.id });
  }

  protected forget(p: ObservedProducer): void {
    this.window.delete(p);
    this.activity.delete(p);
    if (this.dominant === p) this.dominant = undefined;
  }
}
