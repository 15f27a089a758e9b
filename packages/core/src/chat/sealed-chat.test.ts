import { CHAT_LIMITS, type NotificationData, type RequestData } from '@alcove/protocol';
import nacl from 'tweetnacl';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fromBase64, toBase64 } from '../e2ee/encoding.js';
import type { Platform } from '../platform/platform.js';
import { ConnectionError, SignalingError } from '../session/errors.js';
import { SessionChat } from './session-chat.js';
import type { ChatMessage } from './types.js';

// Sealed chat between several SessionChat instances through an in-memory relay that behaves like
// the server's (`Room.chat`, `Room.relayChat`): de-duplication by id per sender, one body plus the
// recipient's own wrapped key to each admitted recipient named, the 4 KiB per-recipient cap, and
// nothing delivered to someone disconnected. The relay records everything it sees, so the tests can
// also act as a server that replays, re-routes or tampers.

const SID = 'session-1';
const CANARY = 'CANARY-chat-text: my sister knows about the diagnosis';

interface Member {
  readonly id: string;
  readonly chat: SessionChat;
  readonly seed: Uint8Array;
  readonly got: ChatMessage[];
  readonly problems: string[];
  /** Sites of errors swallowed on purpose (counted, logged at debug). */
  readonly swallowed: string[];
  admitted: boolean;
  connected: boolean;
  /** The identity key the "server" publishes for this member. */
  published: string;
}

type Wire = { method: string; data: unknown };

class Relay {
  readonly members = new Map<string, Member>();
  /** Everything the relay received or sent. */
  readonly wire: Wire[] = [];
  /** Chat messages as relayed, per recipient. */
  readonly delivered: { to: string; data: NotificationData<'chat.message'> }[] = [];
  readonly #seen = new Map<string, Map<string, number>>();
  #clock = 1_000;
  /** Drops pair-channel messages to these members (a lossy path). */
  readonly blackhole = new Set<string>();

  add(id: string, options: { seed?: Uint8Array; retryMs?: number; channelWaitMs?: number } = {}): Member {
    const seed = options.seed ?? nacl.randomBytes(32);
    const got: ChatMessage[] = [];
    const problems: string[] = [];
    const swallowed: string[] = [];
    const platform = {
      timers: {
        setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
        clearTimeout: (h: unknown) => clearTimeout(h as ReturnType<typeof setTimeout>),
        setInterval: (fn: () => void, ms: number) => setInterval(fn, ms),
        clearInterval: (h: unknown) => clearInterval(h as ReturnType<typeof setInterval>),
        now: () => Date.now(),
      },
      randomBytes: (n: number) => nacl.randomBytes(n),
    } as unknown as Platform;
    const chat = new SessionChat(
      {
        platform,
        request: (method, data) => this.#request(id, method, data) as never,
        selfId: () => id,
        message: (m) => got.push(m),
        acked: () => undefined,
        problem: (peer, reason) => problems.push(`${peer}:${reason}`),
        swallowed: (site) => void swallowed.push(site),
        ...(options.retryMs !== undefined ? { retryMs: options.retryMs } : {}),
        ...(options.channelWaitMs !== undefined ? { channelWaitMs: options.channelWaitMs } : {}),
      },
      () => ({ seed }),
    );
    const m: Member = {
      id,
      chat,
      seed,
      got,
      problems,
      swallowed,
      admitted: false,
      connected: true,
      published: toBase64(nacl.sign.keyPair.fromSeed(seed).publicKey),
    };
    this.members.set(id, m);
    return m;
  }

  /** Admits `id`: it starts chat with everyone admitted, and they learn about it. */
  admit(id: string): void {
    const m = this.#member(id);
    m.admitted = true;
    for (const o of this.members.values()) {
      if (o === m || !o.admitted) continue;
      m.chat.peer(o.id, o.published);
      o.chat.peer(m.id, m.published);
    }
    m.chat.start(SID, id, 'client');
    m.chat.resume();
  }

  /** Removes `id`: the others learn it left; it is no longer admitted. */
  remove(id: string): void {
    const m = this.#member(id);
    m.admitted = false;
    for (const o of this.members.values()) if (o !== m && o.admitted) o.chat.peerLeft(id);
  }

  drop(id: string): void {
    const m = this.#member(id);
    m.connected = false;
    m.chat.suspend();
  }

  restore(id: string): void {
    const m = this.#member(id);
    m.connected = true;
    m.chat.resume();
  }

  /** Delivers a chat message to `to` as the server would (for replays and forgeries). */
  inject(to: string, data: NotificationData<'chat.message'>): void {
    this.wire.push({ method: 'chat.message', data });
    this.#member(to).chat.message(data);
  }

  close(): void {
    for (const m of this.members.values()) m.chat.close();
  }

  #member(id: string): Member {
    const m = this.members.get(id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }

  async #request(from: string, method: 'chat.send' | 'chat.relay', data: unknown): Promise<unknown> {
    await Promise.resolve();
    const p = this.#member(from);
    if (!p.connected) throw new ConnectionError('CONNECTION_LOST', 'down');
    this.wire.push({ method, data });
    if (method === 'chat.relay') {
      const d = data as RequestData<'chat.relay'>;
      const q = this.members.get(d.to);
      if (!q?.admitted) throw new SignalingError('NOT_FOUND', 'no such peer');
      if (!q.connected) throw new SignalingError('INVALID_STATE', 'reconnecting');
      if (this.blackhole.has(d.to)) return {};
      const n = { from, type: d.type, payload: d.payload };
      this.wire.push({ method: 'chat.control', data: n });
      queueMicrotask(() => q.chat.control(n));
      return {};
    }
    const d = data as RequestData<'chat.send'>;
    const bodyBytes = fromBase64(d.body)?.length ?? 0;
    for (const k of d.keys) {
      if (bodyBytes + (fromBase64(k.key)?.length ?? 0) > CHAT_LIMITS.maxSealedBytes)
        throw new SignalingError('PAYLOAD_TOO_LARGE', 'too large');
    }
    const seen = this.#seen.get(from) ?? new Map<string, number>();
    this.#seen.set(from, seen);
    const earlier = seen.get(d.id);
    if (earlier !== undefined) return { id: d.id, at: earlier };
    const at = ++this.#clock;
    seen.set(d.id, at);
    for (const k of d.keys) {
      const q = this.members.get(k.to);
      if (!q?.admitted || !q.connected || q.id === from) continue;
      const n = { id: d.id, from, seq: d.seq, at, body: d.body, key: k.key };
      this.wire.push({ method: 'chat.message', data: n });
      this.delivered.push({ to: q.id, data: n });
      queueMicrotask(() => q.chat.message(n));
    }
    return { id: d.id, at };
  }
}

/** Every string on the wire, plus every base64 field decoded as Latin-1 (what a server could read). */
function wireText(wire: readonly Wire[]): string {
  const parts: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      parts.push(v);
      const b = fromBase64(v);
      if (b) parts.push(String.fromCharCode(...b));
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(wire);
  return parts.join('\n');
}

const texts = (m: Member, from?: string): string[] => m.got.filter((g) => !from || g.from === from).map((g) => g.text);

describe('sealed chat', () => {
  let relay: Relay;
  beforeEach(() => {
    vi.useFakeTimers();
    relay = new Relay();
  });
  afterEach(() => {
    relay.close();
    vi.useRealTimers();
  });

  const settle = async (ms = 50): Promise<void> => {
    await vi.advanceTimersByTimeAsync(ms);
  };
  /** Awaits `p` while the fake clock runs (pair retries, the channel wait). */
  const until = async <T>(p: Promise<T>): Promise<T> => {
    let done = false;
    const watched = p.finally(() => {
      done = true;
    });
    for (let i = 0; i < 1000 && !done; i++) await settle(50);
    return watched;
  };
  const allReady = async (...ids: string[]): Promise<void> => {
    for (let i = 0; i < 100; i++) {
      const ok = ids.every((id) => {
        const m = relay.members.get(id);
        return ids.every((o) => o === id || m?.chat.readyPeers.includes(o));
      });
      if (ok) return;
      await settle(10);
    }
    throw new Error(`pairs not ready among ${ids.join(', ')}`);
  };

  it('three participants: everyone gets everyone else exactly once, in order; the relay never sees the text', async () => {
    const a = relay.add('a');
    const b = relay.add('b');
    const c = relay.add('c');
    relay.admit('a');
    relay.admit('b');
    relay.admit('c');
    await allReady('a', 'b', 'c');
    const sends: Promise<ChatMessage>[] = [];
    for (let i = 0; i < 20; i++) {
      sends.push(a.chat.send(`${CANARY} a${i}`));
      sends.push(b.chat.send(`b${i}`));
    }
    await settle();
    await Promise.all(sends);
    const want = (p: string) => Array.from({ length: 20 }, (_, i) => (p === 'a' ? `${CANARY} a${i}` : `b${i}`));
    expect(texts(b, 'a')).toEqual(want('a'));
    expect(texts(c, 'a')).toEqual(want('a'));
    expect(texts(a, 'b')).toEqual(want('b'));
    expect(texts(c, 'b')).toEqual(want('b'));
    expect(a.got.filter((m) => m.from === 'a')).toHaveLength(0);
    // One body per message, the key wrapped per recipient: b and c got different wrapped keys.
    const first = relay.delivered.filter((d) => d.data.seq === 1 && d.data.from === 'a');
    expect(first.map((d) => d.to).sort()).toEqual(['b', 'c']);
    expect(first[0]?.data.body).toBe(first[1]?.data.body);
    expect(first[0]?.data.key).not.toBe(first[1]?.data.key);
    // Nothing on the wire holds the text or a recognisable part of it, in clear or base64-decoded.
    const seen = wireText(relay.wire);
    expect(seen).toContain(first[0]?.data.id); // the walk saw what the relay saw…
    expect(relay.wire.length).toBeGreaterThan(40);
    for (const needle of [CANARY, 'CANARY', 'diagnosis', 'sister', '"t":']) expect(seen.includes(needle), needle).toBe(false); // …and no text
    expect(a.problems).toEqual([]);
    expect(b.problems).toEqual([]);
  });

  it('duplicates, replays and tampering by the relay: each message shown once, forgeries never', async () => {
    const a = relay.add('a');
    const b = relay.add('b');
    relay.admit('a');
    relay.admit('b');
    await allReady('a', 'b');
    await a.chat.send('one');
    await a.chat.send('two');
    await settle();
    expect(texts(b)).toEqual(['one', 'two']);
    const [m1, m2] = relay.delivered.map((d) => d.data);
    if (!m1 || !m2) throw new Error('nothing delivered');
    // Replays of a delivered message, in and out of order.
    relay.inject('b', m1);
    relay.inject('b', m2);
    relay.inject('b', m1);
    // The relay renumbers a message (seq outside the seal), swaps bodies, or flips a bit.
    relay.inject('b', { ...m2, seq: 3, id: m2.id });
    relay.inject('b', { ...m2, body: m1.body });
    const flipped = fromBase64(m2.body) as Uint8Array;
    flipped[5] = (flipped[5] ?? 0) ^ 1;
    relay.inject('b', { ...m2, body: toBase64(flipped) });
    // …or passes a's message off as from someone else.
    relay.inject('b', { ...m2, from: 'c' });
    await a.chat.send('three');
    await settle();
    expect(texts(b)).toEqual(['one', 'two', 'three']);
    expect(b.problems.map((p) => p.split(':')[1])).toEqual(['CHAT_MALFORMED', 'CHAT_UNREADABLE', 'CHAT_UNREADABLE', 'CHAT_UNREADABLE']);
  });

  it('reconnect: queued while down, re-sent after resume, acknowledged and shown exactly once in order', async () => {
    const a = relay.add('a');
    const b = relay.add('b');
    relay.admit('a');
    relay.admit('b');
    await allReady('a', 'b');
    const sends: Promise<ChatMessage>[] = [];
    for (let i = 0; i < 5; i++) sends.push(a.chat.send(`m${i}`));
    await settle();
    // The connection drops: what a writes meanwhile waits; then it comes back.
    relay.drop('a');
    for (let i = 5; i < 15; i++) sends.push(a.chat.send(`m${i}`));
    await settle();
    expect(a.chat.pending).toBe(10);
    relay.restore('a');
    // A drop in the middle of sending: acknowledgements lost, the server already relayed some.
    for (let i = 15; i < 30; i++) sends.push(a.chat.send(`m${i}`));
    relay.drop('a');
    await settle();
    relay.restore('a');
    await settle();
    relay.drop('a');
    relay.restore('a');
    await settle();
    const acked = await Promise.all(sends);
    expect(acked.map((m) => m.text)).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
    expect(texts(b)).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`));
    expect(a.chat.pending).toBe(0);
    // b's side dropping loses nothing either: a re-sends what was not acknowledged.
    relay.drop('b');
    relay.restore('b');
    await a.chat.send('after');
    await settle();
    expect(texts(b).at(-1)).toBe('after');
  });

  it('a newcomer cannot read what was said before it came in, even when the relay hands it over', async () => {
    const a = relay.add('a');
    const b = relay.add('b');
    relay.admit('a');
    relay.admit('b');
    await allReady('a', 'b');
    await a.chat.send('before n');
    // Written while a is offline and n is not yet in: sent after n came in, still not for n.
    relay.drop('a');
    const queued = a.chat.send('queued before n');
    const n = relay.add('n');
    relay.admit('n');
    relay.restore('a');
    await queued;
    await allReady('a', 'b', 'n');
    await a.chat.send('after n');
    await settle();
    expect(texts(b)).toEqual(['before n', 'queued before n', 'after n']);
    expect(texts(n)).toEqual(['after n']);
    expect(relay.delivered.filter((d) => d.to === 'n').map((d) => d.data.seq)).toEqual([3]);
    // A malicious relay replays the earlier messages to n with b's wrapped keys: unreadable.
    for (const d of relay.delivered.filter((x) => x.to === 'b' && x.data.seq < 3)) relay.inject('n', d.data);
    await settle();
    expect(texts(n)).toEqual(['after n']);
    expect(n.problems).toEqual(['a:CHAT_UNREADABLE', 'a:CHAT_UNREADABLE']);
  });

  it('a removed participant cannot read what is said after it left, even when the relay forwards it', async () => {
    const a = relay.add('a');
    const b = relay.add('b');
    const x = relay.add('x');
    relay.admit('a');
    relay.admit('b');
    relay.admit('x');
    await allReady('a', 'b', 'x');
    await a.chat.send('while x is here');
    await settle();
    expect(texts(x)).toEqual(['while x is here']);
    // Written while a is offline, before x is removed: sent after, no longer for x.
    relay.drop('a');
    const queued = a.chat.send('queued before removal');
    relay.remove('x');
    relay.restore('a');
    await queued;
    await a.chat.send('after removal');
    await settle();
    expect(texts(b)).toEqual(['while x is here', 'queued before removal', 'after removal']);
    const later = relay.wire.filter((w) => w.method === 'chat.send').slice(-2) as { data: RequestData<'chat.send'> }[];
    for (const w of later) expect(w.data.keys.map((k) => k.to)).toEqual(['b']);
    // The relay keeps forwarding to x (re-admitted behind the hosts' back) with b's keys: unreadable.
    const m = relay.members.get('x') as Member;
    m.admitted = true;
    for (const d of relay.delivered.filter((y) => y.to === 'b' && y.data.seq > 1)) relay.inject('x', d.data);
    await settle();
    expect(texts(x)).toEqual(['while x is here']);
    expect(x.problems).toEqual(['a:CHAT_UNREADABLE', 'a:CHAT_UNREADABLE']);
  });

  it('oversize: refused before it takes a sequence number; 4 KiB per recipient on the wire', async () => {
    const a = relay.add('a');
    const b = relay.add('b');
    relay.admit('a');
    relay.admit('b');
    await allReady('a', 'b');
    await expect(a.chat.send('é'.repeat(2000))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(a.chat.send(`${CANARY}${'x'.repeat(4000)}`)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    // The largest text that fits goes through, at or under 4096 sealed bytes per recipient (found by
    // bisection: each refusal is PAYLOAD_TOO_LARGE, each success is delivered).
    let lo = 3000;
    let hi = 4100;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      const r = await a.chat.send('y'.repeat(mid)).then(
        () => true,
        (e: { code: string }) => e.code,
      );
      if (r === true) lo = mid;
      else {
        expect(r).toBe('PAYLOAD_TOO_LARGE');
        hi = mid;
      }
    }
    const fits = 'y'.repeat(lo);
    await a.chat.send(fits);
    await settle();
    const sizes = relay.delivered.map((d) => (fromBase64(d.data.body)?.length ?? 0) + (fromBase64(d.data.key)?.length ?? 0));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(CHAT_LIMITS.maxSealedBytes);
    expect(Math.max(...sizes)).toBeGreaterThan(CHAT_LIMITS.maxSealedBytes - 16);
    // No gap: the refused messages took no sequence numbers.
    expect(b.got.map((m) => m.seq)).toEqual(Array.from({ length: b.got.length }, (_, i) => i + 1));
    expect(b.got.at(-1)?.text.length).toBe(fits.length);
  });

  it('a pair signed by another identity than the one published is refused; nothing is sealed to it', async () => {
    const a = relay.add('a');
    const b = relay.add('b');
    // The server publishes a different key for b than the one b signs with (a swapped key).
    b.published = toBase64(nacl.sign.keyPair().publicKey);
    relay.admit('a');
    relay.admit('b');
    await settle(200);
    expect(a.chat.readyPeers).toEqual([]);
    expect(a.problems.some((p) => p === 'b:IDENTITY_CHANGED')).toBe(true);
    await expect(until(a.chat.send('not for a stranger'))).resolves.toMatchObject({ text: 'not for a stranger' });
    expect(relay.delivered.filter((d) => d.to === 'b')).toHaveLength(0);
  });

  it('a recipient whose pair is slow to set up gets the message once ready, in order', async () => {
    const a = relay.add('a', { channelWaitMs: 5000, retryMs: 1000 });
    const c = relay.add('c', { retryMs: 1000 });
    relay.admit('a');
    // c's pair messages are lost for a while: a's messages wait for it (in order), then c gets them.
    relay.blackhole.add('c');
    relay.admit('c');
    const first = a.chat.send('first');
    const second = a.chat.send('second');
    await settle(500);
    expect(relay.delivered).toHaveLength(0);
    relay.blackhole.delete('c');
    await until(Promise.all([first, second]));
    await settle();
    expect(texts(c)).toEqual(['first', 'second']);
  });

  it('a recipient that never pairs is skipped after the wait; the others get the message', async () => {
    const a = relay.add('a', { channelWaitMs: 5000, retryMs: 1000 });
    const b = relay.add('b');
    relay.admit('a');
    relay.admit('b');
    await allReady('a', 'b');
    const d = relay.add('d', { retryMs: 1000 });
    relay.blackhole.add('d');
    relay.admit('d');
    const sent = a.chat.send('second');
    await settle(1000);
    expect(relay.delivered).toHaveLength(0); // waiting for d, in order
    await until(sent);
    await settle();
    expect(texts(b)).toEqual(['second']);
    expect(texts(d)).toEqual([]);
    expect(relay.delivered.map((x) => x.to)).toEqual(['b']);
    expect(a.swallowed).toContain('chat.skipped');
  });
});
