import { DEFAULT_AUDIO_CONSTRAINTS } from '../../media/capture.js';
import type { AnalyserNodeLike, AudioContextLike, AudioNodeLike } from '../../platform/platform.js';
import { type DeviceListEvents, InputDeviceCheck } from './input-device-check.js';
import { openStream, stopStream } from './media-devices.js';

/** What the microphone step measured. */
export interface MicrophoneDetails {
  readonly deviceId?: string;
  /** Whether a level was measured (false without an `AudioContext`). */
  readonly metered: boolean;
  /** Whether sound at or above the threshold was heard. */
  readonly soundDetected: boolean;
  /** Highest level seen, 0..1. */
  readonly peakLevel: number;
}

/** Microphone step events besides the common ones. */
export interface MicrophoneEvents extends DeviceListEvents {
  /** The input level, 0..1 (about 10 per second while metering). */
  level: [level: number];
}

/** Defaults of the microphone step. */
export const MICROPHONE_DEFAULTS = { silenceWarningMs: 4000, soundThreshold: 0.3, levelsPerSecond: 10 } as const;

/** The level scale: −60 dBFS → 0, 0 dBFS → 1 (linear in dB). */
const FLOOR_DB = -60;

/**
 * The level (0..1) of a block of samples: RMS in dBFS mapped linearly from −60 dB (0) to 0 dB (1).
 * With `piece`, the level of the block's loudest stretch of `piece` samples, so a short sound is
 * not averaged away by the quiet around it.
 * @example
 * levelFromSamples(new Float32Array(1024)); // 0 (silence)
 */
export function levelFromSamples(samples: Float32Array, piece: number = samples.length): number {
  const step = Math.max(1, Math.floor(piece));
  let loudest = 0;
  for (let start = 0; start < samples.length; start += step) {
    const end = Math.min(samples.length, start + step);
    let sum = 0;
    for (let i = start; i < end; i++) {
      const s = samples[i] as number;
      sum += s * s;
    }
    loudest = Math.max(loudest, sum / (end - start));
  }
  const rms = Math.sqrt(loudest);
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db - FLOOR_DB) / -FLOOR_DB));
}

/**
 * An analyser size (a power of two, at most Web Audio's 32768) holding `intervalMs` of audio and
 * half as much again: each reading then covers all the sound since the one before.
 */
export function analyserSizeFor(sampleRate: number, intervalMs: number): number {
  const wanted = (sampleRate * intervalMs * 1.5) / 1000;
  let size = 32;
  while (size < wanted && size < 32_768) size *= 2;
  return size;
}

interface Meter {
  readonly stream: MediaStream;
  readonly audio: AudioContextLike | undefined;
  readonly nodes: AudioNodeLike[];
  timer: unknown;
  /** Ends a running check's wait (stop()). */
  finish?: (() => void) | undefined;
}

/**
 * The microphone step: opens the chosen microphone (the session uses the same device), emits
 * `level` events (0..1, about 10 per second) from an analyser, passes once sound is heard and warns
 * (`SILENT`) after a few seconds of silence (default 4 s) — a later sound still passes it. Metering
 * goes on after `run()` resolves until {@link stop}, `reset()` or the checklist closes. Call `run()`
 * from a user gesture (a click): browsers keep an `AudioContext` created without one suspended.
 * @example
 * const mic = checklist.microphone!;
 * mic.on('level', (l) => meter.value = l);
 * await mic.run(); // 'passed' once the client speaks, 'warning' after 4 s of silence
 * mic.stop();
 */
export class MicrophoneCheck extends InputDeviceCheck<MicrophoneDetails, MicrophoneEvents> {
  readonly kind = 'microphone' as const;
  protected readonly deviceKind = 'audioinput' as const;
  #meter: Meter | undefined;

  /** Whether the level meter runs. */
  get metering(): boolean {
    return this.#meter !== undefined;
  }

  protected get holding(): boolean {
    return this.#meter !== undefined;
  }

  /** Stops metering and releases the microphone; the result stays. */
  stop(): void {
    this.release();
  }

  protected async execute(signal: AbortSignal): Promise<void> {
    this.release();
    const opts = this.ctx.options.microphone;
    const { stream, track } = await openStream(this.ctx.platform, 'audio', DEFAULT_AUDIO_CONSTRAINTS, this.deviceId, signal);
    if (signal.aborted) {
      // reset() or skip() came while the stream was being handed over: it is ours to stop.
      stopStream(stream);
      signal.throwIfAborted();
    }
    const s = track.getSettings?.() ?? {};
    if (s.deviceId) this.setDeviceId(s.deviceId);
    void this.listDevices();
    let audio: AudioContextLike | undefined;
    try {
      audio = this.ctx.platform.createAudioContext?.();
    } catch {
      audio = undefined;
    }
    const base = { ...(this.deviceId ? { deviceId: this.deviceId } : {}) };
    if (!audio) {
      stopStream(stream);
      this.setStatus('warning', { reason: 'NO_LEVEL_METER', details: { ...base, metered: false, soundDetected: false, peakLevel: 0 } });
      return;
    }
    const source = audio.createMediaStreamSource(stream);
    const analyser: AnalyserNodeLike = audio.createAnalyser();
    const intervalMs = Math.max(20, Math.round(1000 / opts.levelsPerSecond));
    const sampleRate = audio.sampleRate ?? 48_000;
    // Each reading covers all the audio since the one before, in 10 ms pieces: a short sound
    // between two readings is heard (a 1024-sample window saw about a fifth of it).
    analyser.fftSize = analyserSizeFor(sampleRate, intervalMs);
    const piece = Math.round(sampleRate / 100);
    source.connect(analyser);
    const meter: Meter = { stream, audio, nodes: [source, analyser], timer: undefined };
    this.#meter = meter;
    await audio.resume().catch(() => undefined);
    if (signal.aborted) {
      if (this.#meter === meter) this.release();
      signal.throwIfAborted();
    }

    const timers = this.ctx.platform.timers;
    const started = timers.now();
    const buffer = new Float32Array(analyser.fftSize);
    let peak = 0;
    let heard = false;
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => {
        signal.removeEventListener('abort', onAbort);
        meter.finish = undefined;
        resolve();
      };
      // stop() while metering: the check ends without a result (back to idle, see below).
      meter.finish = settle;
      meter.timer = timers.setInterval(() => {
        if (this.#meter !== meter) return;
        analyser.getFloatTimeDomainData(buffer);
        const level = levelFromSamples(buffer, piece);
        peak = Math.max(peak, level);
        this.emitExtra('level', level);
        if (level >= opts.soundThreshold && !heard) {
          heard = true;
          this.setStatus('passed', { details: { ...base, metered: true, soundDetected: true, peakLevel: Math.round(peak * 100) / 100 } });
          settle();
        } else if (!heard && this.status === 'running' && timers.now() - started >= opts.silenceWarningMs) {
          this.setStatus('warning', {
            reason: 'SILENT',
            details: { ...base, metered: true, soundDetected: false, peakLevel: Math.round(peak * 100) / 100 },
          });
          settle();
        }
      }, intervalMs);
    });
    if (this.status === 'running') this.setStatus('idle');
  }

  protected override release(): void {
    const m = this.#meter;
    if (!m) return;
    this.#meter = undefined;
    if (m.timer !== undefined) this.ctx.platform.timers.clearInterval(m.timer);
    m.finish?.();
    for (const n of m.nodes) {
      try {
        n.disconnect();
      } catch {
        // already disconnected
      }
    }
    void m.audio?.close().catch(() => undefined);
    stopStream(m.stream);
  }

  protected detailsFrom(d: Record<string, unknown>): MicrophoneDetails {
    const peak = typeof d.peakLevel === 'number' && d.peakLevel >= 0 && d.peakLevel <= 1 ? d.peakLevel : 0;
    return {
      ...(typeof d.deviceId === 'string' ? { deviceId: d.deviceId } : {}),
      metered: d.metered === true,
      soundDetected: d.soundDetected === true,
      peakLevel: peak,
    };
  }
}
