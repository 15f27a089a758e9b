/**
 * Allocation per frame of the E2EE hot path. Run from `packages/core`:
 *   node --expose-gc --min-semi-space-size=128 --max-semi-space-size=128 --import tsx bench/e2ee-alloc.ts
 * It seals and opens 100 000 frames (VP8 delta 1 KB, Opus 100 B) through the
 * SDK's `sealFrame`/`openFrame` and reports the bytes allocated per frame, split into the JS heap
 * (objects, views, small typed arrays) and array-buffer memory (the frame returned), and how many
 * minor collections ran. Samples of 2 000 frames run with a young generation large enough that no
 * collection happens inside one (a sample with a collection is discarded and counted).
 * Before format version 3 (tweetnacl, 2026-11-29): about 4.2 KB of JS heap per frame; tweetnacl's
 * `crypto_secretbox` alone allocated about 2.3 KB per call. With WebCrypto AES-GCM the cipher's own
 * state is native; what remains is WebCrypto's result buffer, the promises, and the frame returned.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { E2EE_SUITES } from '@alcove/protocol';
import { openFrame, sealFrame } from '../src/e2ee/frame-crypto.js';
import { ReceiverKeyRing, SenderKeyState } from '../src/e2ee/key-ring.js';
import { frameOf } from './e2ee-frames.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

let collections = 0;
new PerformanceObserver((list) => {
  collections += list.getEntries().length;
}).observe({ entryTypes: ['gc'] });

const suite = E2EE_SUITES.AES_128_GCM;
const sender = new SenderKeyState(suite);
const key = frameOf(32, 11);
sender.setKey(0, key.slice());
const ring = new ReceiverKeyRing(suite);
ring.setKey(0, 0, key.slice());

type Row = { heapBytesPerFrame: number; arrayBufferBytesPerFrame: number; frameBytes: number; samples: number; discarded: number };

async function measure(name: string, bytes: number, codec: 'video/vp8' | 'audio/opus', total = 100_000, perSample = 2000): Promise<Row> {
  const frame = frameOf(bytes, bytes);
  const sealedOnce = await sealFrame(sender, 'cam', codec, false, frame);
  if (!sealedOnce.ok) throw new Error(`${name}: no key`);
  // Warm up (JIT, scratch buffers grown to size).
  for (let i = 0; i < 2000; i++) {
    const s = await sealFrame(sender, 'cam', codec, false, frame);
    if (!s.ok || !(await openFrame(ring, 'cam', s.data)).ok) throw new Error(`${name}: round trip failed`);
  }
  const heap: number[] = [];
  const ab: number[] = [];
  let discarded = 0;
  for (let done = 0; done < total; done += perSample) {
    gc?.();
    await new Promise((r) => setTimeout(r, 20)); // let the observer count that collection
    const before = collections;
    const m0 = process.memoryUsage();
    for (let i = 0; i < perSample; i++) {
      const s = await sealFrame(sender, 'cam', codec, false, frame);
      if (!s.ok) throw new Error('seal failed');
      const o = await openFrame(ring, 'cam', s.data);
      if (!o.ok) throw new Error(`open failed: ${o.reason}`);
    }
    const m1 = process.memoryUsage();
    await new Promise((r) => setTimeout(r, 20));
    if (collections !== before) {
      discarded++;
      continue;
    }
    // Per frame: one seal and one open.
    heap.push((m1.heapUsed - m0.heapUsed) / perSample / 2);
    ab.push((m1.arrayBuffers - m0.arrayBuffers) / perSample / 2);
  }
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1] ?? Number.NaN;
  return {
    heapBytesPerFrame: Math.round(median(heap)),
    arrayBufferBytesPerFrame: Math.round(median(ab)),
    frameBytes: bytes,
    samples: heap.length,
    discarded,
  };
}

const rows: Record<string, Row> = {
  vp8Delta1KB: await measure('vp8Delta1KB', 1024, 'video/vp8'),
  opus100B: await measure('opus100B', 100, 'audio/opus'),
};
console.table(rows);
