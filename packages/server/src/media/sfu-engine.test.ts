import { afterEach, describe, expect, it } from 'vitest';
import { SAMPLE_RTP_PARAMETERS } from '@alcove/protocol';
import { startTestServer, type TestServer } from '../signaling/testing/harness.js';
import { createSfuWorker } from './sfu-engine.js';

let ts: TestServer | undefined;
afterEach(async () => {
  // close() also fails the test if any frame was off the protocol schema.
  await ts?.close();
  ts = undefined;
});

const DTLS = { role: 'client' as const, fingerprints: [{ algorithm: 'sha-256' as const, value: Array.from({ length: 32 }, () => '5E').join(':') }] };

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
    const { producerId } = await a.call('media.produce', { transportId: send.transportId, kind: 'video', rtpParameters: SAMPLE_RTP_PARAMETERS, source: 'cam', e2ee: true });
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
});
