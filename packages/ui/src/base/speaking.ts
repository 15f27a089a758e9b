import { analyserSizeFor, levelFromSamples } from '@alcove/core/checklist';

/** How often the meter looks at each track. */
const SAMPLE_EVERY_MS = 200;
/**
 * How loud a 10 ms stretch must be to count as sound, on `levelFromSamples`' scale (−60 dBFS → 0,
 * 0 dBFS → 1): about −34 dBFS, an RMS of 0.02.
 */
const THRESHOLD = 0.43;

/**
 * Who is speaking: one `AudioContext` with an analyser per audio track, sampled a few times a
 * second. Each sample reads the whole stretch of audio since the one before (and a little more), in
 * 10 ms pieces, so a short sound (a "yes", a cough, a 20 ms beep) between two samples is heard, and
 * one loud piece counts without being averaged away by the quiet around it.
 * Browsers only; where Web Audio is missing nothing is ever reported as speaking.
 */
export class SpeakingMeter {
  readonly #onChange: () => void;
  readonly #sources = new Map<string, { track: MediaStreamTrack; node: AudioNode; analyser: AnalyserNode; last: number }>();
  #buffer = new Float32Array(0);
  #ctx: AudioContext | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  readonly #speaking = new Set<string>();

  constructor(onChange: () => void) {
    this.#onChange = onChange;
  }

  /** Whether `key` spoke within the last 600 ms. */
  speaking(key: string): boolean {
    return this.#speaking.has(key);
  }

  /**
   * Follows `track` under `key` (replacing what was followed under it). The same track again is a
   * no-op: re-renders call this every time, and starting over would forget who is speaking.
   */
  watch(key: string, track: MediaStreamTrack): void {
    if (this.#sources.get(key)?.track === track) return;
    this.unwatch(key);
    const Ctx = globalThis.AudioContext;
    if (typeof Ctx !== 'function' || typeof MediaStream !== 'function') return;
    try {
      this.#ctx ??= new Ctx();
      const ctx = this.#ctx;
      // A context made before the page had a user gesture starts suspended and hears nothing.
      if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
      const node = ctx.createMediaStreamSource(new MediaStream([track]));
      const analyser = ctx.createAnalyser();
      analyser.fftSize = analyserSizeFor(ctx.sampleRate, SAMPLE_EVERY_MS);
      node.connect(analyser);
      this.#sources.set(key, { track, node, analyser, last: Number.NEGATIVE_INFINITY });
      this.#timer ??= setInterval(() => this.#sample(), SAMPLE_EVERY_MS);
    } catch {
      // no Web Audio for this track: never "speaking"
    }
  }

  unwatch(key: string): void {
    const s = this.#sources.get(key);
    if (!s) return;
    s.node.disconnect();
    this.#sources.delete(key);
    if (this.#speaking.delete(key)) this.#onChange();
    if (this.#sources.size === 0) this.close();
  }

  /** Stops sampling and closes the audio context. */
  close(): void {
    for (const s of this.#sources.values()) s.node.disconnect();
    this.#sources.clear();
    clearInterval(this.#timer);
    this.#timer = undefined;
    void this.#ctx?.close().catch(() => undefined);
    this.#ctx = undefined;
    if (this.#speaking.size) {
      this.#speaking.clear();
      this.#onChange();
    }
  }

  #sample(): void {
    const now = performance.now();
    let changed = false;
    const piece = Math.max(1, Math.round((this.#ctx?.sampleRate ?? 48_000) / 100));
    for (const [key, s] of this.#sources) {
      if (this.#buffer.length !== s.analyser.fftSize) this.#buffer = new Float32Array(s.analyser.fftSize);
      s.analyser.getFloatTimeDomainData(this.#buffer);
      if (levelFromSamples(this.#buffer, piece) > THRESHOLD) s.last = now;
      const on = now - s.last < 600;
      if (on !== this.#speaking.has(key)) {
        changed = true;
        if (on) this.#speaking.add(key);
        else this.#speaking.delete(key);
      }
    }
    if (changed) this.#onChange();
  }
}
