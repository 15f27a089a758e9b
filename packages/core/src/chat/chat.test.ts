import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConnectionError, SignalingError } from '../session/errors.js';
import { createFakePlatform } from '../test/fake-platform.js';
import { FakeServer } from '../test/fake-server.js';
import { ChatInbox, type InboundChat } from './chat-inbox.js';
import { type ChatSealer, ChatOutbox } from './chat-outbox.js';
import type { ChatMessage } from './types.js';

const msg = (from: string, seq: number, epoch = 'e1'): InboundChat => ({
  id: `${epoch}-${seq}`,
  from,
  seq,
  at: seq,
  text: `${from}:${seq}`,
});

/** A sealer for outbox tests that do not look at sealing: one peer, always ready, the body is a marker. */
const plainSealer: ChatSealer = {
  peers: () => ['peer'],
  ready: () => true,
  seal: (c, recipients) => ({ body: `sealed-${c.seq}`, keys: recipients.map((to) => ({ to, key: 'k' })) }),
};

describe('ChatInbox', () => {
  it('delivers exactly once, in per-sender order, with duplicates and reordering', () => {
    const out: string[] = [];
    const inbox = new ChatInbox({ deliver: (m) => out.push(m.text) });
    for (const m of [msg('a', 1), msg('a', 3), msg('b', 1), msg('a', 2), msg('a', 2), msg('a', 1), msg('b', 2), msg('a', 3), msg('a', 4)])
      inbox.receive(m);
    expect(out).toEqual(['a:1', 'b:1', 'a:2', 'a:3', 'b:2', 'a:4']);
    expect(inbox.held).toBe(0);
  });

  it('a late joiner starts at the first message it sees', () => {
    const out: string[] = [];
    const inbox = new ChatInbox({ deliver: (m) => out.push(m.text) });
    inbox.receive(msg('a', 57));
    inbox.receive(msg('a', 58));
    expect(out).toEqual(['a:57', 'a:58']);
  });

  it('a reloaded sender (new epoch) is a new stream', () => {
    const out: string[] = [];
    const inbox = new ChatInbox({ deliver: (m) => out.push(m.text) });
    inbox.receive(msg('a', 1));
    inbox.receive(msg('a', 2));
    inbox.receive(msg('a', 1, 'e2'));
    expect(out).toEqual(['a:1', 'a:2', 'a:1']);
  });

  it('skips a gap that does not fill in time', () => {
    vi.useFakeTimers();
    try {
      const out: number[] = [];
      const inbox = new ChatInbox({
        deliver: (m) => out.push(m.seq),
        gapTimeoutMs: 5000,
        timers: { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) },
      });
      inbox.receive(msg('a', 1));
      inbox.receive(msg('a', 3));
      vi.advanceTimersByTime(4000);
      expect(out).toEqual([1]);
      vi.advanceTimersByTime(1000);
      expect(out).toEqual([1, 3]);
      inbox.receive(msg('a', 2)); // too late: dropped, never out of order
      expect(out).toEqual([1, 3]);
      expect(vi.getTimerCount()).toBe(0);
      inbox.receive(msg('a', 5));
      expect(vi.getTimerCount()).toBe(1);
      inbox.close();
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('skips a gap that never fills once too much is held', () => {
    const out: number[] = [];
    const inbox = new ChatInbox({ deliver: (m) => out.push(m.seq), maxHeld: 3 });
    inbox.receive(msg('a', 1));
    for (const s of [3, 4, 5, 6]) inbox.receive(msg('a', s));
    expect(out).toEqual([1, 3, 4, 5, 6]);
  });
});

describe('ChatOutbox', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('queues while disconnected, re-sends after resume, resolves on ack, never loses a message', async () => {
    const platform = createFakePlatform(new FakeServer());
    const sent: { id: string; seq: number }[] = [];
    let connected = false;
    let dropEvery = 0;
    const outbox = new ChatOutbox({
      platform,
      selfId: () => 'me',
      sealer: plainSealer,
      window: 4,
      send: async (d) => {
        sent.push({ id: d.id, seq: d.seq });
        if (!connected) throw new ConnectionError('CONNECTION_LOST', 'down');
        if (dropEvery && sent.length % dropEvery === 0) {
          // The server got it, but the ack is lost with the connection.
          connected = false;
          outbox.suspend();
          throw new ConnectionError('CONNECTION_LOST', 'down');
        }
        return { id: d.id, at: 1 };
      },
    });
    const acked: ChatMessage[] = [];
    const promises = Array.from({ length: 20 }, (_, i) => outbox.send(`m${i}`).then((m) => acked.push(m)));
    await vi.advanceTimersByTimeAsync(10);
    expect(sent).toHaveLength(0); // not resumed yet: nothing sent
    expect(outbox.pending).toBe(20);
    connected = true;
    dropEvery = 7;
    for (let round = 0; round < 10 && outbox.pending > 0; round++) {
      connected = true;
      outbox.resume();
      await vi.advanceTimersByTimeAsync(10);
    }
    await Promise.all(promises);
    expect(outbox.pending).toBe(0);
    expect(acked.map((m) => m.text).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    // Every id went out at least once; ids are stable across re-sends.
    const ids = new Set(sent.map((s) => s.id));
    expect(ids.size).toBe(20);
    expect(sent.length).toBeGreaterThan(20);
    // Sequence numbers are per sender and increasing in send order of first attempts.
    const firstSeqs = [...new Map(sent.map((s) => [s.id, s.seq])).values()];
    expect(firstSeqs).toEqual([...firstSeqs].sort((a, b) => a - b));
  });

  it('drops a message the server refuses (not a connection problem) and rejects its promise', async () => {
    const platform = createFakePlatform(new FakeServer());
    const outbox = new ChatOutbox({
      platform,
      selfId: () => 'me',
      sealer: plainSealer,
      send: async () => {
        throw new SignalingError('INVALID_MESSAGE', 'bad');
      },
    });
    outbox.resume();
    await expect(outbox.send('x')).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
    expect(outbox.pending).toBe(0);
  });

  it('refuses a message too large for the wire before it takes a sequence number', async () => {
    const platform = createFakePlatform(new FakeServer());
    const sent: number[] = [];
    const outbox = new ChatOutbox({
      platform,
      selfId: () => 'me',
      sealer: plainSealer,
      send: async (d) => {
        sent.push(d.seq);
        return { id: d.id, at: 1 };
      },
    });
    outbox.resume();
    // 4 KiB per recipient once sealed: about 3.9 KiB of UTF-8 text.
    await expect(outbox.send('é'.repeat(2000))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(outbox.send('x'.repeat(4000))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await outbox.send('ok');
    expect(sent).toEqual([1]);
  });

  it('close() rejects what is still queued', async () => {
    const platform = createFakePlatform(new FakeServer());
    const outbox = new ChatOutbox({ platform, selfId: () => 'me', sealer: plainSealer, send: async () => ({ id: 'x', at: 1 }) });
    const p = outbox.send('x');
    outbox.close();
    await expect(p).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
