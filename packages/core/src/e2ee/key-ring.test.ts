import { E2EE_PREVIOUS_KEY_GRACE_MS, E2EE_SUITES } from '@alcove/protocol';
import { describe, expect, it } from 'vitest';
import { openFrame, sealFrame } from './frame-crypto.js';
import { PREVIOUS_STEP_GRACE_FRAMES, PREVIOUS_STEP_GRACE_MS, ReceiverKeyRing, SenderKeyState } from './key-ring.js';

// Key switches without a freeze: frames sealed just before the sender moved on (in flight, or
// reordered) still open for a short, bounded and counted grace; after it they are dropped.

const suite = E2EE_SUITES.AES_128_GCM;
const base = (b: number) => new Uint8Array(32).fill(b);
const frame = () => new Uint8Array(120).map((_, i) => i & 0xff);

function pair() {
  let now = 0;
  const sender = new SenderKeyState(suite);
  const ring = new ReceiverKeyRing(suite, () => now);
  return {
    sender,
    ring,
    seal: async (track = 'cam') => {
      const r = await sealFrame(sender, track, 'video/vp8', false, frame());
      if (!r.ok) throw new Error(r.reason);
      return r.data;
    },
    open: (data: Uint8Array, track = 'cam') => openFrame(ring, track, data),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('ReceiverKeyRing: key-switch grace', () => {
  it('opens frames of the previous ratchet step after a forward step, for a short while, and counts them', async () => {
    const p = pair();
    p.sender.setKey(0, base(1));
    p.ring.setKey(0, 0, base(1));
    const inFlight = [await p.seal(), await p.seal()]; // step 0, not yet delivered
    expect((await p.open(await p.seal())).ok).toBe(true);
    p.sender.ratchet(); // the sender moves to step 1 (someone joined)
    expect((await p.open(await p.seal())).ok).toBe(true); // the receiver follows (committed forward)
    expect(p.ring.graceOpened).toBe(0);
    expect((await p.open(inFlight[0]!)).ok).toBe(true);
    expect(p.ring.graceOpened).toBe(1);
    // Replays are still refused inside the grace.
    expect(await p.open(inFlight[0]!)).toEqual({ ok: false, reason: 'REPLAY' });
    p.advance(PREVIOUS_STEP_GRACE_MS + 1);
    expect(await p.open(inFlight[1]!)).toEqual({ ok: false, reason: 'UNKNOWN_KEY' });
    expect(p.ring.graceOpened).toBe(1);
    // The current step keeps working.
    expect((await p.open(await p.seal())).ok).toBe(true);
  });

  it('bounds the previous-step grace by a number of frames', async () => {
    const p = pair();
    p.sender.setKey(0, base(2));
    p.ring.setKey(0, 0, base(2));
    const old: Uint8Array[] = [];
    for (let i = 0; i <= PREVIOUS_STEP_GRACE_FRAMES; i++) old.push(await p.seal('mic'));
    p.sender.ratchet();
    expect((await p.open(await p.seal('mic'), 'mic')).ok).toBe(true);
    // The replay window keeps the last 128 counters of a key: open the newest old frames in order.
    let opened = 0;
    for (const f of old) if ((await p.open(f, 'mic')).ok) opened++;
    expect(opened).toBe(PREVIOUS_STEP_GRACE_FRAMES);
    expect(p.ring.graceOpened).toBe(PREVIOUS_STEP_GRACE_FRAMES);
  });

  it('keeps the previous generation for 2 s after the new one is in use, counting what opens under it', async () => {
    const p = pair();
    p.sender.setKey(0, base(3));
    p.ring.setKey(0, 0, base(3));
    expect((await p.open(await p.seal())).ok).toBe(true);
    expect(p.ring.decryptedInEpoch).toBe(true);
    const late = [await p.seal(), await p.seal()];
    // Someone left: a new generation arrives; until a frame under it opens, the epoch is not confirmed.
    p.ring.setKey(1, 0, base(4));
    expect(p.ring.decryptedInEpoch).toBe(false);
    p.sender.setKey(1, base(4));
    const epochs: string[] = [];
    p.ring.onEpochOpened((g, previous) => epochs.push(`${previous}→${g}`));
    expect((await p.open(await p.seal())).ok).toBe(true);
    expect(epochs).toEqual(['0→1']);
    expect(p.ring.decryptedInEpoch).toBe(true);
    expect((await p.open(late[0]!)).ok).toBe(true);
    expect(p.ring.graceOpened).toBe(1);
    p.advance(E2EE_PREVIOUS_KEY_GRACE_MS + 1);
    expect(await p.open(late[1]!)).toEqual({ ok: false, reason: 'UNKNOWN_KEY' });
    expect(p.ring.graceOpened).toBe(1);
  });
});

describe('key lookup per received frame', () => {
  it('reuses one candidate object and each track’s derived key: nothing is built per frame', async () => {
    const p = pair();
    p.sender.setKey(0, base(3));
    p.ring.setKey(0, 0, base(3));
    const kid = 0; // generation 0, step 0
    const first = p.ring.candidate(kid, 'cam');
    const key = first?.key;
    const replay = first?.replay;
    first?.commit();
    const second = p.ring.candidate(kid, 'cam');
    expect(second).toBe(first); // the same object, refilled
    expect(second?.key).toBe(key); // the track's key, derived once
    expect(second?.replay).toBe(replay); // and its replay window
    const mic = p.ring.candidate(kid, 'mic');
    expect(mic).toBe(first);
    expect(mic?.key).not.toBe(key); // tracks never share a key
    // Frames still open, in order, through the reused candidate.
    expect((await p.open(await p.seal('cam'), 'cam')).ok).toBe(true);
    expect((await p.open(await p.seal('mic'), 'mic')).ok).toBe(true);
  });

  it('a frame one step ahead is opened with a key derived for it, kept only once it authenticates', async () => {
    const p = pair();
    p.sender.setKey(0, base(4));
    p.ring.setKey(0, 0, base(4));
    expect((await p.open(await p.seal())).ok).toBe(true);
    const late = [await p.seal(), await p.seal()]; // step 0, still in flight
    p.sender.ratchet();
    const ahead = await p.seal();
    // A forged frame under the next step fails and does not move the ring forward: step 0 is still
    // the current step (its frame opens outside any grace window).
    const forged = ahead.slice();
    forged[0] = (forged[0] ?? 0) ^ 1;
    expect(await p.open(forged)).toEqual({ ok: false, reason: 'AUTH_FAILED' });
    expect((await p.open(late[0]!)).ok).toBe(true);
    expect(p.ring.graceOpened).toBe(0);
    // The real frame moves it forward; step 0 is now the previous step, opened in its grace window.
    expect((await p.open(ahead)).ok).toBe(true);
    expect((await p.open(late[1]!)).ok).toBe(true);
    expect(p.ring.graceOpened).toBe(1);
    expect((await p.open(await p.seal())).ok).toBe(true);
  });
});
