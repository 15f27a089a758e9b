import { afterEach, describe, expect, it } from 'vitest';
import type { DtlsParameters } from '@alcove/protocol';
import { SAMPLE_RTP_PARAMETERS } from '@alcove/protocol/fixtures';
import { waitFor } from '@alcove/testing';
import { roomsOf } from '../server.js';
import { startTestServer, type TestServer } from '../signaling/testing/harness.js';
import { createSfuWorker } from './sfu-engine.js';

let ts: TestServer | undefined;
afterEach(async () => {
  // close() also fails the test if any frame was off the protocol schema.
  await ts?.close();
  ts = undefined;
});

const DTLS = {
  role: 'client' as const,
  fingerprints: [{ algorithm: 'sha-256' as const, value: Array.from({ length: 32 }, () => '5E').join(':') }],
};

describe('the media adapter on the real @alcove/sfu engine', () => {
  it('creates transports, produces and consumes with answers that match the protocol schemas', async () => {
    ts = await startTestServer({ createWorker: createSfuWorker });
    const sid = ts.createSession({ waitingRoom: false, maxParticipants: 2 });
    const { client: a } = await ts.join(sid, 'a', 'host');
    const { client: b } = await ts.join(sid, 'b', 'client');
    const { rtpCapabilities } = await a.call('media.getRouterRtpCapabilities', {});
    const mimes = (rtpCapabilities.codecs ?? []).map((c) => c.mimeType.toLowerCase());
    expect(mimes).toContain('video/vp8');
    expect(mimes).toContain('audio/opus');
    expect(mimes.some((m) => m.includes('h264'))).toBe(false);
    expect(JSON.stringify(rtpCapabilities)).not.toContain('ssrc-audio-level');

    const send = await a.call('media.createTransport', { direction: 'send' });
    expect(send.iceCandidates.length).toBeGreaterThan(0);
    expect(send.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
    await a.call('media.connectTransport', { transportId: send.transportId, dtlsParameters: DTLS });
    const { producerId } = await a.call('media.produce', {
      transportId: send.transportId,
      kind: 'video',
      rtpParameters: SAMPLE_RTP_PARAMETERS,
      source: 'cam',
      e2ee: true,
    });
    await b.waitFor('media.producerAdded', (d) => d.producerId === producerId);

    const recv = await b.call('media.createTransport', { direction: 'recv' });
    const consumer = await b.call('media.consume', { transportId: recv.transportId, producerId, rtpCapabilities });
    expect(consumer.kind).toBe('video');
    expect(consumer.paused).toBe(true);
    expect(consumer.rtpParameters.codecs[0]?.mimeType.toLowerCase()).toBe('video/vp8');
    await b.call('media.resumeConsumer', { consumerId: consumer.consumerId });
    const stats = await b.call('media.getTransportStats', { transportId: recv.transportId });
    expect(stats.bytesSent).toBeGreaterThanOrEqual(0);
    const ice = await b.call('media.restartIce', { transportId: recv.transportId });
    expect(ice.iceParameters.usernameFragment).not.toBe(recv.iceParameters.usernameFragment);

    // The engine refuses what the adapter cannot judge: mapped to a typed error, nothing crashes.
    const noCaps = await b.request('media.consume', { transportId: recv.transportId, producerId, rtpCapabilities: { codecs: [] } });
    expect(noCaps.ok ? 'ok' : noCaps.error.code).toBe('CANNOT_CONSUME');
    const again = await a.request('media.connectTransport', { transportId: send.transportId, dtlsParameters: DTLS });
    expect(again.ok ? 'ok' : again.error.code).toBe('MEDIA_ERROR');

    // Closing the producer reaches the consumer side.
    await a.call('media.closeProducer', { producerId });
    await b.waitFor('media.consumerClosed', (d) => d.consumerId === consumer.consumerId);
    expect(ts.server.faults?.dropTransports(sid, 'b')).toBe(1);
    await b.waitFor('media.transportClosed', (d) => d.transportId === recv.transportId);
  });

  it('runs the network test on a router of its own, with the same codecs as the room', async () => {
    ts = await startTestServer({ createWorker: createSfuWorker });
    const sid = ts.createSession({ checklist: { steps: ['network'] } });
    await ts.join(sid, 'h', 'host');
    const { client: w, result } = await ts.join(sid, 'w', 'client');
    expect(result.state).toBe('waiting');
    const room = await w.call('media.getRouterRtpCapabilities', {});
    const t = await w.call('network.testStart', {});
    const mimes = (c: typeof room.rtpCapabilities) => (c.codecs ?? []).map((x) => x.mimeType.toLowerCase()).sort();
    expect(mimes(t.rtpCapabilities)).toEqual(mimes(room.rtpCapabilities));
    expect(t.send.iceCandidates.length).toBeGreaterThan(0);
    await w.call('network.testConnect', { testId: t.testId, transportId: t.send.transportId, dtlsParameters: DTLS });
    await w.call('network.testConnect', { testId: t.testId, transportId: t.recv.transportId, dtlsParameters: DTLS });
    const probe = await w.call('network.testProduce', {
      testId: t.testId,
      kind: 'video',
      rtpParameters: SAMPLE_RTP_PARAMETERS,
      rtpCapabilities: t.rtpCapabilities,
    });
    expect(probe.rtpParameters.codecs[0]?.mimeType.toLowerCase()).toBe('video/vp8');
    const stats = await w.call('network.testStats', { testId: t.testId });
    expect(stats).toMatchObject({ packetsReceived: 0, packetsLost: 0, bytesReceived: 0 });
    await w.call('network.testEnd', { testId: t.testId });
    const after = await w.request('network.testStats', { testId: t.testId });
    expect(after.ok ? 'ok' : after.error.code).toBe('NOT_FOUND');
    expect(roomsOf(ts.server).get(sid)?.media.counts).toEqual({ transports: 0, producers: 0, consumers: 0 });
  });

  it('measures a real probe: a Node endpoint sends VP8 over ICE/DTLS/SRTP, the engine counts it and echoes it back', async () => {
    // The SFU's Node-side test endpoint and stream generator (internal to @alcove/sfu; imported by
    // path at run time so that this package's type check does not reach into another package).
    const endpointModule = new URL('../../../sfu/src/testing/node-endpoint.ts', import.meta.url).href;
    const generatorModule = new URL('../../../sfu/src/testing/vp8-generator.ts', import.meta.url).href;
    const { NodeEndpoint } = (await import(endpointModule)) as { NodeEndpoint: NodeEndpointStatic };
    const { Vp8Generator } = (await import(generatorModule)) as {
      Vp8Generator: new (o: {
        ssrc: number;
        payloadType?: number;
        bitrate?: number;
        keyFrameInterval?: number;
      }) => { startPacing(send: (p: Buffer) => void): () => void };
    };
    ts = await startTestServer({ createWorker: createSfuWorker });
    const sid = ts.createSession({ checklist: { steps: ['network'] } });
    const { client: w } = await ts.join(sid, 'w', 'client');
    const t = await w.call('network.testStart', {});
    const up = await NodeEndpoint.create(t.send);
    const down = await NodeEndpoint.create(t.recv);
    let stop: (() => void) | undefined;
    try {
      await w.call('network.testConnect', { testId: t.testId, transportId: t.send.transportId, dtlsParameters: up.dtlsParameters });
      await w.call('network.testConnect', { testId: t.testId, transportId: t.recv.transportId, dtlsParameters: down.dtlsParameters });
      await Promise.all([up.connect(), down.connect()]);
      const ssrc = 0x1234abcd;
      const rtpParameters = {
        codecs: [
          {
            mimeType: 'video/VP8',
            payloadType: 96,
            clockRate: 90000,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
          },
        ],
        encodings: [{ ssrc }],
        rtcp: { cname: 'probe' },
      };
      await w.call('network.testProduce', { testId: t.testId, kind: 'video', rtpParameters, rtpCapabilities: t.rtpCapabilities });
      let echoed = 0;
      down.onRtp = () => {
        echoed++;
      };
      stop = new Vp8Generator({ ssrc, payloadType: 96, bitrate: 300_000, keyFrameInterval: 15 }).startPacing((p) => up.sendRtp(p));
      const stats = await waitFor(
        'the engine to count the probe',
        () => w.call('network.testStats', { testId: t.testId }),
        (s) => s.packetsReceived >= 30,
        { timeoutMs: 20_000, intervalMs: 200 },
      );
      expect(stats.bytesReceived).toBeGreaterThan(stats.packetsReceived * 100);
      expect(typeof stats.jitterMs).toBe('number');
      await waitFor(
        'the probe to come back on the receive transport',
        () => echoed,
        (n) => n >= 10,
        { timeoutMs: 20_000, intervalMs: 100 },
      );
      await w.call('network.testEnd', { testId: t.testId });
    } finally {
      stop?.();
      up.close();
      down.close();
    }
  }, 60_000);
});

/** The part of the SFU's test endpoint this file uses. */
interface NodeEndpointLike {
  readonly dtlsParameters: DtlsParameters;
  onRtp: ((packet: Buffer) => void) | undefined;
  connect(): Promise<void>;
  sendRtp(packet: Buffer): void;
  close(): void;
}
interface NodeEndpointStatic {
  create(remote: { iceParameters: unknown; iceCandidates: unknown; dtlsParameters: unknown }): Promise<NodeEndpointLike>;
}
