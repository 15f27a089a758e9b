import { afterEach, describe, expect, it } from 'vitest';
import { NETWORK_TEST_LIMITS } from '@alcove/protocol';
import { SAMPLE_RTP_PARAMETERS } from '@alcove/protocol/fixtures';
import { waitFor } from '@alcove/testing';
import { roomsOf } from '../server.js';
import { startTestServer, type TestServer } from '../signaling/testing/harness.js';

let ts: TestServer | undefined;
afterEach(async () => {
  await ts?.close();
  ts = undefined;
});

const DTLS = {
  role: 'client' as const,
  fingerprints: [{ algorithm: 'sha-256' as const, value: Array.from({ length: 32 }, () => '3C').join(':') }],
};
const code = (r: { ok: boolean; error?: { code: string } }): string => (r.ok ? 'ok' : (r.error?.code ?? '?'));

describe('network test', () => {
  it('runs on a router of its own while waiting: transports, probe consumed unpaused, stats, end', async () => {
    ts = await startTestServer();
    const sid = ts.createSession({ checklist: { steps: ['network'] } });
    const { client: host } = await ts.join(sid, 'h', 'host');
    const { client: w, result } = await ts.join(sid, 'w', 'client');
    expect(result.state).toBe('waiting');
    const room = roomsOf(ts.server).get(sid);
    const routersBefore = ts.engine.stats.routers;
    const roomCodecs = ts.engine.routerCodecs[0];

    const t = await w.call('network.testStart', {});
    expect(t.timeoutMs).toBe(NETWORK_TEST_LIMITS.serverTimeoutMs);
    expect(ts.engine.stats.routers).toBe(routersBefore + 1);
    expect(ts.engine.routerCodecs.at(-1)).toEqual(roomCodecs);
    expect(t.send.transportId).not.toBe(t.recv.transportId);
    expect(room?.media.counts).toEqual({ transports: 0, producers: 0, consumers: 0 });

    await w.call('network.testConnect', { testId: t.testId, transportId: t.send.transportId, dtlsParameters: DTLS });
    await w.call('network.testConnect', { testId: t.testId, transportId: t.recv.transportId, dtlsParameters: DTLS });
    const probe = await w.call('network.testProduce', {
      testId: t.testId,
      kind: 'video',
      rtpParameters: SAMPLE_RTP_PARAMETERS,
      rtpCapabilities: t.rtpCapabilities,
    });
    expect(probe.kind).toBe('video');
    expect(ts.engine.consumers.get(probe.consumerId)?.forwarding).toBe(true);
    // The room never sees the probe: no producer event, no counts.
    expect(host.notifications('media.producerAdded')).toHaveLength(0);
    expect(room?.media.producers()).toEqual([]);
    expect(room?.media.counts).toEqual({ transports: 0, producers: 0, consumers: 0 });

    expect(await w.call('network.testStats', { testId: t.testId })).toEqual({
      packetsReceived: 0,
      packetsLost: 0,
      bytesReceived: 0,
      jitterMs: 0,
    });
    Object.assign(ts.engine.producers.get(probe.producerId)?.inbound ?? {}, {
      packetCount: 500,
      byteCount: 400_000,
      packetsLost: 7,
      jitter: 900,
    });
    expect(await w.call('network.testStats', { testId: t.testId })).toEqual({
      packetsReceived: 500,
      packetsLost: 7,
      bytesReceived: 400_000,
      jitterMs: 10,
    });

    await w.call('network.testEnd', { testId: t.testId });
    expect(ts.engine.stats.routers).toBe(routersBefore);
    expect(ts.engine.stats.producers + ts.engine.stats.consumers).toBe(0);
    expect(code(await w.request('network.testStats', { testId: t.testId }))).toBe('NOT_FOUND');
    // Hosts may test too.
    const ht = await host.call('network.testStart', {});
    expect(ts.engine.stats.routers).toBe(routersBefore + 1);
    await host.call('network.testEnd', { testId: ht.testId });
    expect(ts.engine.stats.routers).toBe(routersBefore);
  });

  it('checks what it is given and whose test it is', async () => {
    ts = await startTestServer();
    const sid = ts.createSession();
    const { client: a } = await ts.join(sid, 'a', 'host');
    const { client: b } = await ts.join(sid, 'b', 'client');
    const t = await a.call('network.testStart', {});
    const calls = ts.engine.stats.calls;
    expect(code(await b.request('network.testStats', { testId: t.testId }))).toBe('NOT_FOUND');
    expect(code(await b.request('network.testEnd', { testId: t.testId }))).toBe('NOT_FOUND');
    expect(code(await a.request('network.testConnect', { testId: t.testId, transportId: 'elsewhere', dtlsParameters: DTLS }))).toBe(
      'NOT_FOUND',
    );
    const shortFp = { fingerprints: [{ algorithm: 'sha-256' as const, value: 'AB:CD' }] };
    expect(
      code(await a.request('network.testConnect', { testId: t.testId, transportId: t.send.transportId, dtlsParameters: shortFp })),
    ).toBe('INVALID_MESSAGE');
    const h264 = {
      ...SAMPLE_RTP_PARAMETERS,
      codecs: [{ mimeType: 'video/H264', payloadType: 102, clockRate: 90000, parameters: { 'packetization-mode': 1 } }],
    };
    expect(
      code(
        await a.request('network.testProduce', {
          testId: t.testId,
          kind: 'video',
          rtpParameters: h264,
          rtpCapabilities: t.rtpCapabilities,
        }),
      ),
    ).toBe('UNSUPPORTED_CODEC');
    expect(
      code(
        await a.request('network.testProduce', {
          testId: t.testId,
          kind: 'video',
          rtpParameters: SAMPLE_RTP_PARAMETERS,
          rtpCapabilities: { codecs: [] },
        }),
      ),
    ).toBe('CANNOT_CONSUME');
    expect(ts.engine.stats.producers).toBe(0);
    expect(ts.engine.stats.calls).toBe(calls + 1); // the probe that could not be consumed (closed again)
    await a.call('network.testProduce', {
      testId: t.testId,
      kind: 'video',
      rtpParameters: SAMPLE_RTP_PARAMETERS,
      rtpCapabilities: t.rtpCapabilities,
    });
    expect(
      code(
        await a.request('network.testProduce', {
          testId: t.testId,
          kind: 'video',
          rtpParameters: SAMPLE_RTP_PARAMETERS,
          rtpCapabilities: t.rtpCapabilities,
        }),
      ),
    ).toBe('INVALID_STATE');
    ts.engine.failNext = true;
    const t2 = await a.call('network.testStart', {});
    expect(
      code(
        await a.request('network.testProduce', {
          testId: t2.testId,
          kind: 'video',
          rtpParameters: SAMPLE_RTP_PARAMETERS,
          rtpCapabilities: t2.rtpCapabilities,
        }),
      ),
    ).toBe('MEDIA_ERROR');
    expect((await a.request('session.ping', {})).ok).toBe(true);
  });

  it('keeps one test per participant, at most 5 a session, and closes on timeout, leave and end', async () => {
    ts = await startTestServer({ live: { networkTestLimits: { timeoutMs: 300 } } });
    const sid = ts.createSession();
    const { client: host } = await ts.join(sid, 'h', 'host');
    const { client: w } = await ts.join(sid, 'w', 'client');
    const base = ts.engine.stats.routers;
    const first = await w.call('network.testStart', {});
    const second = await w.call('network.testStart', {});
    expect(ts.engine.stats.routers).toBe(base + 1);
    expect(code(await w.request('network.testStats', { testId: first.testId }))).toBe('NOT_FOUND');
    expect((await w.request('network.testStats', { testId: second.testId })).ok).toBe(true);
    // The server closes it by itself.
    await waitFor(
      'the test to time out',
      () => ts?.engine.stats.routers,
      (n) => n === base,
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    expect(code(await w.request('network.testStats', { testId: second.testId }))).toBe('NOT_FOUND');
    for (let i = 2; i < NETWORK_TEST_LIMITS.maxPerParticipant; i++) await w.call('network.testStart', {});
    expect(code(await w.request('network.testStart', {}))).toBe('RATE_LIMITED');
    // Another participant has its own allowance; leaving closes its test.
    const { client: w2 } = await ts.join(sid, 'w2', 'client');
    await w2.call('network.testStart', {});
    const withW2 = ts.engine.stats.routers;
    await w2.call('session.leave', {});
    await waitFor(
      "the leaver's test to close",
      () => ts?.engine.stats.routers,
      (n) => n === withW2 - 1,
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    // The room's end closes the rest.
    await host.call('network.testStart', {});
    expect(ts.engine.stats.routers).toBeGreaterThan(base);
    await host.call('host.end', {});
    await waitFor(
      'every router to close',
      () => ts?.engine.stats.routers,
      (n) => n === base - 1,
      { timeoutMs: 10_000, intervalMs: 20 },
    );
  });
});
