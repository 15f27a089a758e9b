/**
 * The frame-cipher measurements of the E2EE benchmark, shared by Node (`e2ee-bench.ts`) and the
 * Chromium worker (`e2ee-bench-worker.ts`): the real `encryptFrame`/`decryptFrame` (AES-128-GCM
 * through WebCrypto, format version 3) with a derived frame key, on frames of the sizes the issue
 * names, filled with non-repeating bytes. WebCrypto is asynchronous: each call is awaited before
 * the next, as the transform stream does, so a time per call is the frame's whole latency (the
 * crypto thread's work plus the hop back), an upper bound of the CPU it costs.
 */
import { E2EE_SUITES } from '@alcove/protocol';
import { decryptFrame, encryptFrame } from '../src/e2ee/frame.js';
import { deriveFrameKey, keyId } from '../src/e2ee/sender-keys.js';

/** One frame kind and size: `prefix` clear bytes (Opus 1, VP8 delta 3, VP8 key 10). */
export interface FrameCase {
  readonly name: string;
  readonly bytes: number;
  readonly prefix: number;
}

export const CASES: readonly FrameCase[] = [
  { name: 'opus100B', bytes: 100, prefix: 1 },
  { name: 'vp8Delta1KB', bytes: 1024, prefix: 3 },
  { name: 'vp8Delta4KB', bytes: 4096, prefix: 3 },
  { name: 'vp8Delta10KB', bytes: 10_240, prefix: 3 },
  { name: 'vp8Key30KB', bytes: 30_720, prefix: 10 },
  { name: 'vp8Key80KB', bytes: 81_920, prefix: 10 },
  { name: 'vp8Key150KB', bytes: 153_600, prefix: 10 },
];

/** The 720p30 call of the issue: 30 video frames a second averaging 10.4 KB, Opus at 50 frames a second. */
export const CALL_720P30 = { videoFps: 30, videoBytes: 10_650, audioFps: 50, audioBytes: 100 } as const;

export const frameOf = (n: number, seed = 1): Uint8Array => {
  const f = new Uint8Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    f[i] = s >>> 24;
  }
  return f;
};

const key = deriveFrameKey(frameOf(32, 9), keyId(0, 0), E2EE_SUITES.AES_128_GCM, 'cam');
const keyFor = (kid: number) => (kid === key.kid ? key : undefined);

/**
 * Microseconds per call of `fn`, best of `rounds` rounds of at least `minMs` each (after a warm-up):
 * the best round is the one least disturbed by other work on a shared machine.
 */
export async function usPerCall(fn: (i: number) => unknown, now: () => number, minMs = 40, rounds = 15): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(i);
  let best = Number.POSITIVE_INFINITY;
  let i = 0;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = now();
    let t = t0;
    while (t - t0 < minMs) {
      for (let k = 0; k < 10; k++) await fn(i++);
      n += 10;
      t = now();
    }
    best = Math.min(best, ((t - t0) * 1000) / n);
  }
  return best;
}

/** Seal and open µs per frame for every case, checking each sealed frame opens to the original. */
export async function measureFrames(now: () => number): Promise<Record<string, { sealUs: number; openUs: number }>> {
  const out: Record<string, { sealUs: number; openUs: number }> = {};
  for (const c of CASES) {
    const frame = frameOf(c.bytes, c.bytes);
    const sealed = await encryptFrame(frame, c.prefix, key, 1000);
    const opened = await decryptFrame(sealed, keyFor);
    if (!opened.ok || opened.frame.length !== frame.length || opened.frame[frame.length - 1] !== frame[frame.length - 1]) {
      throw new Error(`${c.name}: a sealed frame did not open to the original`);
    }
    const sealUs = await usPerCall((i) => encryptFrame(frame, c.prefix, key, 1000 + i), now);
    const openUs = await usPerCall(async () => {
      if (!(await decryptFrame(sealed, keyFor)).ok) throw new Error(`${c.name}: open failed`);
    }, now);
    out[c.name] = { sealUs, openUs };
  }
  return out;
}

/** A repeated measurement: the median of the repeats and their spread. */
export interface Repeated {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly repeats: number;
}

/** Median, minimum and maximum of `values` (at least one). */
export function summarize(values: readonly number[]): Repeated {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]!, repeats: s.length };
}

/**
 * The 720p30 call's cost measured `repeats` times (each the best of 5 short rounds per frame kind):
 * the median and the spread, so one disturbed repeat on a shared machine neither passes nor fails
 * the floor on its own. `now` is the clock: thread CPU time where the runtime has one (Node),
 * wall time otherwise (a browser worker has no CPU clock).
 */
export async function measureCallRepeated(now: () => number, repeats = 9): Promise<{ send: Repeated; recv: Repeated }> {
  const send: number[] = [];
  const recv: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c = await measureCall(now, 5);
    send.push(c.sendUsPerS);
    recv.push(c.recvUsPerS);
  }
  return { send: summarize(send), recv: summarize(recv) };
}

/**
 * Per cent of one core spent sealing (send) or opening (recv) one second of the 720p30 call:
 * the measured time of 30 video and 50 audio frames, divided by one second.
 */
export async function measureCall(now: () => number, rounds = 15): Promise<{ sendUsPerS: number; recvUsPerS: number }> {
  const video = frameOf(CALL_720P30.videoBytes, 3);
  const audio = frameOf(CALL_720P30.audioBytes, 4);
  const sv = await encryptFrame(video, 3, key, 5);
  const sa = await encryptFrame(audio, 1, key, 6);
  const send = await usPerCall((i) => encryptFrame(video, 3, key, 10_000 + i), now, 40, rounds);
  const sendA = await usPerCall((i) => encryptFrame(audio, 1, key, 10_000 + i), now, 40, rounds);
  const recv = await usPerCall(() => decryptFrame(sv, keyFor), now, 40, rounds);
  const recvA = await usPerCall(() => decryptFrame(sa, keyFor), now, 40, rounds);
  return {
    sendUsPerS: send * CALL_720P30.videoFps + sendA * CALL_720P30.audioFps,
    recvUsPerS: recv * CALL_720P30.videoFps + recvA * CALL_720P30.audioFps,
  };
}

/** Bytes a sealed VP8 delta frame of the call adds (counter past 255: 2 bytes, key id 1 byte). */
export async function overheadVp8Delta(): Promise<number> {
  const f = frameOf(CALL_720P30.videoBytes, 7);
  return (await encryptFrame(f, 3, key, 1000)).length - f.length;
}
