import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { isErrorCode } from '@alcove/protocol';
import { MessageFuzzer } from './testing/fuzz.js';
import { roomsOf } from '../server.js';
import { startTestServer, type TestServer } from './testing/harness.js';
import type { TestClient } from './testing/ws-test-client.js';

let ts: TestServer | undefined;
afterEach(async () => {
  await ts?.close();
  ts = undefined;
});

function rawUpgrade(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => resolve(-1));
  });
}

describe('signalling connection rules', () => {
  it('checks origin, path and query string on upgrade', async () => {
    ts = await startTestServer({ allowedOrigins: ['https://practice.example'] });
    const url = ts.server.wsUrl as string;
    expect(await rawUpgrade(url)).toBe(101);
    expect(await rawUpgrade(url, { origin: 'https://practice.example' })).toBe(101);
    expect(await rawUpgrade(url, { origin: 'https://evil.example' })).toBe(403);
    expect(await rawUpgrade(`${url}?token=abc.def.ghi`)).toBe(400);
    expect(await rawUpgrade(url.replace('/ws', '/other'))).toBe(404);
  });

  it('closes an unauthenticated socket after its first invalid message, a non-join request, or 10 s idle', async () => {
    ts = await startTestServer({ limits: { authTimeoutMs: 300 } });
    const a = await ts.connect();
    a.send('{"v":1,"id":1,"method":"session.ping","data":{},"x":1}');
    expect((await a.closed).code).toBe(1008);
    expect(a.frames[0]?.error?.code).toBe('INVALID_MESSAGE');

    const b = await ts.connect();
    const r = await b.request('session.ping', {});
    expect(r.ok ? 'ok' : r.error.code).toBe('UNAUTHENTICATED');
    expect((await b.closed).code).toBe(1008);

    const c = await ts.connect();
    const bad = await c.request('session.join', { token: 'not-a-valid-token-at-all', e2ee: true });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('INVALID_TOKEN');
    expect((await c.closed).code).toBe(1008);

    const sid = ts.createSession();
    const e = await ts.connect();
    const noE2ee = await e.request('session.join', { token: await ts.token(sid, 'p', 'client'), e2ee: false });
    expect(noE2ee.ok ? 'ok' : noE2ee.error.code).toBe('E2EE_REQUIRED');
    expect((await e.closed).code).toBe(1008);

    const d = await ts.connect();
    const closed = await d.closed;
    expect(closed.code).toBe(1008);
    expect(d.frames).toHaveLength(0);
  });

  it('closes with 1009 above the size limit, throttles then closes a flood, refuses a second join', async () => {
    ts = await startTestServer({ limits: { maxPayload: 4096, rateLimit: { perSecond: 5, burst: 10, maxStrikes: 5 } } });
    const sid = ts.createSession({ waitingRoom: false });
    const { client: big } = await ts.join(sid, 'big', 'host');
    big.send(JSON.stringify({ v: 1, id: 9, method: 'chat.send', data: { id: 'x', seq: 1, payload: 'a'.repeat(5000) } }));
    expect((await big.closed).code).toBe(1009);

    const { client: flood } = await ts.join(sid, 'flood', 'client');
    const again = await flood.request('session.join', { token: await ts.token(sid, 'flood', 'client'), e2ee: true });
    expect(again.ok ? 'ok' : again.error.code).toBe('ALREADY_JOINED');
    for (let i = 0; i < 40; i++) flood.send(JSON.stringify({ v: 1, id: 100 + i, method: 'session.ping', data: {} }));
    const closed = await flood.closed;
    expect(closed.code).toBe(1008);
    const codes = flood.frames.filter((f) => f.ok === false).map((f) => f.error?.code);
    expect(codes).toContain('RATE_LIMITED');
    expect(flood.frames.filter((f) => f.ok === true).length).toBeGreaterThan(0);
  });

  it('answers pings and keeps a heartbeat', async () => {
    ts = await startTestServer({ live: { heartbeatMs: 200 } });
    const sid = ts.createSession({ waitingRoom: false });
    const { client, result } = await ts.join(sid, 'h', 'host');
    expect(result.heartbeatMs).toBe(200);
    let pings = 0;
    client.ws.on('ping', () => pings++);
    const pong = await client.call('session.ping', {});
    expect(Math.abs(pong.now - Date.now())).toBeLessThan(5000);
    await new Promise((r) => setTimeout(r, 700));
    expect(pings).toBeGreaterThanOrEqual(2);
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
  });
});

describe('signalling robustness', () => {
  it('survives 10^4 random and schema-derived malformed messages on an authenticated socket', async () => {
    ts = await startTestServer({ limits: { rateLimit: { perSecond: 1e6, burst: 1e6, maxStrikes: 1e6 } } });
    const server = ts;
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;

    // Room 1: the fuzzing client beside a host; room 2: an unrelated pair that must not notice.
    const sid = ts.createSession({ waitingRoom: false, maxParticipants: 4 });
    const { client: host } = await ts.join(sid, 'host-1', 'host');
    const sid2 = ts.createSession({ waitingRoom: false });
    const { client: other1 } = await ts.join(sid2, 'o1', 'host');
    const { client: other2 } = await ts.join(sid2, 'o2', 'client');
    const otherFramesBefore = other2.frames.length;

    const fuzzer = new MessageFuzzer(0xa1c0e);
    const joinFuzzer = async (): Promise<TestClient> => (await server.join(sid, 'fuzz', 'client')).client;
    let c = await joinFuzzer();
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let answered = 0;
    let closes = 0;
    const codes = new Map<string, number>();
    const N = 10_000;
    for (let i = 0; i < N; i++) {
      const msg = fuzzer.next();
      const before = c.frames.length;
      const outcome = await new Promise<'answer' | 'close'>((resolve) => {
        const onMessage = (): void => {
          if (c.frames.slice(before).some((f) => f.ok !== undefined)) {
            c.ws.off('message', onMessage);
            resolve('answer');
          }
        };
        c.ws.on('message', onMessage);
        void c.closed.then(() => resolve('close'));
        c.send(msg);
      });
      if (outcome === 'answer') {
        answered++;
        const f = c.frames.slice(before).find((x) => x.ok !== undefined);
        if (f && f.ok === false) {
          expect(isErrorCode(f.error?.code)).toBe(true);
          codes.set(f.error?.code as string, (codes.get(f.error?.code as string) ?? 0) + 1);
        }
      } else {
        closes++;
        expect([1003, 1008, 1009, 1000]).toContain(c.closeInfo?.code);
        c = await joinFuzzer();
      }
      // Keep the recorded frames from growing with the test itself.
      if (c.frames.length > 1000) {
        c.frames.splice(0, c.frames.length);
        c.raw.splice(0, c.raw.length);
      }
    }
    expect(answered + closes).toBe(N);
    expect(answered).toBeGreaterThan(N * 0.9);
    expect(codes.get('INVALID_MESSAGE')).toBeGreaterThan(100);
    expect(codes.get('FORBIDDEN_KEY') ?? 0).toBeGreaterThan(10);
    expect(codes.get('TOO_DEEP') ?? 0).toBeGreaterThan(10);

    // Still up: the host, the other room, a fresh join.
    expect((await host.request('session.ping', {})).ok).toBe(true);
    const ack = await other1.call('chat.send', { id: 'after-fuzz', seq: 1, body: 'c2VhbGVk', keys: [{ to: 'o2', key: 'a2V5' }] });
    expect(ack.id).toBe('after-fuzz');
    await other2.waitFor('chat.message', (d) => d.id === 'after-fuzz');
    // The other room received nothing from the fuzzing beyond that one message.
    expect(other2.frames.slice(otherFramesBefore).filter((f) => f.method && f.method !== 'chat.message')).toHaveLength(0);
    const fresh = await ts.join(sid2, 'o3', 'client');
    expect(fresh.result.state).toBe('joined');

    // Memory stays bounded.
    if (process.env.ALCOVE_FUZZ_REPORT) console.info({ answered, closes, codes: Object.fromEntries(codes) });
    c.frames.splice(0);
    c.raw.splice(0);
    host.frames.splice(0);
    host.raw.splice(0);
    gc();
    const heapAfter = process.memoryUsage().heapUsed;
    if (process.env.ALCOVE_FUZZ_REPORT) console.info({ heapDeltaMB: (heapAfter - heapBefore) / 1048576 });
    expect(heapAfter - heapBefore).toBeLessThan(40 * 1024 * 1024);
    // Per-participant state stayed within its caps.
    const fuzzP = roomsOf(ts.server).get(sid)?.participant('fuzz');
    expect(fuzzP?.chatIds.size ?? 0).toBeLessThanOrEqual(512);
    const counts = roomsOf(ts.server).get(sid)?.media.counts;
    expect(counts?.transports ?? 0).toBeLessThanOrEqual(8);
  }, 180_000);
});
