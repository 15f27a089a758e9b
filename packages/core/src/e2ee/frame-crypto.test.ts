import { E2EE_SUITES } from '@alcove/protocol';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { clearPrefixLength, isE2eeCodec, openFrame, sealFrame } from './frame-crypto.js';
import { ReceiverKeyRing, SenderKeyState } from './key-ring.js';

const suite = E2EE_SUITES.AES_128_GCM;
const frame = (n: number, seed = 3) => new Uint8Array(n).map((_, i) => (i * 7 + seed) & 0xff);

function pair(now: { t: number } = { t: 0 }) {
  const tx = new SenderKeyState(suite);
  const rx = new ReceiverKeyRing(suite, () => now.t);
  const k0 = nacl.randomBytes(32);
  tx.setKey(0, k0);
  rx.setKey(0, 0, k0);
  return { tx, rx, now };
}

const roundTrip = async (tx: SenderKeyState, rx: ReceiverKeyRing, track = 'cam', f = frame(500)) => {
  const sealed = await sealFrame(tx, track, 'video/vp8', false, f);
  if (!sealed.ok) throw new Error(sealed.reason);
  return await openFrame(rx, track, sealed.data);
};

describe('sealFrame / openFrame', () => {
  it('round-trips and keeps the codec prefix in clear', async () => {
    const { tx, rx } = pair();
    const f = frame(800);
    const s = await sealFrame(tx, 'cam', 'video/vp8', true, f);
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.data.subarray(0, 10)).toEqual(f.subarray(0, 10));
    expect(await openFrame(rx, 'cam', s.data)).toEqual({ ok: true, data: f });
  });

  it('fails closed without a sender key and drops frames without a receiver key', async () => {
    const tx = new SenderKeyState(suite);
    expect(await sealFrame(tx, 'mic', 'audio/opus', false, frame(80))).toEqual({ ok: false, reason: 'NO_KEY' });
    const { tx: tx2 } = pair();
    const s = await sealFrame(tx2, 'mic', 'audio/opus', false, frame(80));
    if (!s.ok) throw new Error('seal');
    expect(await openFrame(new ReceiverKeyRing(suite), 'mic', s.data)).toMatchObject({ ok: false, reason: 'UNKNOWN_KEY' });
  });

  it('passes empty frames through', async () => {
    const tx = new SenderKeyState(suite);
    expect(await sealFrame(tx, 'mic', 'audio/opus', false, new Uint8Array(0))).toMatchObject({ ok: true });
  });

  it('rejects a replayed frame, but only after the first copy authenticated', async () => {
    const { tx, rx } = pair();
    const s = await sealFrame(tx, 'cam', 'video/vp8', false, frame(300));
    if (!s.ok) throw new Error('seal');
    const forged = s.data.slice();
    forged[20] = (forged[20] ?? 0) ^ 1;
    expect(await openFrame(rx, 'cam', forged)).toMatchObject({ ok: false, reason: 'AUTH_FAILED' });
    expect((await openFrame(rx, 'cam', s.data)).ok).toBe(true);
    expect(await openFrame(rx, 'cam', s.data)).toMatchObject({ ok: false, reason: 'REPLAY' });
  });

  it('follows the sender ratchet up to 15 steps ahead, and no further', async () => {
    const { tx, rx } = pair();
    expect((await roundTrip(tx, rx)).ok).toBe(true);
    for (let i = 0; i < 5; i++) tx.ratchet();
    expect((await roundTrip(tx, rx)).ok).toBe(true); // derived 5 steps forward, committed
    expect((await roundTrip(tx, rx)).ok).toBe(true);
    for (let i = 0; i < 16; i++) tx.ratchet(); // 16 ahead: the 4-bit step wraps to "0 ahead"
    expect((await roundTrip(tx, rx)).ok).toBe(false);
  });

  it('a newcomer given B[g][s] cannot read frames of earlier steps', async () => {
    const { tx } = pair();
    const before = await sealFrame(tx, 'cam', 'video/vp8', false, frame(200));
    const next = tx.ratchet();
    const newcomer = new ReceiverKeyRing(suite);
    newcomer.setKey(next.generation, next.step, next.base);
    if (!before.ok) throw new Error('seal');
    expect((await openFrame(newcomer, 'cam', before.data)).ok).toBe(false);
    expect((await roundTrip(tx, newcomer)).ok).toBe(true);
  });

  it('keeps the previous generation for 2 s after the new one is in use, then evicts it', async () => {
    const { tx, rx, now } = pair();
    const old = await sealFrame(tx, 'cam', 'video/vp8', false, frame(100));
    const k1 = nacl.randomBytes(32);
    tx.setKey(1, k1);
    rx.setKey(1, 0, k1);
    expect((await roundTrip(tx, rx)).ok).toBe(true); // first frame under generation 1
    if (!old.ok) throw new Error('seal');
    now.t = 1500;
    expect((await openFrame(rx, 'cam', old.data)).ok).toBe(true); // late frame of generation 0, within grace
    now.t = 2600;
    expect(await openFrame(rx, 'cam', old.data)).toMatchObject({ ok: false, reason: 'UNKNOWN_KEY' });
  });

  it('a removed participant holding an old generation cannot read the new one', async () => {
    const { tx, rx: removed } = pair();
    tx.setKey(1, nacl.randomBytes(32));
    expect(await roundTrip(tx, removed)).toMatchObject({ ok: false, reason: 'UNKNOWN_KEY' });
  });

  it('keys tracks apart', async () => {
    const { tx, rx } = pair();
    const s = await sealFrame(tx, 'mic', 'audio/opus', false, frame(60));
    if (!s.ok) throw new Error('seal');
    expect((await openFrame(rx, 'cam', s.data)).ok).toBe(false);
    expect((await openFrame(rx, 'mic', s.data)).ok).toBe(true);
  });
});

describe('codecs', () => {
  it('allows Opus, VP8 and VP9 only', async () => {
    expect(isE2eeCodec('audio/opus')).toBe(true);
    expect(isE2eeCodec('video/VP8')).toBe(true);
    expect(isE2eeCodec('video/vp9')).toBe(true);
    expect(isE2eeCodec('video/H264')).toBe(false);
    expect(isE2eeCodec('video/AV1')).toBe(false);
  });
  it('uses the design clear prefixes', async () => {
    expect(clearPrefixLength('video/vp8', true, 1000)).toBe(10);
    expect(clearPrefixLength('video/vp8', false, 1000)).toBe(3);
    expect(clearPrefixLength('audio/opus', false, 100)).toBe(1);
    expect(clearPrefixLength('video/vp9', true, 1000)).toBe(0);
    expect(clearPrefixLength('video/vp8', true, 4)).toBe(4);
  });
});
