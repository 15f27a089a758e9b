import { afterEach, describe, expect, it } from 'vitest';
import { createAlcoveServer } from '../server.js';
import { startTestServer, TEST_SECRET, type TestServer } from '../signaling/testing/harness.js';
import { verifyTurnCredential } from './credentials.js';

const turn = {
  urls: ['turn:198.51.100.7:3478?transport=udp', 'turn:198.51.100.7:3478?transport=tcp', 'turns:turn.example.org:443?transport=tcp'],
  secrets: ['coturn-static-auth-secret-0123'],
  ttlS: 3600,
};

describe('TURN credentials in the join and admission results', () => {
  let ts: TestServer | undefined;
  afterEach(async () => {
    await ts?.close();
    ts = undefined;
  });

  it('an admitted participant gets fresh credentials coturn would accept; a waiting one gets none', async () => {
    ts = await startTestServer({ turn });
    const sid = ts.createSession({ waitingRoom: true });
    const host = await ts.join(sid, 'h', 'host');
    expect(host.result.state).toBe('joined');
    const [server] = host.result.iceServers ?? [];
    expect(server?.urls).toEqual(turn.urls);
    expect(verifyTurnCredential(turn.secrets, server!.username!, server!.credential!)).toBe(true);
    // The username names no participant: nothing in the TURN server's logs ties it to the session.
    expect(server!.username).toMatch(/^\d+:[A-Za-z0-9_-]+$/);

    const guest = await ts.join(sid, 'c', 'client');
    expect(guest.result.state).toBe('waiting');
    expect(guest.result.iceServers).toBeUndefined();
    await host.client.call('host.admit', { participantId: 'c' });
    const admitted = await guest.client.waitFor('session.admitted');
    const [relay] = admitted.iceServers;
    expect(verifyTurnCredential(turn.secrets, relay.username, relay.credential)).toBe(true);
    expect(relay.username).not.toBe(server!.username);
  });

  it('without TURN configured, no iceServers; a bad TURN configuration refuses to start', async () => {
    ts = await startTestServer();
    const sid = ts.createSession({ waitingRoom: false });
    const { result } = await ts.join(sid, 'h', 'host');
    expect(result.iceServers).toBeUndefined();
    // Checked before anything opens (no folder, no port, no worker).
    await expect(
      createAlcoveServer({ port: 0, tokens: { hs256Secret: TEST_SECRET }, turn: { ...turn, secrets: ['short'] } }),
    ).rejects.toThrow(TypeError);
  });
});
