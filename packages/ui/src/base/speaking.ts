/**
 * Who is speaking: one `AudioContext` with an analyser per audio track, sampled a few times a
 * second. Browsers only; where Web Audio is missing nothing is ever reported as speaking.
 */
export class SpeakingMeter {
  readonly #onChange: () => void;
  readonly #sources = new Map<string, { track: MediaStreamTrack; node: AudioNode; analyser: AnalyserNode; last: number }>();
  readonly #buffer = new Float32Array(512);
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
      const node = this.#ctx.createMediaStreamSource(new MediaStream([track]));
      const analyser = this.#ctx.createAnalyser();
      analyser.fftSize = 512;
      node.connect(analyser);
      this.#sources.set(key, { track, node, analyser, last: 0 });
      this.#timer ??= setInterval(() => this.#sample(), 200);
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
    for (const [key, s] of this.#sources) {
      s.analyser.getFloatTimeDomainData(this.#buffer);
      let sum = 0;
      for (const v of this.#buffer) sum += v * v;
      if (Math.sqrt(sum / this.#buffer.length) > 0.02) s.last = now;
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
