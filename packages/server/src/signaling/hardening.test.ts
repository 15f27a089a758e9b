/**
 * Hardening found by an attack run against the server: join attempts and sockets per source
 * address, resume tickets presented while their owner is connected, binary frames, display names,
 * waiting-room expiry, host absence and the audit of screen-share policy changes. Each test here
 * fails on the server before these limits existed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@alcove/testing';
import { MAX_DISPLAY_NAME_LENGTH, mintJoinToken } from '../auth/tokens.js';
import { limitKey } from './signaling-server.js';
import { startTestServer, type TestServer } from './testing/harness.js';
import { TestClient } from './testing/ws-test-client.js';

let ts: TestServer | undefined;
const extra: TestClient[] = [];
afterEach(async () => {
  for (const c of extra.splice(0)) c.drop();
  await ts?.close();
  ts = undefined;
});

/** Opens a socket from `localAddress`: the client, or the refusal's HTTP status. */
async function open(url: string, localAddress: string): Promise<TestClient | number> {
  try {
    const c = await TestClient.connect(url, { localAddress });
    extra.push(c);
    return c;
  } catch (error) {
    const m = /upgrade refused: (\d+)/.exec(String((error as Error).message));
    if (m) return Number(m[1]);
    throw error;
  }
}

/** The audit records written so far (the server flushes on close; tests wait for lines instead). */
function auditLines(dataDir: string): Array<Record<string, any>> {
  let text = '';
  try {
    text = readFileSync(join(dataDir, 'audit.log'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, any>);
}

describe('join attempts per source address', () => {
  it('throttles then closes a run of bad joins from one address and coalesces their audit lines; another address still joins', async () => {
    // The production defaults (burst 20 per address, 60 per minute; a failure costs two).
    ts = await startTestServer({ limits: { joinRateLimit: { burst: 20, perMinute: 60 } } });
    const url = ts.server.wsUrl as string;
    const forged = await mintJoinToken(
      { sid: 'sessAAAAAAAAAAAAAAAAAA', pid: 'x', role: 'client', name: 'x' },
      { hs256Secret: 'not-the-server-secret-not-the-server-secret', ttlS: 60 },
    );
    let processed = 0;
    let limited = 0;
    let refusedUpgrades = 0;
    for (let i = 0; i < 40; i++) {
      const c = await open(url, '127.0.0.2');
      if (typeof c === 'number') {
        expect(c).toBe(429);
        refusedUpgrades++;
        continue;
      }
      const r = await c.request('session.join', { token: forged, e2ee: true });
      const code = r.ok ? 'ok' : r.error.code;
      if (code === 'INVALID_TOKEN') processed++;
      else if (code === 'RATE_LIMITED') limited++;
      else throw new Error(`unexpected ${code}`);
      expect((await c.closed).code).toBe(1008);
    }
    expect(processed).toBeLessThanOrEqual(11);
    expect(limited + refusedUpgrades).toBe(40 - processed);
    expect(refusedUpgrades).toBeGreaterThan(0); // then closed: the address's new sockets are refused
    // A participant from another address is not held by the first one's limit.
    const sid = ts.createSession({ waitingRoom: false });
    const good = await open(url, '127.0.0.1');
    if (typeof good === 'number') throw new Error(`refused ${good}`);
    const ok = await good.call('session.join', { token: await ts.token(sid, 'c1', 'client'), e2ee: true });
    expect(ok.state).toBe('joined');
    // One audit line for the first rejection; the rest of the window is one coalesced line (written
    // at the latest on shutdown), never one fsync'd line per attempt.
    const dataDir = ts.dataDir;
    await ts.server.close();
    const rejected = auditLines(dataDir).filter((l) => l.type === 'token.rejected');
    expect(rejected.length).toBe(2);
    expect(rejected[1]).toMatchObject({ reason: 'repeated', detail: { count: processed - 1 } });
  });
});

describe('the per-address key', () => {
  it("is the IPv4 address itself, and an IPv6 address's /64 (a host can rotate through its /64)", () => {
    expect(limitKey('203.0.113.7')).toBe('203.0.113.7');
    expect(limitKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(limitKey('2001:DB8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(limitKey('2001:db8:1:2::7')).toBe(limitKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'));
    expect(limitKey('2001:db8:1:3::7')).not.toBe(limitKey('2001:db8:1:2::7'));
    expect(limitKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(limitKey('unknown')).toBe('unknown');
  });
});

describe('sockets per source address', () => {
  it('caps sockets from one address that never join, so a participant from elsewhere still gets in', async () => {
    ts = await startTestServer({ limits: { maxConnections: 10, maxPendingPerAddress: 4, maxConnectionsPerAddress: 6 } });
    const url = ts.server.wsUrl as string;
    const outcomes: Array<number | 'open'> = [];
    for (let i = 0; i < 10; i++) {
      const c = await open(url, '127.0.0.2');
      outcomes.push(typeof c === 'number' ? c : 'open');
    }
    expect(outcomes.filter((o) => o === 'open')).toHaveLength(4);
    expect(outcomes.filter((o) => o === 429)).toHaveLength(6);
    const sid = ts.createSession({ waitingRoom: false });
    const good = await open(url, '127.0.0.1');
    if (typeof good === 'number') throw new Error(`refused ${good}`);
    expect((await good.call('session.join', { token: await ts.token(sid, 'c1', 'client'), e2ee: true })).state).toBe('joined');
  });

  it('lets an idle socket that never joined give way when every slot is taken', async () => {
    ts = await startTestServer({ limits: { maxConnections: 6, maxPendingPerAddress: 3, maxConnectionsPerAddress: 6 } });
    const url = ts.server.wsUrl as string;
    const idle: TestClient[] = [];
    for (const address of ['127.0.0.2', '127.0.0.3']) {
      for (let i = 0; i < 3; i++) {
        const c = await open(url, address);
        if (typeof c === 'number') throw new Error(`refused ${c}`);
        idle.push(c);
      }
    }
    const sid = ts.createSession({ waitingRoom: false });
    const good = await open(url, '127.0.0.1');
    if (typeof good === 'number') throw new Error(`refused ${good}`); // before: 503
    expect((await good.call('session.join', { token: await ts.token(sid, 'c1', 'client'), e2ee: true })).state).toBe('joined');
    // The oldest idle socket was the one let go.
    await idle[0]?.closed;
    expect(idle.slice(1).every((c) => c.closeInfo === undefined)).toBe(true);
  });
});

describe('resume tickets', () => {
  it('refuses a resume while the ticket owner still answers, keeps the owner and its ticket; takes over from a dead socket', async () => {
    ts = await startTestServer({ limits: {} });
    const sid = ts.createSession({ waitingRoom: false });
    const { client: owner, result } = await ts.join(sid, 'c1', 'client');
    const ticket = result.resumeTicket as string;
    const thief = await open(ts.server.wsUrl as string, '127.0.0.2');
    if (typeof thief === 'number') throw new Error(`refused ${thief}`);
    const r = await thief.request('session.resume', { ticket });
    expect(r.ok ? 'ok' : r.error.code).toBe('INVALID_STATE');
    expect((await thief.closed).code).toBe(1008);
    // The owner is still there and still works.
    expect(owner.closeInfo).toBeUndefined();
    expect((await owner.call('session.ping', {})).now).toBeGreaterThan(0);
    await waitFor(
      'the refusal in the audit log',
      () => auditLines(ts?.dataDir as string).filter((l) => l.type === 'participant.resumeRefused').length,
      (n) => n === 1,
    );
    // The owner's connection dies without a close (it stops answering): its ticket now resumes.
    (owner.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const back = await ts.connect();
    const resumed = await back.call('session.resume', { ticket });
    expect(resumed.participantId).toBe('c1');
  });
});

describe('frames and names', () => {
  it('refuses a binary frame with a clear error and closes 1003', async () => {
    ts = await startTestServer();
    const sid = ts.createSession({ waitingRoom: false });
    const { client } = await ts.join(sid, 'c1', 'client');
    client.send(Buffer.from(JSON.stringify({ v: 1, id: 7, method: 'session.ping', data: {} })));
    const closed = await client.closed;
    expect(closed.code).toBe(1003);
    const err = client.frames.find((f) => f.ok === false);
    expect(err?.error?.code).toBe('INVALID_MESSAGE');
    expect(err?.error?.message).toMatch(/binary frames are not accepted/);
    expect(client.frames.some((f) => f.id === 7 && f.ok === true)).toBe(false);
  });

  it('strips control and bidirectional characters from display names and cuts them to the limit', async () => {
    ts = await startTestServer();
    const sid = ts.createSession({ waitingRoom: false });
    const { client: host } = await ts.join(sid, 'h1', 'host');
    const raw = `\u202Eevil\u0000\u0007 \u200Bname\n\t${'x'.repeat(60)}`;
    expect(raw.length).toBeLessThanOrEqual(80); // a token the server accepted before
    await ts.join(sid, 'c1', 'client', raw);
    const joined = await host.waitFor('participant.joined', (d) => d.id === 'c1');
    const name = joined.displayName as string;
    expect(name).not.toMatch(/[\p{Cc}\p{Cf}]/u); // no controls, no bidi override, no zero-width
    expect(name.startsWith('evil name x')).toBe(true);
    expect([...name].length).toBe(MAX_DISPLAY_NAME_LENGTH);
  });
});

describe('waiting room and host absence', () => {
  it('ends a waiting entry that is not admitted in time (session.ended waiting-expired) and tells the host', async () => {
    ts = await startTestServer({ live: { waitingTimeoutMs: 400 } });
    const sid = ts.createSession({ waitingRoom: true });
    const { client: host } = await ts.join(sid, 'h1', 'host');
    const { client, result } = await ts.join(sid, 'c1', 'client');
    expect(result.state).toBe('waiting');
    expect((await client.waitFor('session.ended')).reason).toBe('waiting-expired');
    expect((await client.closed).code).toBe(4005);
    await host.waitFor('waitingRoom.changed', (d) => d.waiting.length === 0);
    expect(ts.server.registry.get(sid)?.state).toBe('open');
  });

  it('ends a session whose host has been gone for the configured time, even with a client connected', async () => {
    ts = await startTestServer({ live: { hostAbsentTimeoutMs: 400 } });
    const sid = ts.createSession({ waitingRoom: false });
    const { client: host } = await ts.join(sid, 'h1', 'host');
    const { client } = await ts.join(sid, 'c1', 'client');
    await host.call('session.leave', {});
    expect((await client.waitFor('session.ended')).reason).toBe('host-absent');
    expect(ts.server.registry.get(sid)).toMatchObject({ state: 'ended', endReason: 'host-absent' });
  });

  it('ends a session whose clients were let in without a host ever joining (no free host-less room)', async () => {
    ts = await startTestServer({ live: { hostAbsentTimeoutMs: 400 } });
    const sid = ts.createSession({ waitingRoom: false });
    const { client } = await ts.join(sid, 'c1', 'client');
    await ts.join(sid, 'c2', 'client');
    expect((await client.waitFor('session.ended')).reason).toBe('host-absent');
  });

  it('keeps a session whose host comes back within the time', async () => {
    ts = await startTestServer({ live: { hostAbsentTimeoutMs: 1500 } });
    const sid = ts.createSession({ waitingRoom: false });
    const { client: host } = await ts.join(sid, 'h1', 'host');
    const { client } = await ts.join(sid, 'c1', 'client');
    await host.call('session.leave', {});
    await ts.join(sid, 'h1', 'host');
    // Scenario: the host is back, and the time it was allowed to be away passes.
    await new Promise((r) => setTimeout(r, 2000));
    expect(ts.server.registry.get(sid)?.state).toBe('open');
    expect(client.notifications('session.ended')).toHaveLength(0);
  });
});

describe('audit of policy changes', () => {
  it('audits a host changing the screen-share policy (from, to, who)', async () => {
    ts = await startTestServer();
    const sid = ts.createSession({ waitingRoom: false });
    const { client: host } = await ts.join(sid, 'h1', 'host');
    await host.call('host.setScreenShare', { allowed: 'everyone' });
    await host.call('host.setScreenShare', { allowed: 'everyone' }); // no change, no line
    await host.call('host.setScreenShare', { allowed: 'nobody' });
    const lines = await waitFor(
      'screen-share lines in the audit log',
      () => auditLines(ts?.dataDir as string).filter((l) => l.type === 'session.screenShareChanged'),
      (l) => l.length >= 2,
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ sid, actor: 'host', detail: { from: 'host', to: 'everyone' } });
    expect(lines[0]?.by).toMatch(/^p_[0-9a-f]{32}$/);
    expect(lines[1]).toMatchObject({ detail: { from: 'everyone', to: 'nobody' } });
  });
});
