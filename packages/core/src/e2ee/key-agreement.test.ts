import { describe, expect, it } from 'vitest';
import { openFrame, sealFrame } from './frame-crypto.js';
import { KeyAgreement, type KeyAgreementHost, type RelayType } from './key-agreement.js';

/** Participants wired through an in-memory "server" that relays every message (and can tamper). */
function room(ids: string[]) {
  const queue: { from: string; to: string; type: RelayType; payload: string }[] = [];
  const log = { sas: new Map<string, Uint8Array>(), keyed: new Set<string>(), refused: [] as string[] };
  let now = 0;
  const timers: { at: number; fn: () => void }[] = [];
  const agents = new Map<string, KeyAgreement>();
  const make = (id: string, role: string) => {
    const host: KeyAgreementHost = {
      relay: (to, type, payload) => queue.push({ from: id, to, type, payload }),
      sasReady: (peer, sas) => log.sas.set(`${id}->${peer}`, sas),
      peerKeyed: (peer) => log.keyed.add(`${id}<-${peer}`),
      refused: (peer, reason) => log.refused.push(`${id}:${peer}:${reason}`),
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
    const a = new KeyAgreement({ sessionId: 'sid-1', selfId: id, role }, host);
    a.start();
    agents.set(id, a);
    return a;
  };
  for (const [i, id] of ids.entries()) make(id, i === 0 ? 'host' : 'client');
  const deliver = (tamper?: (m: (typeof queue)[number]) => void) => {
    for (let n = 0; queue.length && n < 1000; n++) {
      const m = queue.shift()!;
      tamper?.(m);
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
  const meet = (a: string, b: string) => {
    agents.get(a)!.addPeer(b);
    agents.get(b)!.addPeer(a);
    deliver();
  };
  return { agents, queue, log, deliver, advance, meet, make };
}

const frame = (n = 300) => new Uint8Array(n).map((_, i) => (i * 11) & 0xff);
async function canRead(r: ReturnType<typeof room>, from: string, to: string, track = 'cam'): Promise<boolean> {
  const sealed = await sealFrame(r.agents.get(from)!.sender, track, 'video/vp8', false, frame());
  if (!sealed.ok) return false;
  const ring = r.agents.get(to)!.receivers.get(from);
  return !!ring && (await openFrame(ring, track, sealed.data)).ok;
}

describe('KeyAgreement', () => {
  it('pairs two participants: same SAS on both sides, and each reads the other', async () => {
    const r = room(['therapist', 'client']);
    r.meet('therapist', 'client');
    expect(r.log.sas.get('therapist->client')).toEqual(r.log.sas.get('client->therapist'));
    expect(r.log.keyed).toEqual(new Set(['therapist<-client', 'client<-therapist']));
    expect(await canRead(r, 'therapist', 'client')).toBe(true);
    expect(await canRead(r, 'client', 'therapist')).toBe(true);
    expect(r.log.refused).toEqual([]);
  });

  it('handles simultaneous commits (both add each other at once)', async () => {
    const r = room(['a', 'b']);
    r.agents.get('a')!.addPeer('b');
    r.agents.get('b')!.addPeer('a');
    r.deliver();
    expect(await canRead(r, 'a', 'b')).toBe(true);
    expect(await canRead(r, 'b', 'a')).toBe(true);
  });

  it('a newcomer gets a ratcheted key: it cannot read frames sent before it joined', async () => {
    const r = room(['therapist', 'client', 'interpreter']);
    r.meet('therapist', 'client');
    const before = await sealFrame(r.agents.get('therapist')!.sender, 'cam', 'video/vp8', false, frame());
    r.meet('therapist', 'interpreter');
    r.meet('client', 'interpreter');
    expect(await canRead(r, 'therapist', 'interpreter')).toBe(true);
    expect(await canRead(r, 'therapist', 'client')).toBe(true); // the client derives the ratchet step itself
    if (!before.ok) throw new Error('seal');
    const ring = r.agents.get('interpreter')!.receivers.get('therapist')!;
    expect((await openFrame(ring, 'cam', before.data)).ok).toBe(false);
  });

  it('replaces the key when someone leaves: the leaver cannot read what follows', async () => {
    const r = room(['therapist', 'client', 'guest']);
    r.meet('therapist', 'client');
    r.meet('therapist', 'guest');
    r.meet('client', 'guest');
    expect(await canRead(r, 'therapist', 'guest')).toBe(true);
    r.agents.get('therapist')!.removePeer('guest');
    r.deliver(); // new key to the client, acknowledged: switch at once
    expect(r.agents.get('therapist')!.sender.position?.generation).toBe(1);
    expect(await canRead(r, 'therapist', 'client')).toBe(true);
    expect(await canRead(r, 'therapist', 'guest')).toBe(false);
  });

  it('switches after 2 s even when an acknowledgement never comes', async () => {
    const r = room(['therapist', 'client', 'guest']);
    r.meet('therapist', 'client');
    r.meet('therapist', 'guest');
    r.agents.get('therapist')!.removePeer('guest');
    r.queue.length = 0; // the client's ack is lost
    expect(r.agents.get('therapist')!.sender.position?.generation).toBe(0);
    r.advance(2000);
    expect(r.agents.get('therapist')!.sender.position?.generation).toBe(1);
  });

  it('refuses tampered and replayed control messages, and keys nobody through them', async () => {
    const r = room(['a', 'b']);
    r.agents.get('a')!.addPeer('b');
    r.agents.get('b')!.addPeer('a');
    const replay: { type: RelayType; payload: string; from: string; to: string }[] = [];
    r.deliver((m) => {
      if (m.type === 'sealed') {
        replay.push({ ...m });
        if (m.from === 'a') m.payload = m.payload.slice(0, -4) + (m.payload.endsWith('AAAA') ? 'BBBB' : 'AAAA');
      }
    });
    expect(r.log.refused.some((x) => x.startsWith('b:a:'))).toBe(true);
    expect(r.log.keyed.has('b<-a')).toBe(false);
    const before = r.log.refused.length;
    for (const m of replay.filter((x) => x.from === 'b')) r.agents.get('a')!.receive(m.from, m.type, m.payload);
    expect(r.log.refused.length).toBeGreaterThan(before); // replays refused
  });

  it('ratchets every 5 minutes without messages; peers keep reading', async () => {
    const r = room(['therapist', 'client']);
    r.meet('therapist', 'client');
    const before = r.agents.get('therapist')!.sender.position;
    r.advance(5 * 60 * 1000);
    expect(r.queue).toEqual([]);
    expect(r.agents.get('therapist')!.sender.position).toEqual({ generation: before!.generation, step: before!.step + 1 });
    expect(await canRead(r, 'therapist', 'client')).toBe(true);
    r.advance(5 * 60 * 1000);
    expect(r.agents.get('therapist')!.sender.position?.step).toBe(before!.step + 2);
    expect(await canRead(r, 'therapist', 'client')).toBe(true);
  });

  it('recovers a lost key message: the receiver asks, the sender sends its current key again', async () => {
    const r = room(['therapist', 'client']);
    r.agents.get('therapist')!.addPeer('client');
    r.agents.get('client')!.addPeer('therapist');
    let dropped = 0;
    r.deliver((m) => {
      // Lose the therapist's first sealed message (its key) on the way to the client.
      if (m.from === 'therapist' && m.type === 'sealed' && dropped === 0) {
        dropped++;
        m.to = 'nobody';
      }
    });
    expect(await canRead(r, 'therapist', 'client')).toBe(false);
    r.agents.get('client')!.requestKey('therapist');
    r.deliver();
    expect(await canRead(r, 'therapist', 'client')).toBe(true);
  });

  it('restarts a handshake whose messages were lost', async () => {
    const r = room(['therapist', 'client']);
    r.agents.get('therapist')!.addPeer('client');
    r.agents.get('client')!.addPeer('therapist');
    r.deliver((m) => {
      if (m.from === 'therapist') m.to = 'nobody'; // the therapist's commit never arrives
    });
    expect(await canRead(r, 'therapist', 'client')).toBe(false);
    r.agents.get('client')!.requestKey('therapist'); // too early: nothing happens
    expect(r.queue).toEqual([]);
    r.advance(3000);
    r.agents.get('client')!.requestKey('therapist');
    r.deliver();
    expect(await canRead(r, 'therapist', 'client')).toBe(true);
    expect(await canRead(r, 'client', 'therapist')).toBe(true);
    expect(r.log.sas.get('therapist->client')).toEqual(r.log.sas.get('client->therapist'));
  });

  it('handshakes again when a peer starts over (new worker, same participant id)', async () => {
    const r = room(['therapist', 'client']);
    r.meet('therapist', 'client');
    r.agents.get('client')!.destroy();
    r.agents.delete('client');
    r.make('client', 'client');
    r.agents.get('client')!.addPeer('therapist');
    r.deliver();
    expect(await canRead(r, 'client', 'therapist')).toBe(true);
    expect(await canRead(r, 'therapist', 'client')).toBe(true);
  });

  it('a server substituting keys yields different SAS on the two sides', async () => {
    const r = room(['therapist', 'client']);
    const mallory = room(['client', 'therapist']); // Mallory's fake client and fake therapist
    r.agents.get('therapist')!.addPeer('client');
    r.agents.get('client')!.addPeer('therapist');
    mallory.agents.get('client')!.addPeer('therapist');
    mallory.agents.get('therapist')!.addPeer('client');
    // Route therapist <-> Mallory-as-client and client <-> Mallory-as-therapist.
    for (let n = 0; n < 50 && (r.queue.length || mallory.queue.length); n++) {
      for (const m of r.queue.splice(0)) mallory.agents.get(m.to)!.receive(m.from, m.type, m.payload);
      for (const m of mallory.queue.splice(0)) r.agents.get(m.to)!.receive(m.from, m.type, m.payload);
    }
    const t = r.log.sas.get('therapist->client');
    const c = r.log.sas.get('client->therapist');
    expect(t).toBeDefined();
    expect(c).toBeDefined();
    expect(t).not.toEqual(c);
  });
});
