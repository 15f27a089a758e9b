import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeviceIdentity, IDENTITY_STORAGE_KEY } from '../../e2ee/identity.js';
import type { PlatformTimers } from '../../platform/platform.js';
import { SealedChannels, type SealedRelayType } from './sealed-channels.js';

const timers: PlatformTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (h) => clearInterval(h as ReturnType<typeof setInterval>),
  now: () => Date.now(),
};

interface Wire {
  from: string;
  to: string;
  type: SealedRelayType;
  payload: string;
}

/** Two or more endpoints on a fake server that queues relays; the test decides what is delivered. */
function network() {
  const queue: Wire[] = [];
  const ends = new Map<string, SealedChannels>();
  const log = new Map<string, { opened: [string, string][]; refused: [string, string][]; established: string[] }>();
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  function add(id: string, role: string, identity = DeviceIdentity.ephemeral(), sessionId = 's1') {
    const l = { opened: [] as [string, string][], refused: [] as [string, string][], established: [] as string[] };
    log.set(id, l);
    const ch = new SealedChannels(
      { sessionId, selfId: id, role, identity, timers },
      {
        relay: (to, type, payload) => queue.push({ from: id, to, type, payload }),
        established: (peer) => l.established.push(peer),
        opened: (peer, bytes) => l.opened.push([peer, dec.decode(bytes)]),
        refused: (peer, reason) => l.refused.push([peer, reason]),
      },
    );
    ends.set(id, ch);
    return { ch, identity, log: l, send: (to: string, text: string) => ch.send(to, enc.encode(text)) };
  }
  function deliver(filter: (w: Wire) => boolean = () => true): Wire[] {
    const delivered: Wire[] = [];
    for (let guard = 0; guard < 100 && queue.length > 0; guard++) {
      const w = queue.shift()!;
      if (!filter(w)) continue;
      delivered.push(w);
      ends.get(w.to)?.receive(w.from, w.type, w.payload);
    }
    return delivered;
  }
  return { add, deliver, queue };
}

describe('SealedChannels (the sealed checklist channel)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("a guest opens a channel to the host under the host's published key and its answers arrive sealed", () => {
    const net = network();
    const host = net.add('h1', 'host');
    const guest = net.add('c1', 'client');
    expect(guest.send('h1', 'too early')).toBe(false);
    guest.ch.connect('h1', host.identity.identityKey);
    const wires = net.deliver();
    expect(wires.map((w) => w.type)).toEqual(['commit', 'commit', 'reveal', 'reveal']);
    expect(guest.log.established).toEqual(['h1']);
    expect(host.log.established).toEqual(['c1']);
    expect(guest.send('h1', 'CANARY-LOCATION 12 Elm St')).toBe(true);
    const sealed = net.queue[0]!;
    expect(sealed.type).toBe('sealed');
    // What the server relays does not contain the text.
    expect(atob(sealed.payload)).not.toContain('CANARY');
    net.deliver();
    expect(host.log.opened).toEqual([['c1', 'CANARY-LOCATION 12 Elm St']]);
  });

  it('refuses a host whose handshake identity differs from the published one (a substituting server)', () => {
    const net = network();
    const host = net.add('h1', 'host');
    const guest = net.add('c1', 'client');
    const mallory = DeviceIdentity.ephemeral();
    guest.ch.connect('h1', mallory.identityKey); // the server published another key than the host's
    net.deliver();
    expect(guest.log.refused).toContainEqual(['h1', 'IDENTITY_CHANGED']);
    expect(guest.ch.isOpen('h1')).toBe(false);
    expect(guest.send('h1', 'secret')).toBe(false);
    expect(host.log.opened).toEqual([]);
  });

  it('refuses a replayed or altered sealed message, accepts later ones after a dropped one', () => {
    const net = network();
    const host = net.add('h1', 'host');
    const guest = net.add('c1', 'client');
    guest.ch.connect('h1', host.identity.identityKey);
    net.deliver();
    guest.send('h1', 'first');
    const first = net.queue[0]!;
    net.deliver();
    host.ch.receive('c1', 'sealed', first.payload); // replay
    expect(host.log.refused).toContainEqual(['c1', 'SEALED_REJECTED']);
    guest.send('h1', 'dropped by a coalescing server');
    net.queue.length = 0;
    guest.send('h1', 'third');
    const third = net.queue.shift()!;
    const bytes = Uint8Array.from(atob(third.payload), (c) => c.charCodeAt(0));
    bytes[bytes.length - 1]! ^= 1;
    host.ch.receive('c1', 'sealed', btoa(String.fromCharCode(...bytes)));
    expect(host.log.opened.map(([, t]) => t)).toEqual(['first']);
    host.ch.receive('c1', 'sealed', third.payload);
    expect(host.log.opened.map(([, t]) => t)).toEqual(['first', 'third']);
  });

  it("the checklist handshake cannot be taken for another session's or the media one", () => {
    const net = network();
    const host = net.add('h1', 'host', DeviceIdentity.ephemeral(), 'other-session');
    const guest = net.add('c1', 'client');
    guest.ch.connect('h1', host.identity.identityKey);
    net.deliver();
    expect(host.log.refused).toContainEqual(['c1', 'WRONG_SESSION']);
    expect(host.ch.isOpen('c1')).toBe(false);
  });

  it('restarts a handshake whose messages were lost, with backoff', () => {
    const net = network();
    const host = net.add('h1', 'host');
    const guest = net.add('c1', 'client');
    guest.ch.connect('h1', host.identity.identityKey);
    net.queue.length = 0; // the commit is lost
    vi.advanceTimersByTime(3000);
    expect(net.queue.map((w) => w.type)).toEqual(['commit']);
    net.deliver();
    expect(guest.ch.isOpen('h1')).toBe(true);
    expect(host.ch.isOpen('c1')).toBe(true);
    // Once open, no more retries.
    vi.advanceTimersByTime(60_000);
    expect(net.queue).toEqual([]);
  });

  it('recovers when the host reloads (new channels, same identity): the guest answers its fresh commit', () => {
    const net = network();
    const hostIdentity = DeviceIdentity.ephemeral();
    const host = net.add('h1', 'host', hostIdentity);
    const guest = net.add('c1', 'client');
    guest.ch.connect('h1', hostIdentity.identityKey);
    net.deliver();
    host.ch.close();
    const reloaded = net.add('h1', 'host', hostIdentity);
    guest.send('h1', 'after reload');
    net.deliver(); // the reloaded host cannot open it, starts a pair; the guest starts over
    expect(reloaded.ch.isOpen('c1')).toBe(true);
    expect(guest.ch.isOpen('h1')).toBe(true);
    guest.send('h1', 'again');
    net.deliver();
    expect(reloaded.log.opened).toEqual([['c1', 'again']]);
  });

  it('close() wipes the pairs and stops sending', () => {
    const net = network();
    const host = net.add('h1', 'host');
    const guest = net.add('c1', 'client');
    guest.ch.connect('h1', host.identity.identityKey);
    net.deliver();
    guest.ch.close();
    guest.ch.close();
    expect(guest.send('h1', 'x')).toBe(false);
    expect(guest.ch.openPeers).toEqual([]);
  });
});

describe('DeviceIdentity', () => {
  it('is kept in the store: the same key on the next load; a corrupt entry is replaced', () => {
    const m = new Map<string, string>();
    const store = { get: (k: string) => m.get(k) ?? null, set: (k: string, v: string) => void m.set(k, v) };
    const a = DeviceIdentity.load(store);
    const b = DeviceIdentity.load(store);
    expect(a.persisted).toBe(true);
    expect(b.identityKey).toBe(a.identityKey);
    m.set(IDENTITY_STORAGE_KEY, 'not-a-key');
    const c = DeviceIdentity.load(store);
    expect(c.identityKey).not.toBe(a.identityKey);
    expect(DeviceIdentity.load(store).identityKey).toBe(c.identityKey);
  });

  it('a store that throws behaves as absent', async () => {
    const store = {
      get: () => {
        throw new Error('SecurityError');
      },
      set: () => {
        throw new Error('QuotaExceeded');
      },
    };
    const id = DeviceIdentity.load(store);
    expect(id.persisted).toBe(false);
    expect((await id.sign(new Uint8Array([1]))).length).toBe(64);
  });
});
