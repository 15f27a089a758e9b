import type { Page } from 'playwright-core';
import { waitFor } from './wait-for.js';

/** What a `<video>` element has decoded so far. */
export interface VideoStats {
  readonly width: number;
  readonly height: number;
  /** Frames decoded (`getVideoPlaybackQuality().totalVideoFrames`). */
  readonly decodedFrames: number;
  readonly droppedFrames: number;
}

/** Reads decode counters of the `<video>` matching `selector`. */
export async function readVideoStats(page: Page, selector: string): Promise<VideoStats> {
  return page.$eval(selector, (el) => {
    const v = el as HTMLVideoElement;
    const q = v.getVideoPlaybackQuality();
    return { width: v.videoWidth, height: v.videoHeight, decodedFrames: q.totalVideoFrames, droppedFrames: q.droppedVideoFrames };
  });
}

/**
 * Waits until the `<video>` matching `selector` shows a picture (`videoWidth > 0`) and has decoded
 * at least `minFrames` more frames than when called, and returns its stats (so a later assertion
 * compares against a counter that has really grown, never against the number just awaited).
 * `timeoutMs` is a safety net, not a performance limit.
 * @throws {WaitForTimeoutError} naming the selector and the last stats seen.
 * @example
 * ```ts
 * const first = await waitForVideoFrames(page, '#remote', 15);
 * const later = await waitForVideoFrames(page, '#remote', 5);
 * expect(later.decodedFrames).toBeGreaterThan(first.decodedFrames);
 * ```
 */
export async function waitForVideoFrames(page: Page, selector: string, minFrames = 10, timeoutMs = 30_000): Promise<VideoStats> {
  const start = await readVideoStats(page, selector).catch(() => undefined);
  const target = (start?.decodedFrames ?? 0) + minFrames;
  return waitFor(
    `${selector} to show video and decode ${minFrames} more frames (${target} in all)`,
    () => readVideoStats(page, selector),
    (s) => s.width > 0 && s.decodedFrames >= target,
    { timeoutMs, intervalMs: 100 },
  );
}

/**
 * Measures the RMS level (0..1) of a `MediaStream` held in `window[globalName]` over `ms`
 * milliseconds with a Web Audio analyser. Chromium's fake microphone plays a beep, so a live remote
 * audio track measures well above zero; silence measures 0.
 */
export async function measureAudioLevel(page: Page, globalName: string, ms = 1500): Promise<number> {
  return page.evaluate(
    async ({ globalName, ms }) => {
      const stream = (window as unknown as Record<string, MediaStream>)[globalName];
      if (!stream) throw new Error(`window.${globalName} is not a MediaStream`);
      const ctx = new AudioContext();
      await ctx.resume();
      const src = ctx.createMediaStreamSource(stream);
      const analyser = ctx.createAnalyser();
      analyser.fftSize = 2048;
      src.connect(analyser);
      const buf = new Float32Array(analyser.fftSize);
      let peak = 0;
      const end = performance.now() + ms;
      while (performance.now() < end) {
        analyser.getFloatTimeDomainData(buf);
        let sum = 0;
        for (const x of buf) sum += x * x;
        peak = Math.max(peak, Math.sqrt(sum / buf.length));
        await new Promise((r) => setTimeout(r, 50));
      }
      await ctx.close();
      return peak;
    },
    { globalName, ms },
  );
}
