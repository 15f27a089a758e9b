import { RtpHeader, RtpPacket } from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkE2eeTrailer, E2eeTrailerCheck, type E2eeTrailerCheckOptions } from './engine/e2ee-trailer.js';
import { createWorker, type Worker } from './index.js';
import type { Consumer } from './consumer/consumer.js';
import type { E2eeTrailerMissing, Producer } from './producer/producer.js';
import type { DirectTransport } from './transport/direct-transport.js';

// The SFU's E2EE trailer check: frames shaped like Alcove E2EE frames pass, plaintext Opus and VP8
// frames fail within their first frames, malformed trailers fail, and a producer with the check
// forwards nothing after the first failure and says so once.

const VP8: E2eeTrailerCheckOptions = { versions: [2], prefixLengths: [3, 10] };
const OPUS: E2eeTrailerCheckOptions = { versions: [2], prefixLengths: [1] };
const VP9: E2eeTrailerCheckOptions = { versions: [2], prefixLengths: [0] };

/** A deterministic byte source. */
function rng(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1;
  return (n) =>
    new Uint8Array(n).map(() => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return (s >>> 0) & 0xff;
    });
}

/**
 * An E2EE frame built from the documented format, independently of the client code:
 * prefix (h) ‖ ciphertext ‖ tag (16) ‖ CTR (c) ‖ KID (k) ‖ h (1|2) ‖ cfg.
 */
function sealedShape(
  prefix: Uint8Array,
  body: number,
  opts: { ctr?: number; c?: number; k?: number; version?: number; bytes?: (n: number) => Uint8Array } = {},
): Uint8Array {
  const bytes = opts.bytes ?? rng(7);
  const c = opts.c ?? 2;
  const k = opts.k ?? 1;
  const h = prefix.length;
  const hLen = h > 255 ? 2 : 1;
  const trailer = new Uint8Array(c + k + hLen + 1);
  let v = opts.ctr ?? 300;
  for (let i = c - 1; i >= 0; i--) {
    trailer[i] = v & 0xff;
    v = Math.floor(v / 256);
  }
  trailer[c] = 5; // KID
  if (hLen === 2) {
    trailer[c + k] = h >> 8;
    trailer[c + k + 1] = h & 0xff;
  } else trailer[c + k] = h;
  trailer[trailer.length - 1] = ((opts.version ?? 2) << 6) | ((hLen === 2 ? 1 : 0) << 5) | ((k - 1) << 3) | (c - 1);
  const out = new Uint8Array(h + body + 16 + trailer.length);
  out.set(prefix, 0);
  out.set(bytes(body + 16), h);
  out.set(trailer, h + body + 16);
  return out;
}

/** A VP8 payload descriptor: X and I set, a 7-bit picture id; S (start of the frame) as given. */
const vp8Descriptor = (start: boolean) => Uint8Array.of(start ? 0x90 : 0x80, 0x80, 0x12);
const cat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe('checkE2eeTrailer', () => {
  it('passes E2EE-shaped Opus, VP8 (delta and key, one or several packets) and VP9 frames', () => {
    const bytes = rng(1);
    for (let i = 0; i < 200; i++) {
      const opus = sealedShape(Uint8Array.of(0x78), 40 + (i % 120), { ctr: i, c: i < 256 ? 1 : 2, bytes });
      expect(checkE2eeTrailer('opus', opus, OPUS)).toBe('ok');
      const delta = sealedShape(bytes(3), 200 + i * 10, { ctr: i, bytes });
      expect(checkE2eeTrailer('vp8', cat(vp8Descriptor(true), delta), VP8)).toBe('ok');
      const key = sealedShape(bytes(10), 3000 + i * 100, { ctr: i, k: 2, bytes });
      // The last of several packets: only the end of the frame is in it.
      expect(checkE2eeTrailer('vp8', cat(vp8Descriptor(false), key.subarray(key.length - 900)), VP8)).toBe('ok');
      const vp9 = sealedShape(new Uint8Array(0), 500 + i, { ctr: i, bytes });
      expect(checkE2eeTrailer('vp9', cat(Uint8Array.of(0x0c), vp9), VP9)).toBe('ok'); // B and E: the whole frame
    }
  });

  it('fails plaintext Opus and VP8 frames (random codec bytes) in nearly every frame', () => {
    const bytes = rng(2);
    let opusPassed = 0;
    let vp8Passed = 0;
    const n = 5000;
    for (let i = 0; i < n; i++) {
      const opus = bytes(20 + (i % 150));
      opus[0] = 0x78; // an Opus TOC byte
      if (checkE2eeTrailer('opus', opus, OPUS) === 'ok') opusPassed++;
      const vp8 = cat(vp8Descriptor(true), Uint8Array.of(0x31, 0x02, 0x00), bytes(300 + (i % 900)));
      if (checkE2eeTrailer('vp8', vp8, VP8) === 'ok') vp8Passed++;
    }
    // By chance about 1 in 2000 (Opus) and 1 in 1000 (VP8) random frames look like E2EE frames.
    expect(opusPassed).toBeLessThan(n / 200);
    expect(vp8Passed).toBeLessThan(n / 200);
  });

  it('detects a plaintext stream within its first frames', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const bytes = rng(seed);
      const check = new E2eeTrailerCheck('vp8', VP8);
      let frames = 0;
      while (!check.failure && frames < 50) {
        frames++;
        check.onPacket(cat(vp8Descriptor(true), Uint8Array.of(0x31, 0x02, 0x00), bytes(600)), true);
      }
      expect(check.failure, `seed ${seed}`).toBeDefined();
      expect(frames, `seed ${seed}`).toBeLessThanOrEqual(3);
    }
  });

  it('names what is wrong with a malformed trailer', () => {
    const good = sealedShape(Uint8Array.of(0x78), 60);
    const v1 = sealedShape(Uint8Array.of(0x78), 60, { version: 1 });
    expect(checkE2eeTrailer('opus', v1, OPUS)).toBe('version');
    expect(checkE2eeTrailer('opus', v1, { versions: [1, 2], prefixLengths: [1] })).toBe('ok');
    // A clear prefix the codec does not use (3 on Opus; 4 on VP8).
    expect(checkE2eeTrailer('opus', sealedShape(Uint8Array.of(1, 2, 3), 60), OPUS)).toBe('prefix');
    expect(checkE2eeTrailer('vp8', cat(vp8Descriptor(true), sealedShape(Uint8Array.of(1, 2, 3, 4), 60)), VP8)).toBe('prefix');
    // Shorter than prefix + tag + trailer (whole frames only).
    expect(checkE2eeTrailer('opus', good.subarray(good.length - 12), OPUS)).toBe('length');
    expect(checkE2eeTrailer('opus', good.subarray(good.length - 3), OPUS)).toBe('length');
    // The last packet of a longer frame may hold less than the tag: not judged on length.
    const key = sealedShape(new Uint8Array(10), 3000);
    expect(checkE2eeTrailer('vp8', cat(vp8Descriptor(false), key.subarray(key.length - 8)), VP8)).toBe('ok');
    // …and one shorter than the trailer cannot be judged at all.
    expect(checkE2eeTrailer('vp8', cat(vp8Descriptor(false), key.subarray(key.length - 2)), VP8)).toBe('skip');
    // Empty payloads (DTX) are passed through unencrypted by the client: skipped, never failed.
    expect(checkE2eeTrailer('opus', new Uint8Array(0), OPUS)).toBe('skip');
    // A VP8 descriptor that claims more bytes than the packet has.
    expect(checkE2eeTrailer('vp8', Uint8Array.of(0x90, 0x80), VP8)).toBe('length');
  });

  it('never throws on random packets of any length', () => {
    const bytes = rng(3);
    for (let i = 0; i < 20000; i++) {
      const p = bytes(i % 64);
      for (const [codec, o] of [
        ['opus', OPUS],
        ['vp8', VP8],
        ['vp9', VP9],
      ] as const) {
        expect(['ok', 'skip', 'version', 'prefix', 'length']).toContain(checkE2eeTrailer(codec, p, o));
      }
    }
  });
});

describe('a producer with the E2EE trailer check (DirectTransport)', () => {
  let worker: Worker;
  let send: DirectTransport;
  let recv: DirectTransport;

  beforeAll(async () => {
    worker = await createWorker();
    const router = await worker.createRouter({
      mediaCodecs: [
        { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
        { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
      ],
    });
    send = await router.createDirectTransport();
    recv = await router.createDirectTransport();
  });
  afterAll(() => worker.close());

  const rtp = (seq: number, payload: Uint8Array, ssrc: number, pt: number, marker = true): Buffer =>
    new RtpPacket(
      new RtpHeader({ sequenceNumber: seq, timestamp: seq * 960, ssrc, payloadType: pt, marker }),
      Buffer.from(payload),
    ).serialize();

  /** Waits until `cond()` holds (events arrive through the worker channel). */
  async function until(what: string, cond: () => boolean): Promise<void> {
    for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!cond()) throw new Error(`timed out waiting for ${what}`);
  }

  async function setup(
    kind: 'audio' | 'video',
    ssrc: number,
  ): Promise<{ producer: Producer; consumer: Consumer; got: number[]; missing: E2eeTrailerMissing[] }> {
    const producer = await send.produce({
      kind,
      rtpParameters:
        kind === 'audio'
          ? { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] }
          : { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc }] },
      e2eeTrailerCheck: kind === 'audio' ? OPUS : VP8,
    });
    const consumer = await recv.consume({ producerId: producer.id });
    const got: number[] = [];
    consumer.on('rtp', (buf) => got.push(RtpPacket.deSerialize(Buffer.from(buf)).header.sequenceNumber));
    const missing: E2eeTrailerMissing[] = [];
    producer.on('e2eetrailermissing', (m) => missing.push(m));
    return { producer, consumer, got, missing };
  }

  it('forwards E2EE-shaped Opus frames and stops at the first plaintext one, reporting it once', async () => {
    const { producer, got, missing } = await setup('audio', 7001);
    try {
      for (let s = 1; s <= 5; s++) producer.send(rtp(s, sealedShape(Uint8Array.of(0x78), 80, { ctr: s }), 7001, 111));
      await until('five sealed frames forwarded', () => got.length >= 5);
      const plain = rng(9)(120);
      plain[plain.length - 1] = 0x03; // version bits 00
      producer.send(rtp(6, plain, 7001, 111));
      for (let s = 7; s <= 10; s++) producer.send(rtp(s, sealedShape(Uint8Array.of(0x78), 80, { ctr: s }), 7001, 111));
      await until('the e2eetrailermissing event', () => missing.length > 0);
      // The packets after the failure went through the same worker queue before any later request.
      const stats = await producer.getStats();
      expect(missing).toEqual([{ reason: 'version', framesPassed: 5 }]);
      expect(got).toEqual([1, 2, 3, 4, 5]);
      expect(stats[0]?.packetsDiscarded).toBe(5);
    } finally {
      producer.close();
    }
  });

  it('checks only the last packet of a video frame', async () => {
    const { producer, got, missing } = await setup('video', 7002);
    try {
      const frame = sealedShape(rng(4)(10), 2500, { ctr: 1 });
      const parts = [frame.subarray(0, 1000), frame.subarray(1000, 2000), frame.subarray(2000)];
      for (const [i, p] of parts.entries()) producer.send(rtp(i + 1, cat(vp8Descriptor(i === 0), p), 7002, 96, i === parts.length - 1));
      await until('three packets forwarded', () => got.length >= 3);
      // A plaintext frame in two packets: the first goes out (it cannot be judged), the last does not.
      const plain = rng(5)(1500);
      plain[plain.length - 1] = 0x00;
      producer.send(rtp(4, cat(vp8Descriptor(true), plain.subarray(0, 800)), 7002, 96, false));
      producer.send(rtp(5, cat(vp8Descriptor(false), plain.subarray(800)), 7002, 96, true));
      await until('the e2eetrailermissing event', () => missing.length > 0);
      expect(missing[0]?.reason).toBe('version');
      expect(got).toEqual([1, 2, 3, 4]);
    } finally {
      producer.close();
    }
  });

  it('refuses malformed check options', async () => {
    await expect(
      send.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
          encodings: [{ ssrc: 7003 }],
        },
        e2eeTrailerCheck: { versions: [4], prefixLengths: [1] },
      }),
    ).rejects.toThrow(TypeError);
    await expect(
      send.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
          encodings: [{ ssrc: 7004 }],
        },
        e2eeTrailerCheck: { versions: [2], prefixLengths: [] },
      }),
    ).rejects.toThrow(TypeError);
  });
});
