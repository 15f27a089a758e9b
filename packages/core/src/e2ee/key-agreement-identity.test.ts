import nacl from 'tweetnacl';
import { type IdentitySigner, identitySigner } from './identity-signer.js';
import { describe, expect, it } from 'vitest';
import { toBase64 } from './encoding.js';
import { openFrame, sealFrame } from './frame-crypto.js';
import { KeyAgreement, type KeyAgreementHost, type RelayType } from './key-agreement.js';

// The identity key a participant publishes (`e2ee.publishKey`) must be the one its handshake is
// signed with: a handshake under any other key is refused (IDENTITY_MISMATCH, counted), messages
// wait until the published key is known, and a pair made with a key that is later contradicted by
// the published one is dropped.

function room() {
  const queue: { from: string; to: string; type: RelayType; payload: string }[] = [];
  const refused: string[] = [];
  const sas = new Map<string, string>();
  const events: string[] = [];
  const agents = new Map<string, KeyAgreement>();
  const identities = new Map<string, IdentitySigner>();
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const make = (id: string, identity: IdentitySigner = identitySigner()) => {
    const host: KeyAgreementHost = {
      relay: (to, type, payload) => queue.push({ from: id, to, type, payload }),
      sasReady: (peer, s, _role, ik) => sas.set(`${id}->${peer}`, `${toBase64(s)} ${toBase64(ik)}`),
      peerKeyed: (peer) => events.push(`${id}:keyed:${peer}`),
      refused: (peer, reason) => refused.push(`${id}:${peer}:${reason}`),
      senderKeyChanged: () => events.push(`${id}:senderKeyChanged`),
      statusChanged: () => events.push(`${id}:status`),
      now: () => now,
      setTimeout: (fn, ms) => {
        const t = { at: now + ms, fn };
        timers.push(t);
        return t;
      },
      clearTimeout: (h) => {
        const i = timers.indexOf(h as never);
        if (i >= 0) timers.splice(i, 1);
      },
    };
    const a = new KeyAgreement({ sessionId: 'sid', selfId: id, role: 'client', identity, requirePublishedKey: true }, host);
    a.start();
    agents.set(id, a);
    identities.set(id, identity);
    return a;
  };
  const deliver = () => {
    for (let n = 0; queue.length && n < 1000; n++) {
      const m = queue.shift()!;
      agents.get(m.to)?.receive(m.from, m.type, m.payload);
    }
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of [...timers])
      if (t.at <= now) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
  };
  /** What the server tells `to` about `who`'s published identity key. */
  const publish = (to: string, who: string, key = toBase64(identities.get(who)!.publicKey)) => agents.get(to)!.setPublishedKey(who, key);
  const canRead = async (from: string, to: string): Promise<boolean> => {
    const sealed = await sealFrame(agents.get(from)!.sender, 'cam', 'video/vp8', false, new Uint8Array(200).fill(7));
    const ring = agents.get(to)!.receivers.get(from);
    return sealed.ok && !!ring && (await openFrame(ring, 'cam', sealed.data)).ok;
  };
  return { agents, identities, queue, refused, sas, events, make, deliver, advance, publish, canRead };
}

describe('KeyAgreement: published identity key = handshake identity key', () => {
  it('pairs when each side uses the key it published', async () => {
    const r = room();
    r.make('a');
    r.make('b');
    r.publish('a', 'b');
    r.publish('b', 'a');
    r.agents.get('a')!.addPeer('b');
    r.agents.get('b')!.addPeer('a');
    r.deliver();
    expect(r.refused).toEqual([]);
    expect(r.sas.get('a->b')?.split(' ')[0]).toBe(r.sas.get('b->a')?.split(' ')[0]);
    // The SAS event carries the peer's identity key (public), for the fingerprint.
    expect(r.sas.get('a->b')?.split(' ')[1]).toBe(toBase64(r.identities.get('b')!.publicKey));
    expect(await r.canRead('a', 'b')).toBe(true);
    expect(await r.canRead('b', 'a')).toBe(true);
    const st = r.agents.get('a')!.status();
    expect(st.localKeyed).toBe(true);
    expect(st.peers).toEqual([expect.objectContaining({ peer: 'b', paired: true, keyed: true, awaitingPublishedKey: false })]);
    expect(st.peers[0]?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(st.refused).toEqual({});
  });

  it('refuses a handshake signed with another key than the published one, and counts it', async () => {
    const r = room();
    r.make('a');
    r.make('b');
    const published = nacl.sign.keyPair(); // what the server claims b published
    r.publish('a', 'b', toBase64(published.publicKey));
    r.publish('b', 'a');
    r.agents.get('a')!.addPeer('b');
    r.agents.get('b')!.addPeer('a');
    r.deliver();
    expect(r.refused).toContain('a:b:IDENTITY_MISMATCH');
    // Counted (b's reveal that follows is refused too: a never accepted b's commit).
    expect(r.agents.get('a')!.status().refused.IDENTITY_MISMATCH).toBe(1);
    expect(r.sas.has('a->b')).toBe(false);
    expect(r.agents.get('a')!.receivers.has('b')).toBe(false);
    expect(await r.canRead('b', 'a')).toBe(false);
    // b never got a's reveal (a never revealed to an unauthenticated commit): no pair on b's side either.
    expect(r.sas.has('b->a')).toBe(false);
  });

  it('holds handshake messages until the published key is known, then pairs', async () => {
    const r = room();
    r.make('a');
    r.make('b');
    r.publish('b', 'a');
    r.agents.get('a')!.addPeer('b');
    r.agents.get('b')!.addPeer('a');
    r.deliver();
    expect(r.sas.size).toBe(0);
    expect(r.agents.get('a')!.status().peers[0]).toEqual(expect.objectContaining({ peer: 'b', paired: false, awaitingPublishedKey: true }));
    r.publish('a', 'b');
    r.deliver();
    expect(r.refused).toEqual([]);
    expect(r.sas.get('a->b')?.split(' ')[0]).toBe(r.sas.get('b->a')?.split(' ')[0]);
    expect(await r.canRead('b', 'a')).toBe(true);
  });

  it('drops a pair whose peer then publishes another key, and starts over', async () => {
    const r = room();
    r.make('a');
    r.make('b');
    r.publish('a', 'b');
    r.publish('b', 'a');
    r.agents.get('a')!.addPeer('b');
    r.agents.get('b')!.addPeer('a');
    r.deliver();
    expect(await r.canRead('b', 'a')).toBe(true);
    r.queue.length = 0;
    r.publish('a', 'b', toBase64(nacl.sign.keyPair().publicKey));
    expect(r.refused).toEqual(['a:b:IDENTITY_MISMATCH']);
    expect(r.agents.get('a')!.receivers.has('b')).toBe(false);
    expect(await r.canRead('b', 'a')).toBe(false);
    // A fresh commit went out to b.
    expect(r.queue.map((m) => `${m.from}->${m.to}:${m.type}`)).toEqual(['a->b:commit']);
  });

  it('reports a sender key change (for a key frame) when someone leaves, after the new key is acknowledged', async () => {
    const r = room();
    for (const id of ['a', 'b', 'c']) r.make(id);
    for (const x of ['a', 'b', 'c']) for (const y of ['a', 'b', 'c']) if (x !== y) r.publish(x, y);
    for (const x of ['a', 'b', 'c']) for (const y of ['a', 'b', 'c']) if (x !== y) r.agents.get(x)!.addPeer(y);
    r.deliver();
    r.events.length = 0;
    r.agents.get('a')!.removePeer('c');
    expect(r.events.filter((e) => e === 'a:senderKeyChanged')).toEqual([]); // waits for b's ack
    r.deliver();
    expect(r.events.filter((e) => e === 'a:senderKeyChanged')).toEqual(['a:senderKeyChanged']);
    expect(r.agents.get('a')!.status().generation).toBe(1);
    expect(await r.canRead('a', 'b')).toBe(true);
  });
});

/** A device identity as browsers with Ed25519 in WebCrypto hold it: non-extractable, signing asynchronously. */
async function webCryptoIdentity(): Promise<IdentitySigner> {
  const pair = (await crypto.subtle.generateKey('Ed25519', false, ['sign', 'verify'])) as CryptoKeyPair;
  return identitySigner({ privateKey: pair.privateKey, publicKey: new Uint8Array(await crypto.subtle.exportKey('raw', pair.publicKey)) });
}

/** Delivers until nothing is queued or waiting for a signature (bounded by rounds, not by time). */
async function settle(r: ReturnType<typeof room>): Promise<void> {
  for (let round = 0; round < 50; round++) {
    r.deliver();
    // WebCrypto signatures settle on the event loop: give them a turn, then look again.
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (r.queue.length === 0 && round > 2) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (r.queue.length === 0) return;
    }
  }
  throw new Error('relays did not settle');
}

describe('KeyAgreement with non-extractable WebCrypto identities (asynchronous signatures)', () => {
  it('pairs: same SAS, keys both ways, nothing refused; the relays wait for their signatures', async () => {
    const r = room();
    r.make('a', await webCryptoIdentity());
    r.make('b', await webCryptoIdentity());
    r.publish('a', 'b');
    r.publish('b', 'a');
    r.agents.get('a')!.addPeer('b');
    r.agents.get('b')!.addPeer('a');
    // The commits are being signed: nothing is sent before its signature.
    expect(r.queue).toEqual([]);
    await settle(r);
    expect(r.refused).toEqual([]);
    expect(r.sas.get('a->b')?.split(' ')[0]).toBe(r.sas.get('b->a')?.split(' ')[0]);
    expect(r.sas.get('b->a')?.split(' ')[1]).toBe(toBase64(r.identities.get('a')!.publicKey));
    expect(await r.canRead('a', 'b')).toBe(true);
    expect(await r.canRead('b', 'a')).toBe(true);
  });

  it('pairs a WebCrypto identity with a seed-based one (mixed browsers)', async () => {
    const r = room();
    r.make('a', await webCryptoIdentity());
    r.make('b');
    r.publish('a', 'b');
    r.publish('b', 'a');
    r.agents.get('a')!.addPeer('b');
    r.agents.get('b')!.addPeer('a');
    await settle(r);
    expect(r.refused).toEqual([]);
    expect(await r.canRead('a', 'b')).toBe(true);
    expect(await r.canRead('b', 'a')).toBe(true);
  });

  it('refuses a handshake under another key than the published one (IDENTITY_MISMATCH), as with a seed', async () => {
    const r = room();
    r.make('a', await webCryptoIdentity());
    r.make('b', await webCryptoIdentity());
    r.publish('a', 'b', toBase64((await webCryptoIdentity()).publicKey)); // the server claims another key for b
    r.publish('b', 'a');
    r.agents.get('a')!.addPeer('b');
    r.agents.get('b')!.addPeer('a');
    await settle(r);
    expect(r.refused).toContain('a:b:IDENTITY_MISMATCH');
    expect(r.agents.get('a')!.status().refused.IDENTITY_MISMATCH).toBeGreaterThan(0);
    expect(r.agents.get('a')!.receivers.get('b')).toBeUndefined();
    expect(r.sas.has('a->b')).toBe(false);
  });

  it('a signature that fails is reported (SIGN_FAILED, counted) and its message is never sent', async () => {
    const r = room();
    const good = await webCryptoIdentity();
    r.make('a', { publicKey: good.publicKey, sign: () => Promise.reject(new DOMException('key unusable', 'OperationError')) });
    r.make('b');
    r.publish('b', 'a');
    r.agents.get('a')!.addPeer('b');
    await settle(r);
    expect(r.refused).toContain('a:a:SIGN_FAILED');
    expect(r.agents.get('a')!.status().refused.SIGN_FAILED).toBe(1);
    expect(r.sas.size).toBe(0);
    // b never heard of a: a's commit (which would have made b pair back) was not sent.
    expect(r.agents.get('b')!.status().peers).toEqual([]);
  });
});
