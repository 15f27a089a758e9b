import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RequestMethod, Role } from '@alcove/protocol';
import { SAMPLE_REQUESTS, SAMPLE_RTP_PARAMETERS } from '@alcove/protocol/fixtures';
import { mintJoinToken } from '../auth/tokens.js';
import { roomsOf } from '../server.js';
import { startTestServer, TEST_SECRET, type TestServer } from '../signaling/testing/harness.js';
import type { TestClient } from '../signaling/testing/ws-test-client.js';
import { HOST_METHODS } from './permissions.js';

const DTLS = {
  role: 'client' as const,
  fingerprints: [{ algorithm: 'sha-256' as const, value: Array.from({ length: 32 }, () => '0A').join(':') }],
};
const AUDIO_RTP = {
  mid: '1',
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 }, rtcpFeedback: [] }],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 10 }],
  encodings: [{ ssrc: 22222 }],
  rtcp: { cname: 'x' },
};
const RECV_CAPS = {
  codecs: [
    { kind: 'audio' as const, mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 },
    { kind: 'video' as const, mimeType: 'video/VP8', preferredPayloadType: 101, clockRate: 90000 },
  ],
};

/** Sets up a send transport and publishes a VP8 camera track. */
async function publishCam(c: TestClient): Promise<{ transportId: string; producerId: string }> {
  const t = await c.call('media.createTransport', { direction: 'send' });
  await c.call('media.connectTransport', { transportId: t.transportId, dtlsParameters: DTLS });
  const p = await c.call('media.produce', {
    transportId: t.transportId,
    kind: 'video',
    rtpParameters: SAMPLE_RTP_PARAMETERS,
    source: 'cam',
    e2ee: true,
  });
  return { transportId: t.transportId, producerId: p.producerId };
}

describe('admission and the waiting room', () => {
  let ts: TestServer;
  beforeEach(async () => {
    ts = await startTestServer();
  });
  afterEach(async () => {
    await ts.close();
  });

  it("gives a waiting participant no names but the hosts', no keys, no media and no transports", async () => {
    const sid = ts.createSession({ maxParticipants: 6, checklist: { steps: ['camera', 'network'] } });
    const { client: host, result: hr } = await ts.join(sid, 'host-1', 'host', 'Dr Canary Host');
    expect(hr.state).toBe('joined');
    expect(hr.resumeTicket).toBeTruthy();
    const { client: a, result: ar } = await ts.join(sid, 'client-a', 'client', 'Alice Inside');
    expect(ar.state).toBe('waiting');
    await host.waitFor('waitingRoom.changed', (d) => d.waiting.some((w: { id: string }) => w.id === 'client-a'));
    await host.call('host.admit', { participantId: 'client-a' });
    const admitted = await a.waitFor('session.admitted');
    expect(admitted.participants.map((p: { id: string }) => p.id)).toEqual(['host-1']);

    const { client: w, result: wr } = await ts.join(sid, 'client-w', 'client', 'Walter Waiting');
    expect(wr.state).toBe('waiting');
    // The one name a waiting participant learns: the host's (no credentials line in this token).
    expect(wr.sessionHosts).toEqual([{ participantId: 'host-1', displayName: 'Dr Canary Host' }]);
    expect(wr.participants).toBeUndefined();
    expect(wr.producers).toBeUndefined();
    expect(wr.resumeTicket).toBeUndefined();

    // Activity inside the room while W waits.
    await host.call('e2ee.publishKey', SAMPLE_REQUESTS['e2ee.publishKey']);
    await a.call('e2ee.publishKey', SAMPLE_REQUESTS['e2ee.publishKey']);
    await host.call('e2ee.relay', { to: 'client-a', type: 'commit', payload: 'AAEC' });
    await a.call('e2ee.relay', { to: 'host-1', type: 'sealed', payload: 'AAEC' });
    const cam = await publishCam(host);
    await host.call('chat.send', { id: 'm1', seq: 1, body: 'c2VhbGVk', keys: [{ to: 'client-a', key: 'a2V5' }] });
    await a.call('checklist.submit', { status: { steps: { camera: 'passed' }, complete: false } });
    await host.call('host.lock', {});
    await host.call('host.unlock', {});

    // W tries to get in by the side door.
    const transportsBefore = ts.engine.stats.transports;
    const refused: [RequestMethod, unknown][] = [
      ['media.createTransport', { direction: 'recv' }],
      ['media.consume', { transportId: 'x', producerId: cam.producerId, rtpCapabilities: RECV_CAPS }],
      ['media.produce', SAMPLE_REQUESTS['media.produce']],
      ['e2ee.relay', { to: 'host-1', type: 'commit', payload: 'AAEC' }],
      ['e2ee.publishKey', SAMPLE_REQUESTS['e2ee.publishKey']],
      ['chat.send', { id: 'w1', seq: 1, body: 'c2VhbGVk', keys: [{ to: 'host-1', key: 'a2V5' }] }],
      ['chat.relay', { to: 'host-1', type: 'commit', payload: 'AAEC' }],
      ['media.requestKeyFrame', { producerId: cam.producerId }],
    ];
    for (const [method, data] of refused) {
      const r = await w.request(method, data);
      expect(r.ok, method).toBe(false);
      if (!r.ok) expect(r.error.code, method).toBe('NOT_ADMITTED');
    }
    expect(ts.engine.stats.transports).toBe(transportsBefore);
    // What W may do: ping, capabilities, checklist.
    expect((await w.request('session.ping', {})).ok).toBe(true);
    expect((await w.request('media.getRouterRtpCapabilities', {})).ok).toBe(true);
    await w.call('checklist.submit', { status: { steps: { camera: 'passed' }, complete: false } });
    const seen = await host.waitFor('waitingRoom.changed', (d) =>
      d.waiting.some((x: { id: string; checklist?: unknown }) => x.id === 'client-w' && x.checklist),
    );
    expect(seen.waiting[0].checklist.steps).toEqual({ camera: 'passed', network: 'pending' });

    // Every frame W received is a response to its own request, or the hosts to seal its checklist
    // answers to (ids and public keys, no names).
    expect(w.frames.length).toBeGreaterThan(0);
    for (const f of w.frames) if (f.method !== undefined) expect(f.method, JSON.stringify(f)).toBe('checklist.hosts');
    expect(w.notifications('checklist.hosts').at(-1)?.data).toEqual({
      hosts: [{ participantId: 'host-1', identityKey: SAMPLE_REQUESTS['e2ee.publishKey'].identityKey }],
    });
    for (const text of w.raw) {
      expect(text).not.toContain('Alice Inside');
      expect(text).not.toContain('hello inside');
      expect(text).not.toContain(cam.producerId);
      expect(text).not.toContain('client-a');
    }

    // Once admitted, W learns who is inside and what is published.
    await host.call('host.admit', { participantId: 'client-w' });
    const wAdmitted = await w.waitFor('session.admitted');
    expect(wAdmitted.participants.map((p: { id: string }) => p.id).sort()).toEqual(['client-a', 'host-1']);
    expect(wAdmitted.producers.map((p: { producerId: string }) => p.producerId)).toEqual([cam.producerId]);
    expect(wAdmitted.resumeTicket.length).toBeGreaterThanOrEqual(22);
    expect((await w.request('media.createTransport', { direction: 'recv' })).ok).toBe(true);
  });

  it("tells waiting guests the hosts' names and credentials lines: in the join result, then session.hosts on each change", async () => {
    const sid = ts.createSession({ maxParticipants: 6 });
    // A client waits before any host is there.
    const { client: w, result: wr } = await ts.join(sid, 'client-w', 'client', 'Walter Waiting');
    expect(wr.state).toBe('waiting');
    expect(wr.sessionHosts).toEqual([]);
    const hostToken = await mintJoinToken(
      { sid, pid: 'host-1', role: 'host', name: 'Dr. Ada Lovelace', cred: 'Licensed clinical\tpsychologist <b>x</b>\u202e' },
      { hs256Secret: TEST_SECRET, ttlS: 600 },
    );
    const h1 = await ts.connect();
    await h1.call('session.join', { token: hostToken, e2ee: true });
    const first = await w.waitFor('session.hosts', (d) => d.hosts.length === 1);
    // Cleaned like a display name (controls gone), and relayed as the text it is.
    expect(first.hosts).toEqual([
      { participantId: 'host-1', displayName: 'Dr. Ada Lovelace', credentials: 'Licensed clinical psychologist <b>x</b>' },
    ]);
    // A second host arrives: both; a guest arriving now gets both in its join result.
    const { client: h2 } = await ts.join(sid, 'host-2', 'host', 'Bo Co-Therapist');
    const both = await w.waitFor('session.hosts', (d) => d.hosts.length === 2);
    expect(both.hosts.map((h: { displayName: string }) => h.displayName)).toEqual(['Dr. Ada Lovelace', 'Bo Co-Therapist']);
    const { result: lr } = await ts.join(sid, 'client-late', 'co-client');
    expect(lr.sessionHosts).toEqual(both.hosts);
    // A host leaves: the list shrinks. Admitted guests never get session.hosts.
    await h2.call('session.leave', {});
    await vi.waitFor(() => expect(w.notifications('session.hosts')).toHaveLength(3), { timeout: 10_000, interval: 20 });
    expect(w.notifications('session.hosts').at(-1)?.data).toEqual({ hosts: first.hosts });
    await h1.call('host.admit', { participantId: 'client-w' });
    await w.waitFor('session.admitted');
    const { client: h3 } = await ts.join(sid, 'host-3', 'host', 'Cy Third');
    await h1.waitFor('participant.joined', (d) => d.id === 'host-3');
    expect(w.notifications('session.hosts')).toHaveLength(3);
    h3.drop();
    // Names and credentials lines never reach the log.
    for (const line of ts.logLines) {
      for (const secret of ['Ada Lovelace', 'psychologist', 'Bo Co-Therapist', 'Walter']) expect(line).not.toContain(secret);
    }
  });

  it('refuses every host action from every non-host role and leaves state unchanged', async () => {
    const guests: Role[] = ['client', 'co-client', 'guardian', 'interpreter', 'observer'];
    const sid = ts.createSession({ maxParticipants: 12 });
    const { client: host } = await ts.join(sid, 'host-1', 'host');
    const others: TestClient[] = [];
    for (const role of guests) {
      const { client } = await ts.join(sid, `g-${role}`, role);
      others.push(client);
    }
    // One of each role stays waiting too.
    const waiting: TestClient[] = [];
    for (const role of guests) waiting.push((await ts.join(sid, `w-${role}`, role)).client);
    for (const role of guests) await host.call('host.admit', { participantId: `g-${role}` });
    const data = (m: string): unknown => {
      const d = (SAMPLE_REQUESTS as Record<string, unknown>)[m];
      return d && typeof d === 'object' && 'participantId' in d ? { ...d, participantId: 'w-client' } : d;
    };
    const before = JSON.stringify({
      rec: ts.server.registry.get(sid),
      ids: roomsOf(ts.server)
        .get(sid)
        ?.participants()
        .map((p) => [p.id, p.state]),
    });
    for (const c of [...others, ...waiting]) {
      for (const m of HOST_METHODS) {
        const r = await c.request(m, data(m));
        expect(r.ok, m).toBe(false);
        if (!r.ok) expect(r.error.code, m).toBe('NOT_ALLOWED');
      }
    }
    const after = JSON.stringify({
      rec: ts.server.registry.get(sid),
      ids: roomsOf(ts.server)
        .get(sid)
        ?.participants()
        .map((p) => [p.id, p.state]),
    });
    expect(after).toBe(before);
    expect(ts.server.registry.isBarred(sid, 'w-client')).toBe(false);
    // Observers cannot publish.
    const obs = others[guests.indexOf('observer')] as TestClient;
    const t = await obs.call('media.createTransport', { direction: 'send' });
    const r = await obs.request('media.produce', { ...SAMPLE_REQUESTS['media.produce'], transportId: t.transportId });
    expect(r.ok ? 'ok' : r.error.code).toBe('NOT_ALLOWED');
    expect(ts.engine.stats.producers).toBe(0);
  });

  it('holds the lock and max participants under 20 concurrent joins', async () => {
    const sid = ts.createSession({ maxParticipants: 5 });
    const { client: host } = await ts.join(sid, 'host-1', 'host');
    await host.call('host.lock', {});
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => ts.token(sid, `c${i}`, 'client')));
    const conns = await Promise.all(tokens.map(() => ts.connect()));
    const locked = await Promise.all(conns.map((c, i) => c.request('session.join', { token: tokens[i], e2ee: true })));
    expect(locked.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(Array(20).fill('SESSION_LOCKED'));
    expect(roomsOf(ts.server).get(sid)?.participants().length).toBe(1);

    await host.call('host.unlock', {});
    const conns2 = await Promise.all(tokens.map(() => ts.connect()));
    const results = await Promise.all(conns2.map((c, i) => c.request('session.join', { token: tokens[i], e2ee: true })));
    const codes = results.map((r) => (r.ok ? r.data.state : r.error.code));
    expect(codes.filter((c) => c === 'waiting')).toHaveLength(4);
    expect(codes.filter((c) => c === 'SESSION_FULL')).toHaveLength(16);
    expect(roomsOf(ts.server).get(sid)?.participants().length).toBe(5);

    // Without a waiting room, too.
    const sid2 = ts.createSession({ maxParticipants: 3, waitingRoom: false });
    const tokens2 = await Promise.all(Array.from({ length: 20 }, (_, i) => ts.token(sid2, `d${i}`, 'client')));
    const conns3 = await Promise.all(tokens2.map(() => ts.connect()));
    const r3 = await Promise.all(conns3.map((c, i) => c.request('session.join', { token: tokens2[i], e2ee: true })));
    expect(r3.filter((r) => r.ok && r.data.state === 'joined')).toHaveLength(3);
    expect(roomsOf(ts.server).get(sid2)?.participants().length).toBe(3);
  });

  it('makes removal and denial stick: token, new token and resume ticket are all refused', async () => {
    const sid = ts.createSession();
    const { client: host } = await ts.join(sid, 'host-1', 'host');
    const { client: c } = await ts.join(sid, 'client-1', 'client');
    await host.call('host.admit', { participantId: 'client-1' });
    const { resumeTicket } = await c.waitFor('session.admitted');
    await publishCam(c);
    expect(ts.engine.stats.producers).toBe(1);
    await host.call('host.remove', { participantId: 'client-1' });
    await c.waitFor('session.removed');
    expect((await c.closed).code).toBe(4003);
    expect(ts.engine.stats.producers).toBe(0);
    expect(ts.engine.stats.transports).toBe(0);
    const left = await host.waitFor('participant.left');
    expect(left).toEqual({ participantId: 'client-1', reason: 'removed' });

    const again = await ts.connect();
    const r1 = await again.request('session.join', { token: await ts.token(sid, 'client-1', 'client'), e2ee: true });
    expect(r1.ok ? 'ok' : r1.error.code).toBe('INVALID_TOKEN');
    expect((await again.closed).code).toBe(1008);
    const again2 = await ts.connect();
    const r2 = await again2.request('session.resume', { ticket: resumeTicket });
    expect(r2.ok ? 'ok' : r2.error.code).toBe('INVALID_TOKEN');

    // Denial.
    const { client: d } = await ts.join(sid, 'client-2', 'client');
    await host.call('host.deny', { participantId: 'client-2' });
    await d.waitFor('session.denied');
    expect((await d.closed).code).toBe(4004);
    const again3 = await ts.connect();
    const r3 = await again3.request('session.join', { token: await ts.token(sid, 'client-2', 'client'), e2ee: true });
    expect(r3.ok ? 'ok' : r3.error.code).toBe('INVALID_TOKEN');
    expect(ts.server.registry.isBarred(sid, 'client-2')).toBe(true);
  });

  it('reattaches a dropped participant within the grace window and times it out after', async () => {
    const sid = ts.createSession();
    const { client: host } = await ts.join(sid, 'host-1', 'host');
    const { client: c } = await ts.join(sid, 'client-1', 'client');
    await host.call('host.admit', { participantId: 'client-1' });
    const { resumeTicket } = await c.waitFor('session.admitted');
    const cam = await publishCam(c);
    c.drop();
    const rec = await host.waitFor('participant.updated', (d) => d.id === 'client-1' && d.connection === 'reconnecting');
    expect(rec.displayName).toBe('Name client-1');
    const c2 = await ts.connect();
    const res = await c2.call('session.resume', { ticket: resumeTicket });
    expect(res.participantId).toBe('client-1');
    expect(res.state).toBe('joined');
    expect(res.resumeTicket).not.toBe(resumeTicket);
    await host.waitFor('participant.updated', (d) => d.id === 'client-1' && d.connection === 'connected');
    expect(host.notifications('participant.left')).toHaveLength(0);
    // The producer survived the drop.
    expect(
      roomsOf(ts.server)
        .get(sid)
        ?.media.producers()
        .map((p) => p.producerId),
    ).toEqual([cam.producerId]);
    // The old ticket was consumed.
    const c3 = await ts.connect();
    expect((await c3.request('session.resume', { ticket: resumeTicket })).ok).toBe(false);

    // Drop again and stay away: the grace window (2 s in tests) ends with participant.left timeout.
    c2.drop();
    const left = await host.waitFor('participant.left', () => true, 8000);
    expect(left).toEqual({ participantId: 'client-1', reason: 'timeout' });
    expect(ts.engine.stats.producers).toBe(0);
    const c4 = await ts.connect();
    expect((await c4.request('session.resume', { ticket: res.resumeTicket as string })).ok).toBe(false);
  });

  it('relays chat once per id and acknowledges a re-send with the same id', async () => {
    const sid = ts.createSession({ waitingRoom: false });
    const { client: a } = await ts.join(sid, 'a', 'host');
    const { client: b } = await ts.join(sid, 'b', 'client');
    const ack1 = await a.call('chat.send', { id: 'msg-1', seq: 1, body: 'c2VhbGVk', keys: [{ to: 'b', key: 'a2V5' }] });
    const ack2 = await a.call('chat.send', { id: 'msg-1', seq: 1, body: 'b3RoZXI', keys: [{ to: 'b', key: 'a2V5' }] });
    expect(ack2).toEqual(ack1);
    await b.waitFor('chat.message');
    await a.call('session.ping', {});
    await b.call('session.ping', {});
    expect(b.notifications('chat.message')).toHaveLength(1);
    expect(b.notifications('chat.message')[0]?.data).toEqual({
      id: 'msg-1',
      from: 'a',
      seq: 1,
      at: ack1.at,
      body: 'c2VhbGVk',
      key: 'a2V5',
    });
  });

  it('relays a sealed chat message only to the recipients it names, each with its own key; 4 KiB per recipient', async () => {
    const sid = ts.createSession({ waitingRoom: false });
    const { client: a } = await ts.join(sid, 'a', 'host');
    const { client: b } = await ts.join(sid, 'b', 'client');
    const { client: c } = await ts.join(sid, 'c', 'client');
    // To b only (twice in the list: relayed once); c is not named and gets nothing; unknown ids are skipped.
    await a.call('chat.send', {
      id: 'to-b',
      seq: 1,
      body: 'Ym9keQ',
      keys: [
        { to: 'b', key: 'a2V5Yg' },
        { to: 'b', key: 'a2V5Yg' },
        { to: 'nobody', key: 'a2V5bg' },
      ],
    });
    // To both, each with its own wrapped key.
    await a.call('chat.send', {
      id: 'to-bc',
      seq: 2,
      body: 'Ym9keTI',
      keys: [
        { to: 'b', key: 'Yg' },
        { to: 'c', key: 'Yw' },
      ],
    });
    await b.waitFor('chat.message', (d) => d.id === 'to-bc');
    await c.waitFor('chat.message', (d) => d.id === 'to-bc');
    await Promise.all([a.call('session.ping', {}), b.call('session.ping', {}), c.call('session.ping', {})]);
    expect(b.notifications('chat.message').map((n) => [n.data.id, n.data.key])).toEqual([
      ['to-b', 'a2V5Yg'],
      ['to-bc', 'Yg'],
    ]);
    expect(c.notifications('chat.message').map((n) => [n.data.id, n.data.key])).toEqual([['to-bc', 'Yw']]);

    // Exactly 4096 decoded bytes for one recipient passes; one byte more is PAYLOAD_TOO_LARGE, relayed to nobody.
    const key = Buffer.alloc(88, 7).toString('base64');
    const fits = Buffer.alloc(4096 - 88, 1).toString('base64');
    const over = Buffer.alloc(4097 - 88, 1).toString('base64');
    await a.call('chat.send', { id: 'fits', seq: 3, body: fits, keys: [{ to: 'b', key }] });
    const r = await a.request('chat.send', { id: 'over', seq: 4, body: over, keys: [{ to: 'b', key }] });
    expect(r.ok ? 'ok' : r.error.code).toBe('PAYLOAD_TOO_LARGE');
    // The refused id was not remembered: a smaller message under it is relayed.
    await a.call('chat.send', { id: 'over', seq: 4, body: 'c21hbGw', keys: [{ to: 'b', key }] });
    await b.waitFor('chat.message', (d) => d.id === 'over');
    expect(b.notifications('chat.message').map((n) => n.data.id)).toEqual(['to-b', 'to-bc', 'fits', 'over']);
    expect(b.notifications('chat.message').find((n) => n.data.id === 'over')?.data.body).toBe('c21hbGw');

    // The pair channel: one opaque message to one admitted peer.
    await b.call('chat.relay', { to: 'c', type: 'commit', payload: 'AAEC' });
    expect(await c.waitFor('chat.control')).toEqual({ from: 'b', type: 'commit', payload: 'AAEC' });
    const nf = await b.request('chat.relay', { to: 'zz', type: 'reveal', payload: 'AAEC' });
    expect(nf.ok ? 'ok' : nf.error.code).toBe('NOT_FOUND');
  });

  it('validates media parameters before the engine and maps engine failures to MEDIA_ERROR', async () => {
    const sid = ts.createSession({ waitingRoom: false });
    const { client: a } = await ts.join(sid, 'a', 'host');
    const t = await a.call('media.createTransport', { direction: 'send' });
    const calls = ts.engine.stats.calls;
    const produce = (over: Record<string, unknown>) =>
      a.request('media.produce', {
        transportId: t.transportId,
        kind: 'video',
        rtpParameters: SAMPLE_RTP_PARAMETERS,
        source: 'cam',
        e2ee: true,
        ...over,
      });
    const code = async (p: Promise<{ ok: boolean; error?: { code: string } }>) => {
      const r = await p;
      return r.ok ? 'ok' : r.error?.code;
    };
    expect(await code(produce({ e2ee: false }))).toBe('E2EE_REQUIRED');
    const h264 = {
      ...SAMPLE_RTP_PARAMETERS,
      codecs: [{ mimeType: 'video/H264', payloadType: 102, clockRate: 90000, parameters: { 'packetization-mode': 1 } }],
    };
    expect(await code(produce({ rtpParameters: h264 }))).toBe('UNSUPPORTED_CODEC');
    expect(await code(produce({ kind: 'audio', source: 'mic' }))).toBe('UNSUPPORTED_CODEC');
    const dupSsrc = { ...SAMPLE_RTP_PARAMETERS, encodings: [{ ssrc: 5, rtx: { ssrc: 5 } }] };
    expect(await code(produce({ rtpParameters: dupSsrc }))).toBe('INVALID_MESSAGE');
    const badPt = { ...SAMPLE_RTP_PARAMETERS, codecs: [{ ...SAMPLE_RTP_PARAMETERS.codecs[0], payloadType: 72 }] };
    expect(await code(produce({ rtpParameters: badPt }))).toBe('INVALID_MESSAGE');
    expect(await code(produce({ source: 'screen', rtpParameters: SAMPLE_RTP_PARAMETERS }))).toBe('ok');
    expect(
      await code(
        a.request('media.connectTransport', {
          transportId: t.transportId,
          dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD' }] },
        }),
      ),
    ).toBe('INVALID_MESSAGE');
    expect(ts.engine.stats.calls).toBe(calls + 1);
    ts.engine.failNext = true;
    expect(await code(produce({}))).toBe('MEDIA_ERROR');
    // Audio-level extension is stripped in 1:1 rooms only.
    expect(await code(produce({ kind: 'audio', source: 'mic', rtpParameters: AUDIO_RTP }))).toBe('ok');
    const caps = await a.call('media.getRouterRtpCapabilities', {});
    expect(JSON.stringify(caps)).toContain('ssrc-audio-level');
    const sid2 = ts.createSession({ waitingRoom: false, maxParticipants: 2 });
    const { client: b } = await ts.join(sid2, 'b', 'host');
    const caps2 = await b.call('media.getRouterRtpCapabilities', {});
    expect(JSON.stringify(caps2)).not.toContain('ssrc-audio-level');
    expect(JSON.stringify(ts.engine.routerCodecs.at(-1))).not.toMatch(/H264/i);
    // The session still works after all of it.
    expect((await a.request('session.ping', {})).ok).toBe(true);
  });

  it('consumes across participants and tells consumers when a producer closes', async () => {
    const sid = ts.createSession({ waitingRoom: false });
    const { client: a } = await ts.join(sid, 'a', 'host');
    const { client: b } = await ts.join(sid, 'b', 'client');
    const cam = await publishCam(a);
    const added = await b.waitFor('media.producerAdded');
    expect(added).toMatchObject({ producerId: cam.producerId, participantId: 'a', kind: 'video', source: 'cam' });
    const rt = await b.call('media.createTransport', { direction: 'recv' });
    const bad = await b.request('media.consume', {
      transportId: rt.transportId,
      producerId: cam.producerId,
      rtpCapabilities: { codecs: [RECV_CAPS.codecs[0]] },
    });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('CANNOT_CONSUME');
    const c = await b.call('media.consume', { transportId: rt.transportId, producerId: cam.producerId, rtpCapabilities: RECV_CAPS });
    expect(c.paused).toBe(true);
    await b.call('media.resumeConsumer', { consumerId: c.consumerId });
    expect(ts.engine.forwardingConsumers()).toBe(1);
    await ts.server.faults?.pauseForwarding(sid, 'b', true);
    expect(ts.engine.forwardingConsumers()).toBe(0);
    await ts.server.faults?.pauseForwarding(sid, 'b', false);
    expect(ts.engine.forwardingConsumers()).toBe(1);
    await b.call('media.requestKeyFrame', { producerId: cam.producerId });
    await b.call('media.requestKeyFrame', { producerId: cam.producerId });
    expect(await a.waitFor('media.keyFrameRequested')).toEqual({ producerId: cam.producerId });
    await a.call('session.ping', {});
    expect(a.notifications('media.keyFrameRequested')).toHaveLength(1);
    await a.call('media.closeProducer', { producerId: cam.producerId });
    await b.waitFor('media.consumerClosed', (d) => d.consumerId === c.consumerId);
    await b.waitFor('media.producerClosed', (d) => d.producerId === cam.producerId);
    expect(ts.server.faults?.dropTransports(sid, 'b')).toBe(1);
    await b.waitFor('media.transportClosed', (d) => d.transportId === rt.transportId);
  });
});
