import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_RTP_PARAMETERS } from '@alcove/protocol/fixtures';
import { createAlcoveServer } from '../server.js';
import { SessionRegistry } from '../sessions/registry.js';
import { startTestServer, TEST_SECRET, type TestServer } from '../signaling/testing/harness.js';
import { TestClient } from '../signaling/testing/ws-test-client.js';
import { FakeMediaEngine } from '../media/fake-engine.js';
import { silentLogger } from '../logger.js';
import { mintJoinToken } from '../auth/tokens.js';
import { FULL_CHECKLIST, allPassed, newIdentity, signReceipt } from '../signaling/testing/checklist-fixtures.js';

let ts: TestServer | undefined;
afterEach(async () => {
  await ts?.close();
  ts = undefined;
});

const DTLS = {
  role: 'client' as const,
  fingerprints: [{ algorithm: 'sha-256' as const, value: Array.from({ length: 32 }, () => '7F').join(':') }],
};

describe('host actions and relays', () => {
  it('mute requests, screen-share policy, checklist and E2EE relays reach only whom they should', async () => {
    const posted: { type: string; data: Record<string, unknown> }[] = [];
    const fetchStub = (async (_url: string, init: { body: string }) => {
      posted.push(JSON.parse(init.body) as { type: string; data: Record<string, unknown> });
      return new Response('', { status: 200 });
    }) as unknown as typeof fetch;
    ts = await startTestServer({
      webhooks: {
        endpoints: [{ url: 'http://127.0.0.1:9/hook', secret: 'webhook-secret-0123456789' }],
        fetch: fetchStub,
        allowPrivateNetworks: true,
      },
    });
    const sid = ts.createSession({ screenShare: 'everyone', checklist: FULL_CHECKLIST });
    const { client: host } = await ts.join(sid, 'h', 'host');
    const { client: c1 } = await ts.join(sid, 'c1', 'client');
    const { client: c2 } = await ts.join(sid, 'c2', 'co-client');
    await host.call('host.admit', { participantId: 'c1' });
    await c1.waitFor('session.admitted');
    // c2 waits: relays to it are refused, its checklist reaches the host only.
    const r = await host.request('e2ee.relay', { to: 'c2', type: 'commit', payload: 'AAAA' });
    expect(r.ok ? 'ok' : r.error.code).toBe('NOT_FOUND');
    await host.call('e2ee.publishKey', { identityKey: newIdentity().identityKey, suites: [1] });
    await c2.waitFor('checklist.hosts', (d) => d.hosts.length === 1);
    const consent = signReceipt(newIdentity(), { sessionId: sid, participantId: 'c2' });
    await c2.call('checklist.submit', { status: { steps: allPassed(), complete: true }, consent });
    await c2.call('checklist.relay', { to: 'h', type: 'sealed', payload: 'U0VBTEVE' });
    const got = await host.waitFor('checklist.submitted', (d) => d.participantId === 'c2');
    expect(got.consent).toEqual({ version: consent.version, sha256: consent.sha256, verified: true });
    expect(await host.waitFor('checklist.message')).toEqual({ from: 'c2', type: 'sealed', payload: 'U0VBTEVE' });
    expect(c1.notifications('checklist.submitted')).toHaveLength(0);
    expect(c1.notifications('checklist.message')).toHaveLength(0);
    await host.call('host.admit', { participantId: 'c2' });
    await c2.waitFor('session.admitted');

    await host.call('host.requestMute', { participantId: 'c1', kind: 'audio' });
    expect(await c1.waitFor('host.muteRequested')).toEqual({ kind: 'audio' });
    expect(c2.notifications('host.muteRequested')).toHaveLength(0);

    // c1 shares its screen; the host then allows only itself: the share is closed for everyone.
    const t = await c1.call('media.createTransport', { direction: 'send' });
    await c1.call('media.connectTransport', { transportId: t.transportId, dtlsParameters: DTLS });
    const share = await c1.call('media.produce', {
      transportId: t.transportId,
      kind: 'video',
      rtpParameters: SAMPLE_RTP_PARAMETERS,
      source: 'screen',
      e2ee: true,
    });
    await host.call('host.setScreenShare', { allowed: 'host' });
    expect(await c2.waitFor('session.policyChanged')).toEqual({ screenShare: 'host' });
    await c1.waitFor('media.producerClosed', (d) => d.producerId === share.producerId);
    await c2.waitFor('media.producerClosed', (d) => d.producerId === share.producerId);
    const again = await c1.request('media.produce', {
      transportId: t.transportId,
      kind: 'video',
      rtpParameters: SAMPLE_RTP_PARAMETERS,
      source: 'screen',
      e2ee: true,
    });
    expect(again.ok ? 'ok' : again.error.code).toBe('SCREEN_SHARE_NOT_ALLOWED');

    // Safety-code verification: the peer and the host hear of it.
    await c1.call('e2ee.verified', { peer: 'h' });
    expect(await host.waitFor('e2ee.peerVerified')).toEqual({ participantId: 'c1', peer: 'h' });
    expect(c2.notifications('e2ee.peerVerified')).toHaveLength(0);

    // Webhooks went out with ids only.
    const deadline = Date.now() + 5000;
    while (!posted.some((p) => p.type === 'e2ee.verified') && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    const types = posted.map((p) => p.type);
    for (const t2 of [
      'participant.joined',
      'participant.waiting',
      'participant.admitted',
      'checklist.completed',
      'consent.recorded',
      'e2ee.verified',
    ])
      expect(types).toContain(t2);
    expect(JSON.stringify(posted)).not.toContain('Name c1');
    expect(JSON.stringify(posted)).not.toContain('U0VBTEVE');
  });

  it('ends the live room when the admin API ends the session', async () => {
    ts = await startTestServer();
    const sid = ts.createSession({ waitingRoom: false });
    const { client } = await ts.join(sid, 'a', 'host');
    const res = await fetch(`${ts.server.url}/v1/sessions/${sid}/end`, {
      method: 'POST',
      headers: { authorization: 'Bearer test-api-key-0123456789abcdef', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(await client.waitFor('session.ended')).toEqual({ reason: 'admin' });
    expect((await client.closed).code).toBe(4005);
    const late = await ts.connect();
    const r = await late.request('session.join', { token: await ts.token(sid, 'b', 'client'), e2ee: true });
    expect(r.ok ? 'ok' : r.error.code).toBe('SESSION_ENDED');
  });

  it('keeps a locked session locked and a removal barred across a restart', async () => {
    ts = await startTestServer();
    const sid = ts.createSession();
    const { client: host } = await ts.join(sid, 'h', 'host');
    const { client: c } = await ts.join(sid, 'c', 'client');
    await host.call('host.admit', { participantId: 'c' });
    await c.waitFor('session.admitted');
    await host.call('host.remove', { participantId: 'c' });
    await host.call('host.lock', {});
    await ts.server.close();
    // A new process on the same data folder.
    const engine = new FakeMediaEngine();
    const registry = SessionRegistry.open({ dataDir: ts.dataDir });
    const server2 = await createAlcoveServer({
      port: 0,
      tokens: { hs256Secret: TEST_SECRET },
      logger: silentLogger,
      createWorker: engine.createWorker,
      registry,
    });
    await server2.start();
    try {
      const join = async (pid: string, role: 'client' | 'host') => {
        const cl = await TestClient.connect(server2.wsUrl as string);
        const token = await mintJoinToken({ sid, pid, role, name: pid }, { hs256Secret: TEST_SECRET, ttlS: 60 });
        const r = await cl.request('session.join', { token, e2ee: true });
        cl.drop();
        return r.ok ? r.data.state : r.error.code;
      };
      expect(await join('newcomer', 'client')).toBe('SESSION_LOCKED');
      expect(await join('c', 'client')).toBe('INVALID_TOKEN');
      expect(await join('h', 'host')).toBe('joined');
    } finally {
      await server2.close();
    }
  });
});
