/**
 * Runs the E2EE frame measurements inside a dedicated worker (where the SDK seals and opens frames)
 * and posts them back: `{ ok: true, frames, call }` or `{ ok: false, error }`.
 */
import { measureCall, measureFrames } from './e2ee-frames.js';

declare const self: { postMessage(m: unknown): void; onmessage: ((e: MessageEvent) => void) | null };

self.onmessage = () => {
  try {
    const now = () => performance.now();
    self.postMessage({ ok: true, frames: measureFrames(now), call: measureCall(now) });
  } catch (e) {
    self.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
};
