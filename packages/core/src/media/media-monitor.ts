import type { Platform } from '../platform/platform.js';
import type { SwallowedErrors } from '../platform/swallowed-errors.js';
import type { MediaManager } from './media-manager.js';
import { QualityTracker, classifyQuality, type QualityReport } from './quality.js';

/** Options of {@link MediaMonitor}. */
export interface MediaMonitorOptions {
  readonly platform: Platform;
  readonly media: MediaManager;
  /** Poll period, ms. Default 1000. */
  readonly intervalMs?: number;
  /** No inbound bytes for this long while media is expected counts as a stall. Default 2000. */
  readonly stallMs?: number;
  /** Quality every n-th poll. Default 2. */
  readonly qualityEvery?: number;
  readonly participants: () => readonly string[];
  readonly selfId: () => string;
  readonly onStall: () => void;
  readonly onQuality: (report: QualityReport) => void;
  /** Where a failed poll is counted (`media.stats`). */
  readonly swallowed?: SwallowedErrors;
}

/**
 * Polls `getStats` while joined: detects inbound media stalls (reconnect trigger) and derives each
 * participant's network quality, reporting a participant only when its level or reasons change.
 * One interval timer; {@link stop} clears it.
 */
export class MediaMonitor {
  readonly #o: MediaMonitorOptions;
  readonly #tracker = new QualityTracker();
  readonly #last = new Map<string, string>();
  #timer: unknown;
  #tick = 0;
  #bytes: number | undefined;
  #bytesAt = 0;
  #busy = false;
  #armed = true;

  constructor(options: MediaMonitorOptions) {
    this.#o = options;
  }

  /** Whether the timer runs (for leak checks). */
  get running(): boolean {
    return this.#timer !== undefined;
  }

  start(): void {
    if (this.#timer !== undefined) return;
    this.#bytes = undefined;
    this.#timer = this.#o.platform.timers.setInterval(() => void this.#poll(), this.#o.intervalMs ?? 1000);
  }

  stop(): void {
    if (this.#timer !== undefined) this.#o.platform.timers.clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Forgets a participant who left. */
  forget(participantId: string): void {
    this.#tracker.forget(participantId);
    this.#last.delete(participantId);
  }

  async #poll(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      await this.#checkStall();
      if (++this.#tick % (this.#o.qualityEvery ?? 2) === 0) await this.#quality();
    } catch (e) {
      // stats can fail while transports are being replaced; the next poll tries again
      this.#o.swallowed?.record('media.stats', e);
    } finally {
      this.#busy = false;
    }
  }

  async #checkStall(): Promise<void> {
    const { media, platform } = this.#o;
    const now = platform.timers.now();
    if (!media.expectsInbound) {
      this.#bytes = undefined;
      return;
    }
    const bytes = await media.inboundBytes();
    if (bytes === undefined) return;
    if (this.#bytes === undefined || bytes !== this.#bytes) {
      // Media moves: (re-)arm. A stall fires once per episode, so a remote sender whose uplink died
      // cannot make this client restart ICE over and over.
      if (this.#bytes !== undefined) this.#armed = true;
      this.#bytes = bytes;
      this.#bytesAt = now;
      return;
    }
    if (this.#armed && now - this.#bytesAt >= (this.#o.stallMs ?? 2000)) {
      this.#armed = false;
      this.#o.onStall();
    }
  }

  async #quality(): Promise<void> {
    const { media, platform } = this.#o;
    const now = platform.timers.now();
    const ids = [...this.#o.participants()];
    for (const id of ids) {
      const consumers = media.consumersOf(id);
      if (consumers.length === 0) continue;
      const reports = await Promise.all(consumers.map((c) => c.getStats()));
      this.#emit(id, this.#tracker.sample(id, reports, now));
    }
    const producers = media.producers;
    if (producers.length > 0) {
      const reports = await Promise.all(producers.map((p) => p.getStats()));
      this.#emit(this.#o.selfId(), this.#tracker.sample(this.#o.selfId(), reports, now));
    }
  }

  #emit(participantId: string, sample: QualityReport['sample']): void {
    const { level, reasons } = classifyQuality(sample);
    const key = `${level}:${reasons.join(',')}`;
    if (this.#last.get(participantId) === key) return;
    this.#last.set(participantId, key);
    this.#o.onQuality({ participantId, level, reasons, sample });
  }
}
