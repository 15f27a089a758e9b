/**
 * Key rotation: several join-token secrets at once (the first signs, all verify, a third is
 * refused), and webhook deliveries signed with every configured secret so receivers can rotate.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { serverOptionsFromConfig } from '../server-options.js';
import { startTestServer, type TestServer } from '../signaling/testing/harness.js';
import { WebhookDispatcher } from '../webhooks/dispatcher.js';
import { verifyWebhook } from '../webhooks/signature.js';
import { mintJoinToken } from './tokens.js';

const NEW = 'new-secret-new-secret-new-secret-new-0001';
const OLD = 'old-secret-old-secret-old-secret-old-0002';
const THIRD = 'third-secret-third-secret-third-sec-0003';

let ts: TestServer | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await ts?.close();
  ts = undefined;
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

describe('join-token secret rotation', () => {
  it('a server started from a two-line secret file accepts tokens of both secrets and refuses a third; admin-minted tokens use the first', async () => {
    const config = loadConfig(['--token-secret-file', '/s', '--data-dir', '/unused'], {}, { readFile: () => `${NEW}\n${OLD}\n` });
    const tokens = serverOptionsFromConfig(config).tokens;
    ts = await startTestServer({ tokens });
    const sid = ts.createSession({ waitingRoom: false });
    const join = async (pid: string, secret: string): Promise<string> => {
      const c = await ts?.connect();
      if (!c) throw new Error('no server');
      const token = await mintJoinToken({ sid, pid, role: 'client', name: pid }, { hs256Secret: secret, ttlS: 600 });
      const r = await c.request('session.join', { token, e2ee: true });
      return r.ok ? r.data.state : r.error.code;
    };
    expect(await join('with-new', NEW)).toBe('joined');
    expect(await join('with-old', OLD)).toBe('joined');
    expect(await join('with-third', THIRD)).toBe('INVALID_TOKEN');
    // After the old line is removed (restart), the old secret is refused.
    await ts.close();
    ts = await startTestServer({ tokens: { hs256Secret: [NEW] } });
    const sid2 = ts.createSession({ waitingRoom: false });
    const c = await ts.connect();
    const old = await mintJoinToken({ sid: sid2, pid: 'p', role: 'client', name: 'p' }, { hs256Secret: OLD, ttlS: 600 });
    const r = await c.request('session.join', { token: old, e2ee: true });
    expect(r.ok ? 'ok' : r.error.code).toBe('INVALID_TOKEN');
  });
});

describe('webhook secret rotation', () => {
  it('signs each delivery with every secret: a receiver holding only the new or only the old one accepts it', async () => {
    const got: Array<{ body: string; header: string }> = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        got.push({ body, header: String(req.headers['alcove-signature']) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    const secrets = ['whsec-new-0123456789abcdef', 'whsec-old-0123456789abcdef'];
    const hooks = new WebhookDispatcher({
      endpoints: [{ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, secret: secrets }],
      allowPrivateNetworks: true,
    });
    hooks.emit('session.created', { sessionId: 's1' });
    await hooks.idle();
    await hooks.close();
    expect(got).toHaveLength(1);
    const d = got[0] as { body: string; header: string };
    expect(d.header.match(/v1=/g)).toHaveLength(2);
    for (const secret of secrets) expect(verifyWebhook({ body: d.body, header: d.header, secret }).type).toBe('session.created');
    expect(() => verifyWebhook({ body: d.body, header: d.header, secret: 'whsec-other-0123456789ab' })).toThrow(/does not match/);
  });
});
