/**
 * The admin lockout never refuses a valid key: failures are limited per (client address, presented
 * key prefix), and a configured trusted proxy's `X-Forwarded-For` names the client. Real HTTP on
 * 127.0.0.1 (today's attack: 60 bad keys from one address locked every integrator behind the same
 * proxy out for 60 s).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { SessionRegistry } from '../sessions/registry.js';
import { startTestServer } from '../signaling/testing/harness.js';
import { createAdminHandler, type AdminHandlerOptions } from './admin-handler.js';

const VALID = 'integrator-key-0123456789abcdef';
const OTHER_VALID = 'second-integrator-0123456789abcdef';
let srv: Server | undefined;

async function start(extra: Partial<AdminHandlerOptions> = {}): Promise<string> {
  const handler = createAdminHandler({ registry: SessionRegistry.open(), apiKeys: [VALID, OTHER_VALID], ...extra });
  srv = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => srv?.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1/sessions`;
}
afterEach(async () => {
  await new Promise((r) => (srv ? srv.close(r) : r(undefined)));
  srv = undefined;
});

const get = async (url: string, key: string | undefined, forwardedFor?: string): Promise<number> =>
  (
    await fetch(url, {
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    })
  ).status;

describe('admin lockout', () => {
  it('after 200 bad keys from one address, every valid key from that address still works', async () => {
    const url = await start({ authFailuresPerMinute: 20 });
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push(await get(url, `guess-${i % 7}-0123456789abcdefgh`));
    // Seven prefixes ("guess-N-"), about 28 guesses each: after 20 failures per prefix they get 429.
    expect(statuses.filter((s) => s === 401).length).toBeGreaterThan(0);
    expect(statuses.at(-1)).toBe(429);
    expect(await get(url, VALID)).toBe(200);
    expect(await get(url, OTHER_VALID)).toBe(200);
    // A wrong key with the valid key's own prefix is limited separately and never blocks the valid key.
    for (let i = 0; i < 25; i++) await get(url, `${VALID.slice(0, 8)}-wrong-${i}-0123456789`);
    expect(await get(url, `${VALID.slice(0, 8)}-wrong-x-0123456789`)).toBe(429);
    expect(await get(url, VALID)).toBe(200);
  });

  it('limits failures per presented key prefix: one noisy prefix does not turn other bad keys into 429', async () => {
    const url = await start({ authFailuresPerMinute: 3 });
    const noisy: number[] = [];
    for (let i = 0; i < 5; i++) noisy.push(await get(url, 'AAAAAAAA-bad-0123456789'));
    expect(noisy).toEqual([401, 401, 401, 429, 429]);
    expect(await get(url, 'BBBBBBBB-bad-0123456789')).toBe(401);
    expect(await get(url, undefined)).toBe(401);
  });

  it("behind a trusted proxy, the forwarded client address is counted, and an untrusted client's header is ignored", async () => {
    // 127.0.0.1 (the test's own address) is the trusted proxy.
    const url = await start({ authFailuresPerMinute: 2, trustedProxies: ['127.0.0.1'] });
    const bad = 'CCCCCCCC-bad-0123456789';
    expect([await get(url, bad, '198.51.100.7'), await get(url, bad, '198.51.100.7'), await get(url, bad, '198.51.100.7')]).toEqual([
      401, 401, 429,
    ]);
    // Another client behind the same proxy is not affected; nor is a valid key of the first one.
    expect(await get(url, bad, '203.0.113.9')).toBe(401);
    expect(await get(url, VALID, '198.51.100.7')).toBe(200);
    // The proxy appends; a client's own (spoofed) entries to the left are not trusted.
    expect(await get(url, bad, '10.9.9.9, 203.0.113.9')).toBe(401);
    expect(await get(url, bad, '10.9.9.9, 203.0.113.9')).toBe(429);
  });

  it('without a trusted proxy, X-Forwarded-For is ignored (a client cannot choose its address)', async () => {
    const url = await start({ authFailuresPerMinute: 2 });
    const bad = 'DDDDDDDD-bad-0123456789';
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await get(url, bad, `192.0.2.${i + 1}`));
    expect(statuses).toEqual([401, 401, 429]);
  });
});

/** Opens a signalling socket with an X-Forwarded-For header; resolves 'open' or the refusal status. */
function openWs(url: string, forwardedFor: string, sockets: WebSocket[]): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers: { 'x-forwarded-for': forwardedFor } });
    sockets.push(ws);
    ws.on('open', () => resolve('open'));
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
    ws.on('error', () => resolve('error'));
  });
}

describe('signalling per-address limits behind a trusted proxy', () => {
  it('count the forwarded client address when the proxy is trusted, and the peer address otherwise', async () => {
    for (const trusted of [true, false]) {
      const ts = await startTestServer({ ...(trusted ? { trustedProxies: ['127.0.0.1'] } : {}), limits: { maxConnectionsPerAddress: 2 } });
      const sockets: WebSocket[] = [];
      try {
        const url = ts.server.wsUrl as string;
        const results = [
          await openWs(url, '198.51.100.1', sockets),
          await openWs(url, '198.51.100.1', sockets),
          await openWs(url, '198.51.100.1', sockets),
          await openWs(url, '198.51.100.2', sockets),
        ];
        // Trusted: two clients, two sockets each allowed. Untrusted: everyone is 127.0.0.1.
        expect(results, `trusted=${trusted}`).toEqual(trusted ? ['open', 'open', '429', 'open'] : ['open', 'open', '429', '429']);
      } finally {
        for (const ws of sockets) ws.terminate();
        await ts.close();
      }
    }
  });
});
