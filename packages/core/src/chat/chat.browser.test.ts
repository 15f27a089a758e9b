import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintJoinToken } from '@alcove/server';
import { type CallFixture, startCall, waitFor } from '@alcove/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from '../test/browser/child-server-handle.js';
import { startTestSite } from '../test/browser/site.js';

// Sealed chat in Chromium against the real server, run in a process of its own so that its heap,
// its log lines and its audit trail can be searched: what the client types reaches the therapist,
// and neither the server's memory, its logs and records, nor any WebSocket frame either side sent
// or received holds it — in clear or base64-decoded. A participant who comes in later does not get
// what was said before.

const here = fileURLToPath(new URL('.', import.meta.url));
const SECRET = 'chat-browser-test-secret-0123456789abcdef';

// What the client types. Distinctive pieces are searched for separately.
const CANARY = [
  'CANARYCHAT-q7Zx: my brother Quentin Zylberstein knows about the diagnosis',
  'second CANARYCHAT-q7Zx line, Ünïcödé naïve café — Wörterbuch',
  'CANARYCHAT-q7Zx 3',
];
const NEEDLES = ['CANARYCHAT', 'Zylberstein', 'Quentin', 'diagnosis', 'Wörterbuch', 'W\\u00f6rterbuch', 'Ünïcödé'];
const LATER = 'CANARYCHAT-q7Zx later, for everyone now here';

type W = { alcoveChat: any };

describe('sealed chat in Chromium against the real server', () => {
  let call: CallFixture<ChildServer>;

  beforeAll(async () => {
    call = await startCall<ChildServer>({
      tmpPrefix: 'alcove-chat-browser-',
      server: ({ dataDir }) => startChildServer(dataDir, SECRET),
      site: () => startTestSite(join(here, '..', 'test', 'browser', 'chat-page.ts'), { e2eeWorker: true }),
    });
  });
  afterAll(async () => {
    await call?.close();
  });

  /** A page with every WebSocket frame it sends or receives recorded. */
  const open = async (frames: string[]): Promise<Page> => {
    const p = await call.newPage('/index.html');
    p.on('websocket', (ws) => {
      ws.on('framesent', (f) => void frames.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('latin1')));
      ws.on('framereceived', (f) => void frames.push(typeof f.payload === 'string' ? f.payload : f.payload.toString('latin1')));
    });
    await waitFor('the test page to load', () => p.evaluate(() => 'alcoveChat' in window));
    return p;
  };
  const token = (sid: string, pid: string, role: 'host' | 'client') =>
    mintJoinToken({ sid, pid, role, name: role === 'host' ? 'Therapist' : 'Client' }, { hs256Secret: SECRET, ttlS: 600 });
  const start = async (p: Page, sid: string, pid: string, role: 'host' | 'client'): Promise<string> =>
    p.evaluate(([u, t]) => (window as unknown as W).alcoveChat.start(u, t), [call.server.wsUrl, await token(sid, pid, role)] as const);
  const texts = (p: Page): Promise<{ from: string; text: string; seq: number }[]> =>
    p.evaluate(() => (window as unknown as W).alcoveChat.received.map((m: any) => ({ from: m.from, text: m.text, seq: m.seq })));
  const leave = (p: Page): Promise<unknown> =>
    p.evaluate(() => (window as unknown as W).alcoveChat.session?.leave()).catch(() => undefined);

  it('the therapist reads what the client typed; the server never holds it in memory, logs, records or frames', async () => {
    const sid = await call.server.createSession({ waitingRoom: false });
    const frames: string[] = [];
    const host = await open(frames);
    const client = await open(frames);
    let late: Page | undefined;
    try {
      expect(await start(host, sid, 'h1', 'host')).toBe('joined');
      expect(await start(client, sid, 'c1', 'client')).toBe('joined');
      expect(await client.evaluate((t) => (window as unknown as W).alcoveChat.send(t), CANARY)).toBe(CANARY.length);
      const got = await waitFor(
        'the therapist to show the client’s messages',
        () => texts(host),
        (l) => l.length >= CANARY.length,
      );
      expect(got).toEqual(CANARY.map((text, i) => ({ from: 'c1', text, seq: i + 1 })));

      // Someone who comes in later gets what is said from then on, not before.
      const lateFrames: string[] = [];
      late = await open(lateFrames);
      expect(await start(late, sid, 'h2', 'host')).toBe('joined');
      await client.evaluate((t) => (window as unknown as W).alcoveChat.send([t]), LATER);
      const lateGot = await waitFor(
        'the later participant to show the message sent after it came in',
        () => texts(late as Page),
        (l) => l.length >= 1,
      );
      expect(lateGot).toEqual([{ from: 'c1', text: LATER, seq: CANARY.length + 1 }]);
      await waitFor(
        'the therapist to show it too',
        () => texts(host),
        (l) => l.length === CANARY.length + 1,
      );
      frames.push(...lateFrames);
      for (const p of [host, client, late]) expect(await p.evaluate(() => (window as unknown as W).alcoveChat.errors)).toEqual([]);

      // The frames are the server's view of the chat: sealed bodies, wrapped keys, ids.
      expect(frames.some((f) => f.includes('"chat.send"'))).toBe(true);
      expect(frames.some((f) => f.includes('"chat.message"'))).toBe(true);
      expect(frames.some((f) => f.includes('"chat.control"'))).toBe(true);
      const decoded = frames.flatMap((f) => [f, ...base64Fields(f)]).join('\n');
      for (const needle of [...NEEDLES, ...CANARY, LATER]) expect(decoded.includes(needle), `a frame holds ${needle}`).toBe(false);

      // The server's memory, log lines, audit trail and webhook bodies.
      const heap = await call.server.heapSnapshot();
      const records = await call.server.records();
      const output = call.server.output();
      expect(heap).toContain(sid); // the snapshot is the server's and holds its strings…
      const chatId = /"chat\.message","data":\{"id":"([A-Za-z0-9_-]+)"/.exec(frames.join('\n'))?.[1];
      expect(chatId).toBeTruthy();
      expect(heap).toContain(chatId as string); // …including the chat it relayed (the ids it keeps for de-duplication)
      expect(records).toContain('participant.joined');
      for (const needle of [...NEEDLES, ...CANARY, LATER]) {
        expect(heap.includes(needle), `heap holds ${needle}`).toBe(false);
        expect(records.includes(needle), `records hold ${needle}`).toBe(false);
        expect(output.includes(needle), `logs hold ${needle}`).toBe(false);
      }
    } finally {
      await Promise.all([leave(client), leave(host), late ? leave(late) : undefined]);
      await call.closePages(...[client, host, late].filter((p): p is Page => p !== undefined));
    }
  });

  it('through the waiting room: once admitted, client and therapist chat both ways, exactly once and in order', async () => {
    const sid = await call.server.createSession({});
    const host = await open([]);
    const client = await open([]);
    try {
      expect(await start(host, sid, 'h1', 'host')).toBe('joined');
      expect(await start(client, sid, 'c1', 'client')).toBe('waiting');
      await waitFor("the client in the host's waiting list", () =>
        host.evaluate(() => (window as unknown as W).alcoveChat.session.waiting.some((w: any) => w.id === 'c1')),
      );
      await host.evaluate(() => (window as unknown as W).alcoveChat.session.admit('c1'));
      await waitFor(
        'the client to be admitted',
        () => client.evaluate(() => (window as unknown as W).alcoveChat.session.state as string),
        (st) => st === 'joined',
      );
      const fromClient = Array.from({ length: 20 }, (_, i) => `client ${i}`);
      const fromHost = Array.from({ length: 20 }, (_, i) => `host ${i}`);
      await Promise.all([
        client.evaluate((t) => (window as unknown as W).alcoveChat.send(t), fromClient),
        host.evaluate((t) => (window as unknown as W).alcoveChat.send(t), fromHost),
      ]);
      const atHost = await waitFor(
        'the host to show 20 messages',
        () => texts(host),
        (l) => l.length >= 20,
      );
      const atClient = await waitFor(
        'the client to show 20 messages',
        () => texts(client),
        (l) => l.length >= 20,
      );
      expect(atHost.map((m) => m.text)).toEqual(fromClient);
      expect(atClient.map((m) => m.text)).toEqual(fromHost);
      for (const p of [host, client]) expect(await p.evaluate(() => (window as unknown as W).alcoveChat.errors)).toEqual([]);
    } finally {
      await Promise.all([leave(client), leave(host)]);
      await call.closePages(client, host);
    }
  });
});

/** Every base64-looking JSON string value in a frame, decoded (UTF-8 and Latin-1). */
function base64Fields(frame: string): string[] {
  const out: string[] = [];
  for (const m of frame.matchAll(/"([A-Za-z0-9+/_-]{16,}={0,2})"/g)) {
    const b = Buffer.from((m[1] as string).replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    out.push(b.toString('utf8'), b.toString('latin1'));
  }
  return out;
}
