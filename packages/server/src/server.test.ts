import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@alcove/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_RTP_PARAMETERS } from '@alcove/protocol/fixtures';
import { main } from './cli.js';
import { createLogger, type LogLevel } from './logger.js';
import { FakeMediaEngine } from './media/fake-engine.js';
import type { EngineWorkerOptions } from './media/engine-types.js';
import { createAlcoveServer } from './server.js';
import { TEST_SECRET, startTestServer, type TestServer } from './signaling/testing/harness.js';
import { TestClient } from './signaling/testing/ws-test-client.js';
import { FULL_CHECKLIST, allPassed, newIdentity, signReceipt } from './signaling/testing/checklist-fixtures.js';

let ts: TestServer | undefined;
afterEach(async () => {
  await ts?.close();
  ts = undefined;
});

const DTLS = {
  role: 'client' as const,
  fingerprints: [{ algorithm: 'sha-256' as const, value: Array.from({ length: 32 }, () => 'C4').join(':') }],
};

describe('logs', () => {
  it('carry no display name, chat, sealed payload, token or ticket through a whole scripted session', async () => {
    ts = await startTestServer();
    const canary = {
      host: 'Dr CANARYHOSTNAME Smith',
      client: 'CANARYCLIENTNAME',
      denied: 'CANARYDENIEDNAME',
      removed: 'CANARYREMOVEDNAME',
      chat: 'CANARYCHATTEXT about my week',
      chatBody: 'Q0FOQVJZQ0hBVEJPRFk',
      chatKey: 'Q0FOQVJZQ0hBVEtFWQ',
      sealed: 'Q0FOQVJZU0VBTEVE',
      relay: 'Q0FOQVJZUkVMQVk',
    };
    const sid = ts.createSession({ maxParticipants: 6, jurisdictions: ['US-TN'], checklist: { ...FULL_CHECKLIST, licensure: 'block' } });
    const hostToken = await ts.token(sid, 'host-1', 'host', canary.host);
    const host = await ts.connect();
    await host.call('session.join', { token: hostToken, e2ee: true });
    await host.call('e2ee.publishKey', { identityKey: 'q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=', suites: [1] });
    const clientToken = await ts.token(sid, 'client-1', 'client', canary.client);
    const client = await ts.connect();
    await client.call('session.join', { token: clientToken, e2ee: true });
    const consent = signReceipt(newIdentity(), { sessionId: sid, participantId: 'client-1' });
    await client.call('checklist.relay', { to: 'host-1', type: 'commit', payload: canary.relay });
    await client.call('checklist.relay', { to: 'host-1', type: 'sealed', payload: canary.sealed });
    await client.call('checklist.submit', { status: { steps: allPassed(), complete: true }, consent, licensure: { outcome: 'pass' } });
    await host.waitFor('checklist.message', (d) => d.type === 'sealed');
    await host.call('host.admit', { participantId: 'client-1' });
    const { resumeTicket } = await client.waitFor('session.admitted');
    await host.call('e2ee.relay', { to: 'client-1', type: 'commit', payload: canary.relay });
    await client.call('e2ee.verified', { peer: 'host-1' });
    await client.call('chat.send', { id: 'c1', seq: 1, body: canary.chatBody, keys: [{ to: 'host-1', key: canary.chatKey }] });
    const t = await host.call('media.createTransport', { direction: 'send' });
    await host.call('media.connectTransport', { transportId: t.transportId, dtlsParameters: DTLS });
    await host.call('media.produce', {
      transportId: t.transportId,
      kind: 'video',
      rtpParameters: SAMPLE_RTP_PARAMETERS,
      source: 'cam',
      e2ee: true,
    });
    // Rejected tokens, bad tickets and malformed input that quotes client text.
    const bad = await ts.connect();
    await bad.request('session.join', { token: `${clientToken.slice(0, -4)}AAAA`, e2ee: true });
    const bad2 = await ts.connect();
    await bad2.request('session.resume', { ticket: 'CANARYTICKETCANARYTICKET00' });
    client.send(
      JSON.stringify({ v: 1, id: 77, method: 'chat.send', data: { id: 'c2', seq: 2, payload: canary.chat, extra: canary.chat } }),
    );
    // Drop and resume.
    client.drop();
    await host.waitFor('participant.updated', (d) => d.connection === 'reconnecting');
    const client2 = await ts.connect();
    const resumed = await client2.call('session.resume', { ticket: resumeTicket });
    await host.call('host.lock', {});
    await host.call('host.unlock', {});
    await host.call('host.requestMute', { participantId: 'client-1', kind: 'audio' });
    const denied = await ts.connect();
    await denied.call('session.join', { token: await ts.token(sid, 'den-1', 'client', canary.denied), e2ee: true });
    await host.call('host.deny', { participantId: 'den-1' });
    const removed = await ts.connect();
    await removed.call('session.join', { token: await ts.token(sid, 'rem-1', 'guardian', canary.removed), e2ee: true });
    await host.call('host.admit', { participantId: 'rem-1' });
    await host.call('host.remove', { participantId: 'rem-1' });
    await host.call('host.end', {});
    await client2.closed;

    const logs = ts.logLines.join('\n');
    expect(ts.logLines.length).toBeGreaterThan(10);
    for (const secret of [
      ...Object.values(canary),
      hostToken,
      clientToken,
      resumeTicket,
      resumed.resumeTicket as string,
      'CANARYTICKET',
      '127.0.0.1',
    ]) {
      expect(logs).not.toContain(secret);
    }
    for (const line of ts.logLines) expect(() => JSON.parse(line)).not.toThrow();
    // Participant ids are often an integrator's patient ids: logs use connection ids instead.
    for (const pid of ['client-1', 'host-1', 'den-1', 'rem-1']) expect(logs).not.toContain(`"${pid}"`);
    // The audit trail holds none of it either.
    const audit = readFileSync(join(ts.dataDir, 'audit.log'), 'utf8');
    expect(audit).toContain('participant.admitted');
    for (const secret of [...Object.values(canary), hostToken, clientToken, resumeTicket, 'host-1', 'client-1'])
      expect(audit).not.toContain(secret);
  });
});

describe('composition', () => {
  it('serves the admin API beside /ws, or on its own port when adminPort is set', async () => {
    ts = await startTestServer();
    expect((await fetch(`${ts.server.url}/v1/health`)).status).toBe(200);
    expect((await fetch(`${ts.server.url}/elsewhere`)).status).toBe(404);
    await ts.close();
    ts = await startTestServer({ adminPort: 0 });
    const adminPort = ts.server.adminAddress?.port;
    expect(adminPort).toBeGreaterThan(0);
    expect((await fetch(`http://127.0.0.1:${adminPort}/v1/health`)).status).toBe(200);
    expect((await fetch(`${ts.server.url}/v1/health`)).status).toBe(404);
    const sid = ts.createSession({ waitingRoom: false });
    expect((await ts.join(sid, 'a', 'host')).result.state).toBe('joined');
  });

  it("hands the media engine the server's logger (component sfu) at the mapped level", async () => {
    const levels: Partial<Record<LogLevel, EngineWorkerOptions['logLevel']>> = {};
    for (const level of ['debug', 'info', 'warn', 'error', 'silent'] as const) {
      const engine = new FakeMediaEngine();
      const lines: string[] = [];
      let given: EngineWorkerOptions | undefined;
      const server = await createAlcoveServer({
        port: 0,
        tokens: { hs256Secret: TEST_SECRET },
        logger: createLogger({ level, sink: (line) => lines.push(line) }),
        createWorker: (options) => {
          given = options;
          return engine.createWorker();
        },
      });
      levels[level] = given?.logLevel;
      given?.logger?.error('udp.socketError', { ns: 'alcove-sfu:udp', displayName: 'CANARYNAME' });
      await server.close();
      if (level === 'silent') continue;
      const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.event === 'udp.socketError');
      expect(line).toMatchObject({ component: 'sfu', ns: 'alcove-sfu:udp', level: 'error' });
      expect(JSON.stringify(lines)).not.toContain('CANARYNAME');
    }
    expect(levels).toEqual({ debug: 'debug', info: 'warn', warn: 'warn', error: 'error', silent: 'none' });
  });
});

describe('graceful shutdown', () => {
  it('tells clients to come back later and reports a fatal error when the media worker dies', async () => {
    const fatal: string[] = [];
    ts = await startTestServer({ onFatal: (r) => fatal.push(r) });
    const sid = ts.createSession({ waitingRoom: false });
    const { client } = await ts.join(sid, 'a', 'host');
    ts.engine.killWorkers();
    expect(await client.waitFor('session.shutdown')).toEqual({ retryAfterMs: 2000 });
    expect(fatal).toEqual(['media-worker-died']);
    const late = await ts.connect();
    const r = await late.request('session.join', { token: await ts.token(sid, 'b', 'host'), e2ee: true });
    expect(r.ok ? 'ok' : r.error.code).toBe('SHUTTING_DOWN');
  });

  it('tells every joined client session.shutdown and close() resolves', async () => {
    ts = await startTestServer();
    const sid = ts.createSession();
    const { client: host } = await ts.join(sid, 'h', 'host');
    const { client: waiting } = await ts.join(sid, 'w', 'client');
    const bare = await ts.connect();
    // Resolving at all is the property (its own shutdown timeout bounds it); no wall-clock limit here.
    await ts.server.close();
    await host.waitFor('session.shutdown');
    await waiting.waitFor('session.shutdown');
    expect((await host.closed).code).toBe(1001);
    expect((await waiting.closed).code).toBe(1001);
    expect((await bare.closed).code).toBe(1001);
    await expect(TestClient.connect(ts.server.wsUrl as string)).rejects.toThrow();
  });

  it('runs from the CLI and shuts down on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'alcove-cli-'));
    try {
      const lines: string[] = [];
      const handlers = new Map<string, () => void>();
      let exitCode: number | undefined;
      const exited = new Promise<number>((resolve) => {
        const io = {
          stdout: { write: () => true },
          stderr: { write: () => true },
          env: { ALCOVE_TOKEN_SECRET: 'cli-test-secret-cli-test-secret-0123456789', ALCOVE_API_KEYS: 'cli-test-api-key-0123456789' },
          onSignal: (s: string, h: () => void) => handlers.set(s, h),
          exit: (code: number) => {
            exitCode = code;
            resolve(code);
          },
          logSink: (line: string) => lines.push(line),
        };
        void main(['start', '--port', '0', '--rtc-port', '0', '--data-dir', dataDir], io).then((code) => {
          if (code !== 0) resolve(code);
        });
      });
      await waitFor(
        'the CLI server to start',
        () => lines.some((l) => l.includes('server.started')),
        (x) => x,
        { timeoutMs: 20_000 },
      );
      const port = JSON.parse(lines.find((l) => l.includes('server.started')) as string).port as number;
      // Create a session through the admin API, mint a token, join.
      const api = (path: string, body: unknown) =>
        fetch(`http://127.0.0.1:${port}${path}`, {
          method: 'POST',
          headers: { authorization: 'Bearer cli-test-api-key-0123456789', 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<any>);
      const created = await api('/v1/sessions', { policy: { waitingRoom: false } });
      const sid = created.session?.id ?? created.id;
      const minted = await api(`/v1/sessions/${sid}/tokens`, { role: 'host', displayName: 'Host' });
      const c = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
      const joined = await c.call('session.join', { token: minted.token, e2ee: true });
      expect(joined.state).toBe('joined');
      const started = Date.now();
      handlers.get('SIGTERM')?.();
      await c.waitFor('session.shutdown');
      expect(await exited).toBe(0);
      expect(exitCode).toBe(0);
      if (process.env.ALCOVE_TIMING) console.info({ shutdownMs: Date.now() - started, lines: lines.slice(-6) });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('prints help and verifies audit files from the CLI', async () => {
    const out: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => out.push(s) },
      env: {},
      onSignal: () => {},
      exit: () => {},
    };
    expect(await main(['--help'], io)).toBe(0);
    expect(out.join('')).toContain('alcove-server start');
    expect(await main(['start', '--bogus'], io)).toBe(2);
    expect(await main(['audit', 'verify', '/nonexistent/audit.log'], io)).toBe(2);
  });
});
