import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { ControlChannel } from './control-channel.js';
import { HandshakeError, PairHandshake, type CommitMessage, type RevealMessage } from './handshake.js';
import { identitySigner } from './identity-signer.js';
import { sasDecimal, sasEmoji, SAS_EMOJI } from './sas.js';

const sid = 'session-1';
/** A seed-based identity: its signer answers synchronously, so every message below is a value (cast). */
const party = (id: string, role: string) => {
  const seed = nacl.randomBytes(32);
  return { id, role, identity: identitySigner({ seed }), pair: nacl.sign.keyPair.fromSeed(seed) };
};
const therapist = party('p-therapist', 'host');
const client = party('p-client', 'client');

function run(a = therapist, b = client) {
  const ha = new PairHandshake({ sessionId: sid, self: a, peerId: b.id });
  const hb = new PairHandshake({ sessionId: sid, self: b, peerId: a.id });
  const ca = ha.commit() as CommitMessage;
  expect(hb.onCommit(ca)).toBeUndefined(); // b has not committed yet: it must not reveal
  const cb = hb.commit() as CommitMessage;
  const ra = ha.onCommit(cb) as RevealMessage; // a holds b's commitment and has committed: reveals
  const rb = hb.reveal() as RevealMessage;
  const sb = hb.onReveal(ra);
  const sa = ha.onReveal(rb);
  return { ha, hb, sa, sb, ca, cb, ra, rb };
}

const refuse = (fn: () => unknown, reason: string) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(HandshakeError);
    expect((e as HandshakeError).reason).toBe(reason);
    return;
  }
  throw new Error(`expected ${reason}`);
};

describe('pair handshake', () => {
  it('agrees on mirrored control keys, transcript and SAS', () => {
    const { sa, sb } = run();
    expect(sa.sendKey).toEqual(sb.recvKey);
    expect(sa.recvKey).toEqual(sb.sendKey);
    expect(sa.sendKey).not.toEqual(sa.recvKey);
    expect(sa.sas).toEqual(sb.sas);
    expect(sa.transcript).toEqual(sb.transcript);
    expect(sa.peerIdentityKey).toEqual(client.identity.publicKey);
    expect(sa.peerRole).toBe('client');
    expect(sasEmoji(sa.sas)).toHaveLength(7);
  });

  it('uses fresh ephemeral keys per handshake (a new run gives a new SAS)', () => {
    expect(run().sa.sas).not.toEqual(run().sa.sas);
  });

  it('a key-substituting server shows different SAS on each side', () => {
    // Mallory sits between therapist and client with her own identity and ephemeral keys.
    const mallory = party('mallory', 'client').identity;
    const ha = new PairHandshake({ sessionId: sid, self: therapist, peerId: client.id });
    const hb = new PairHandshake({ sessionId: sid, self: client, peerId: therapist.id });
    const mToA = new PairHandshake({ sessionId: sid, self: { ...client, identity: mallory }, peerId: therapist.id });
    const mToB = new PairHandshake({ sessionId: sid, self: { ...therapist, identity: mallory }, peerId: client.id });
    const ca = ha.commit() as CommitMessage;
    const cb = hb.commit() as CommitMessage;
    // Mallory must commit before she sees any reveal.
    const cma = mToA.commit() as CommitMessage;
    const cmb = mToB.commit() as CommitMessage;
    mToB.onCommit(cb);
    mToA.onCommit(ca);
    const ra = ha.onCommit(cma) as RevealMessage;
    const rb = hb.onCommit(cmb) as RevealMessage;
    const sa = ha.onReveal(mToA.reveal() as RevealMessage);
    const sb = hb.onReveal(mToB.reveal() as RevealMessage);
    mToA.onReveal(ra);
    mToB.onReveal(rb);
    expect(sa.sas).not.toEqual(sb.sas);
    expect(sa.peerIdentityKey).not.toEqual(client.identity.publicKey);
  });

  it('refuses a reveal that does not match the commitment', () => {
    const ha = new PairHandshake({ sessionId: sid, self: therapist, peerId: client.id });
    const hb = new PairHandshake({ sessionId: sid, self: client, peerId: therapist.id });
    const hb2 = new PairHandshake({ sessionId: sid, self: client, peerId: therapist.id });
    ha.commit() as CommitMessage;
    ha.onCommit(hb.commit() as CommitMessage);
    hb2.commit() as CommitMessage;
    hb2.onCommit(new PairHandshake({ sessionId: sid, self: therapist, peerId: client.id }).commit() as CommitMessage);
    refuse(() => ha.onReveal(hb2.reveal() as RevealMessage), 'COMMITMENT_MISMATCH');
  });

  it('refuses out-of-order, forged, foreign and weak messages, leaving state unchanged', () => {
    const ha = new PairHandshake({ sessionId: sid, self: therapist, peerId: client.id });
    const hb = new PairHandshake({ sessionId: sid, self: client, peerId: therapist.id });
    refuse(() => ha.reveal() as RevealMessage, 'OUT_OF_ORDER');
    const cb = hb.commit() as CommitMessage;
    refuse(() => ha.onCommit({ ...cb, sid: 'other' }), 'WRONG_SESSION');
    refuse(() => ha.onCommit({ ...cb, from: 'p-x' }), 'WRONG_PARTIES');
    const sig = cb.sig.slice();
    sig[0] = (sig[0] ?? 0) ^ 1;
    refuse(() => ha.onCommit({ ...cb, sig }), 'BAD_SIGNATURE');
    refuse(() => ha.onCommit({ ...cb, role: 'host' }), 'BAD_SIGNATURE'); // role is signed
    refuse(() => ha.onCommit({ ...cb, identityKey: new Uint8Array(5) } as CommitMessage), 'MALFORMED');
    ha.commit() as CommitMessage;
    const ra = ha.onCommit(cb) as RevealMessage;
    refuse(() => ha.onCommit(cb), 'OUT_OF_ORDER');
    hb.onCommit(new PairHandshake({ sessionId: sid, self: therapist, peerId: client.id }).commit() as CommitMessage);
    const rb = hb.reveal() as RevealMessage;
    const forged: RevealMessage = { ...rb, sig: new Uint8Array(64) };
    refuse(() => ha.onReveal(forged), 'BAD_SIGNATURE');
    expect(ha.secrets).toBeUndefined();
    expect(ra.type).toBe('reveal');
  });

  it('refuses a changed identity key when one was verified before', () => {
    const other = party('other', 'client').identity;
    const ha = new PairHandshake({ sessionId: sid, self: therapist, peerId: client.id, expectedPeerIdentityKey: other.publicKey });
    const hb = new PairHandshake({ sessionId: sid, self: client, peerId: therapist.id });
    refuse(() => ha.onCommit(hb.commit() as CommitMessage), 'IDENTITY_CHANGED');
  });

  it('refuses a low-order ephemeral key (all-zero shared secret)', () => {
    // A malicious peer commits to the zero point and signs it with its real identity.
    const zero = new Uint8Array(32);
    const c = new PairHandshake({ sessionId: sid, self: client, peerId: therapist.id }).commit() as CommitMessage;
    // Build a reveal for the zero key, correctly committed and signed.
    const enc = (...f: (string | Uint8Array)[]) => {
      const parts = f.map((x) => (typeof x === 'string' ? new TextEncoder().encode(x) : x));
      const out: number[] = [];
      for (const p of parts) out.push(p.length >> 8, p.length & 255, ...p);
      return Uint8Array.from(out);
    };
    const commitment = nacl.hash(enc('alcove-e2ee v1 commit', sid, client.id, therapist.id, zero)).subarray(0, 32);
    const ha2 = new PairHandshake({ sessionId: sid, self: therapist, peerId: client.id });
    ha2.commit();
    ha2.onCommit({
      ...c,
      commitment,
      sig: nacl.sign.detached(enc('alcove-e2ee v1 commit', sid, client.id, therapist.id, 'client', commitment), client.pair.secretKey),
    });
    const reveal: RevealMessage = {
      v: 1,
      type: 'reveal',
      sid,
      from: client.id,
      to: therapist.id,
      ephemeralKey: zero,
      sig: nacl.sign.detached(enc('alcove-e2ee v1 reveal', sid, client.id, therapist.id, zero), client.pair.secretKey),
    };
    refuse(() => ha2.onReveal(reveal), 'WEAK_KEY');
  });
});

describe('control channel', () => {
  it('carries messages in both directions and refuses replays and forgeries', () => {
    const { sa, sb } = run();
    const a = new ControlChannel(sa.sendKey, sa.recvKey);
    const b = new ControlChannel(sb.sendKey, sb.recvKey);
    const m1 = a.seal(new TextEncoder().encode('KEY g=0 s=0'));
    const m2 = a.seal(new TextEncoder().encode('KEY g=1 s=0'));
    expect(new TextDecoder().decode(b.open(m1))).toBe('KEY g=0 s=0');
    expect(new TextDecoder().decode(b.open(m2))).toBe('KEY g=1 s=0');
    expect(b.open(m1)).toBeUndefined(); // replay
    expect(b.open(m2)).toBeUndefined();
    const m3 = a.seal(Uint8Array.of(1, 2, 3));
    const bad = m3.slice();
    bad[bad.length - 1] = (bad[bad.length - 1] ?? 0) ^ 1;
    expect(b.open(bad)).toBeUndefined();
    expect(b.open(m3)).toEqual(Uint8Array.of(1, 2, 3)); // the forgery did not advance the counter
    expect(a.open(b.seal(Uint8Array.of(9)))).toEqual(Uint8Array.of(9));
    expect(a.open(m3)).toBeUndefined(); // own direction's key does not open
  });
});

describe('SAS rendering', () => {
  it('has 64 distinct emoji and renders 42 / 39 bits', () => {
    expect(new Set(SAS_EMOJI.map(([e]) => e)).size).toBe(64);
    const all = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    expect(sasEmoji(all).every((e) => e.name === 'Pin')).toBe(true);
    expect(sasDecimal(all)).toEqual([9191, 9191, 9191]);
    expect(sasDecimal(new Uint8Array(6))).toEqual([1000, 1000, 1000]);
    // bits 0-5 = 0 (Dog), bits 6-11 = 4 (Unicorn), bits 12-17 = 1 (Cat)
    expect(
      sasEmoji(Uint8Array.of(0, 0x40, 0x40, 0, 0, 0))
        .slice(0, 3)
        .map((e) => e.name),
    ).toEqual(['Dog', 'Unicorn', 'Cat']);
  });
});
