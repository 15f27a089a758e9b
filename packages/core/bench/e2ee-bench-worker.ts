/**
 * Runs the E2EE frame measurements inside a dedicated worker (where the SDK seals and opens frames)
 * and posts them back: `{ ok: true, frames, call }` or `{ ok: false, error }`. A worker has no CPU
 * clock: the times are wall time, and the call's cost is the median of repeats (with their spread).
 */
import { measureCallRepeated, measureFrames } from './e2ee-frames.js';

declare const self: { postMessage(m: unknown): void; onmessage: ((e: MessageEvent) => void) | null };

self.onmessage = async () => {
  try {
    const now = () => performance.now();
    const frames = await measureFrames(now);
    self.postMessage({ ok: true, frames, call: await measureCallRepeated(now) });
  } catch (e) {
    self.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
};
