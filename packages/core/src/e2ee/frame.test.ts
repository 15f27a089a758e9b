import { E2EE_SUITES } from '@alcove/protocol';
import { describe, expect, it } from 'vitest';
import { decryptFrame, encryptFrame, frameNonce, parseFrameHeader } from './frame.js';
import { deriveFrameKey, keyId, ratchet } from './sender-keys.js';

const base = new Uint8Array(32).map((_, i) => i + 1);
const key = deriveFrameKey(base, keyId(0, 0), E2EE_SUITES.AES_128_GCM, 'cam');
const keys =
  (k = key) =>
  (kid: number) =>
    kid === k.kid ? k : undefined;
const frameOf = (n: number, seed = 7) => new Uint8Array(n).map((_, i) => (i * 31 + seed) & 0xff);

describe('frame encryption (suite 2, AES-128-GCM, format version 3)', () => {
  it('round-trips frames with every prefix size the codecs use', async () => {
    for (const [size, prefix] of [
      [1, 1],
      [160, 1],
      [900, 3],
      [6000, 10],
      [50, 0],
      [400, 20],
      [2000, 300],
    ] as const) {
      const f = frameOf(size);
      for (const ctr of [0, 1, 255, 256, 65_535, 2 ** 40]) {
        const enc = await encryptFrame(f, prefix, key, ctr);
        expect(enc.subarray(0, prefix)).toEqual(f.subarray(0, prefix));
        const dec = await decryptFrame(enc, keys());
        expect(dec.ok).toBe(true);
        if (dec.ok) {
          expect(dec.frame).toEqual(f);
          expect(dec.ctr).toBe(ctr);
          expect(dec.kid).toBe(key.kid);
        }
      }
    }
  });

  it('adds 21 bytes to a typical frame of any codec (2-byte counter, 1-byte key id), nothing for the prefix', async () => {
    // tag 16 + CTR 2 + KID 1 + h 1 + cfg 1 = 21: Opus (h 1), VP8 delta (h 3) and key (h 10), VP9 (h 0).
    for (const [size, prefix] of [
      [120, 1],
      [4000, 3],
      [60_000, 10],
      [3000, 0],
    ] as const) {
      const f = frameOf(size);
      expect((await encryptFrame(f, prefix, key, 300)).length - f.length).toBe(21);
    }
  });

  it('writes format version 3 in the last byte and drops version-1 and version-2 frames', async () => {
    const enc = await encryptFrame(frameOf(100), 3, key, 9);
    expect(enc[enc.length - 1]! >> 6).toBe(3);
    for (const v of [1, 2]) {
      const old = enc.slice();
      old[old.length - 1] = (old[old.length - 1]! & 0x3f) | (v << 6);
      expect(await decryptFrame(old, keys()), `version ${v}`).toMatchObject({ ok: false, reason: 'BAD_VERSION' });
    }
  });

  it('derives the IV from the salt and the counter: distinct per counter, never the salt twice', () => {
    const a = frameNonce(key.salt, 0);
    expect(a).toEqual(key.salt);
    expect(frameNonce(key.salt, 1)).not.toEqual(a);
    expect(frameNonce(key.salt, 2 ** 40)).not.toEqual(frameNonce(key.salt, 2 ** 40 + 1));
    expect(frameNonce(key.salt, 2 ** 40).subarray(0, 4)).toEqual(key.salt.subarray(0, 4));
    expect(key.key.length).toBe(16);
    expect(key.salt.length).toBe(12);
  });

  it('round-trips after a larger frame grew the reused buffers, and returns independent frames', async () => {
    const big = frameOf(150_000, 5);
    const small = frameOf(300, 9);
    const encBig = await encryptFrame(big, 10, key, 1);
    const encSmall = await encryptFrame(small, 3, key, 2);
    const decBig = await decryptFrame(encBig, keys());
    const decSmall = await decryptFrame(encSmall, keys());
    expect(decBig.ok && decSmall.ok).toBe(true);
    if (decBig.ok && decSmall.ok) {
      expect(decSmall.frame).toEqual(small);
      expect(decBig.frame).toEqual(big); // not overwritten by the later, smaller open
      expect(decBig.frame.buffer.byteLength).toBe(big.length); // the whole buffer: no copy needed by the worker
    }
  });

  it('leaves the payload unreadable', async () => {
    const f = new TextEncoder().encode('x'.repeat(10) + 'SECRET-CANARY-PAYLOAD'.repeat(5));
    const enc = await encryptFrame(f, 10, key, 5);
    expect(Buffer.from(enc).includes(Buffer.from('SECRET-CANARY'))).toBe(false);
  });

  it('drops any single-byte change (ciphertext, tag, trailer or clear prefix)', async () => {
    const f = frameOf(64);
    const enc = await encryptFrame(f, 10, key, 1234);
    for (let i = 0; i < enc.length; i++) {
      const bad = enc.slice();
      bad[i] = (bad[i] ?? 0) ^ 0x01;
      const r = await decryptFrame(bad, keys());
      expect(r.ok, `byte ${i}`).toBe(false);
    }
  });

  it('drops frames under an unknown or wrong key', async () => {
    const enc = await encryptFrame(frameOf(100), 3, key, 1);
    const r = await decryptFrame(enc, () => undefined);
    expect(r).toMatchObject({ ok: false, reason: 'UNKNOWN_KEY', kid: key.kid });
    const other = deriveFrameKey(ratchet(base), key.kid, E2EE_SUITES.AES_128_GCM, 'cam');
    expect(await decryptFrame(enc, keys(other))).toMatchObject({ ok: false, reason: 'AUTH_FAILED' });
    const otherTrack = deriveFrameKey(base, key.kid, E2EE_SUITES.AES_128_GCM, 'mic');
    expect(await decryptFrame(enc, keys(otherTrack))).toMatchObject({ ok: false, reason: 'AUTH_FAILED' });
  });

  it('detects a swapped clear prefix (bound as additional data), short or long', async () => {
    for (const prefix of [1, 3, 10, 13, 14, 40]) {
      const a = await encryptFrame(frameOf(100, 1), prefix, key, 1);
      const b = frameOf(100, 2);
      const forged = a.slice();
      forged.set(b.subarray(0, prefix), 0);
      expect(await decryptFrame(forged, keys()), `prefix ${prefix}`).toMatchObject({ ok: false, reason: 'AUTH_FAILED' });
    }
  });

  it('detects a trailer re-encoded with the same values (longer key id field)', async () => {
    const enc = await encryptFrame(frameOf(100), 3, key, 7); // CTR 1 B, KID 1 B, h 1 B
    const n = enc.length;
    // Same CTR, KID and h, with KID written on 2 bytes: only cfg's KK bits and the length change.
    const re = new Uint8Array(n + 1);
    re.set(enc.subarray(0, n - 3), 0);
    re[n - 3] = 0;
    re[n - 2] = enc[n - 3]!;
    re[n - 1] = enc[n - 2]!;
    re[n] = enc[n - 1]! | (1 << 3);
    const h = parseFrameHeader(re);
    expect(h).toMatchObject({ kid: key.kid, ctr: 7, prefixLength: 3 });
    expect(await decryptFrame(re, keys())).toMatchObject({ ok: false, reason: 'AUTH_FAILED' });
  });

  it('never throws on random or truncated input', async () => {
    let s = 99;
    const rnd = () => (s = (s * 1103515245 + 12345) & 0x7fffffff);
    const enc = await encryptFrame(frameOf(200), 10, key, 77);
    for (let n = 0; n < 5000; n++) {
      const len = rnd() % enc.length; // strictly shorter than a valid frame
      const buf = n % 2 ? enc.slice(0, len) : new Uint8Array(len).map(() => rnd() & 0xff);
      const r = await decryptFrame(buf, keys());
      expect(r.ok).toBe(false);
      parseFrameHeader(buf);
    }
  });
});

describe('sender keys', () => {
  it('ratchets deterministically to distinct keys', async () => {
    const r1 = ratchet(base);
    const r2 = ratchet(r1);
    expect(r1).not.toEqual(base);
    expect(r2).not.toEqual(r1);
    expect(ratchet(base)).toEqual(r1);
  });
  it('encodes the key id as (generation << 4) | step mod 16', async () => {
    expect(keyId(0, 0)).toBe(0);
    expect(keyId(1, 0)).toBe(16);
    expect(keyId(2, 17)).toBe(33);
    expect(() => keyId(-1, 0)).toThrow(RangeError);
  });
});
