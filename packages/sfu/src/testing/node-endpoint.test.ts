import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Router, type Worker } from '../index.js';
import { RtpHeaderView, buildPli, isVp8KeyFrame, parseRtcpCompound, parseRtpHeader } from '../rtp/index.js';
import type { RtpParameters } from '../types/index.js';
import { NodeEndpoint } from './node-endpoint.js';
import { Vp8Generator } from './vp8-generator.js';

describe('Vp8Generator', () => {
  it('produces VP8 packets at the target rate with key frames every N frames', () => {
    const gen = new Vp8Generator({ ssrc: 1234, keyFrameInterval: 10, bitrate: 2_500_000, fps: 30 });
    const h = new RtpHeaderView();
    let bytes = 0;
    let keys = 0;
    let lastSeq = -1;
    for (let f = 0; f < 30; f++) {
      const packets = gen.nextFrame();
      packets.forEach((p, i) => {
        expect(parseRtpHeader(p, h)).toBe(true);
        expect(h.ssrc).toBe(1234);
        expect(h.marker).toBe(i === packets.length - 1);
        if (lastSeq >= 0) expect(h.sequenceNumber).toBe((lastSeq + 1) & 0xffff);
        lastSeq = h.sequenceNumber;
        bytes += h.payloadLength;
        if (isVp8KeyFrame(p, h.payloadOffset, h.payloadLength)) keys++;
        expect(p.length).toBeLessThanOrEqual(1200);
      });
    }
    expect(keys).toBe(3);
    // One second of 30 frames ≈ 2.5 Mbit/s (±5 %; VP8 descriptors add a little).
    expect(bytes * 8).toBeGreaterThan(2_500_000 * 0.95);
    expect(bytes * 8).toBeLessThan(2_500_000 * 1.05);
    gen.requestKeyFrame();
    const next = gen.nextFrame()[0]!;
    parseRtpHeader(next, h);
    expect(isVp8KeyFrame(next, h.payloadOffset, h.payloadLength)).toBe(true);
    expect(gen.packetsPerSecond).toBeGreaterThan(200);
  });

  it('adds MID and abs-send-time extensions', () => {
    const gen = new Vp8Generator({ ssrc: 1, mid: { id: 9, value: '0' }, absSendTimeId: 2 });
    const p = gen.nextFrame()[0]!;
    const h = new RtpHeaderView();
    expect(parseRtpHeader(p, h)).toBe(true);
    expect(h.extensionProfile).toBe(0xbede);
    expect(p[h.extensionOffset]).toBe((9 << 4) | 0);
    expect(p[h.extensionOffset + 1]).toBe('0'.charCodeAt(0));
    expect(p[h.extensionOffset + 2]! >> 4).toBe(2);
  });
});

describe('NodeEndpoint against the engine', () => {
  let worker: Worker;
  let router: Router;

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
  });
  afterAll(() => worker?.close());

  it('connects with ICE + DTLS, publishes VP8 and receives the forwarded stream with rewritten SSRC/PT', async () => {
    const sendTransport = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'] } as never);
    const recvTransport = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'] } as never);
    const publisher = await NodeEndpoint.create(sendTransport);
    const subscriber = await NodeEndpoint.create(recvTransport);
    try {
      expect(publisher.dtlsParameters.role).toBe('client');
      expect(publisher.dtlsParameters.fingerprints[0]!.value).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
      await sendTransport.connect({ dtlsParameters: publisher.dtlsParameters });
      await recvTransport.connect({ dtlsParameters: subscriber.dtlsParameters });
      await Promise.all([publisher.connect(), subscriber.connect()]);
      expect(publisher.connected).toBe(true);
      expect([1, 7]).toContain(publisher.srtpProfile);

      const gen = new Vp8Generator({ ssrc: 11223344, payloadType: 96, keyFrameInterval: 30 });
      const rtpParameters: RtpParameters = {
        codecs: [
          {
            mimeType: 'video/VP8',
            payloadType: 96,
            clockRate: 90000,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
          },
        ],
        encodings: [{ ssrc: 11223344 }],
        rtcp: { cname: 'bench' },
      };
      const producer = await sendTransport.produce({ kind: 'video', rtpParameters });
      const consumer = await recvTransport.consume({
        producerId: producer.id,
        rtpCapabilities: router.rtpCapabilities,
        paused: true,
      });
      const expectedSsrc = consumer.rtpParameters.encodings![0]!.ssrc;
      const expectedPt = consumer.rtpParameters.codecs[0]!.payloadType;

      const h = new RtpHeaderView();
      let received = 0;
      let keyFrames = 0;
      let wrong = 0;
      subscriber.onRtp = (p) => {
        if (!parseRtpHeader(p, h) || h.ssrc !== expectedSsrc || h.payloadType !== expectedPt) {
          wrong++;
          return;
        }
        received++;
        if (isVp8KeyFrame(p, h.payloadOffset, h.payloadLength)) keyFrames++;
      };
      let plis = 0;
      publisher.onRtcp = (buf) => {
        for (const r of parseRtcpCompound(buf).packets) {
          if (r.type === 'pli' || r.type === 'fir') {
            plis++;
            gen.requestKeyFrame();
          }
        }
      };
      await consumer.resume();
      const stop = gen.startPacing((p) => publisher.sendRtp(p));
      await new Promise((r) => setTimeout(r, 1500));
      stop();
      // Also send RTCP from the subscriber: a PLI for the consumer's SSRC is accepted.
      subscriber.sendRtcp(buildPli(1, expectedSsrc!));
      await new Promise((r) => setTimeout(r, 200));

      expect(wrong).toBe(0);
      expect(received).toBeGreaterThan(gen.packets * 0.5);
      expect(keyFrames).toBeGreaterThanOrEqual(1);
      expect(subscriber.stats.decryptErrors).toBe(0);
      expect(publisher.stats.stunResponses).toBeGreaterThanOrEqual(1);
      expect(plis).toBeGreaterThanOrEqual(1);
    } finally {
      publisher.close();
      subscriber.close();
    }
  }, 30_000);

  it('rejects a server whose certificate does not match the signalled fingerprint', async () => {
    const transport = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'] } as never);
    const wrong = {
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: { role: 'auto' as const, fingerprints: [{ algorithm: 'sha-256' as const, value: `${'AA:'.repeat(31)}AA` }] },
    };
    const ep = await NodeEndpoint.create(wrong);
    try {
      await transport.connect({ dtlsParameters: ep.dtlsParameters });
      await expect(ep.connect({ timeoutMs: 5000 })).rejects.toThrow(/fingerprint/);
    } finally {
      ep.close();
    }
  }, 15_000);

  it('times out ICE against a wrong password', async () => {
    const transport = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'] } as never);
    const ep = await NodeEndpoint.create({
      iceParameters: { ...transport.iceParameters, password: 'wrong-password-xxxxxxxx' },
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    });
    try {
      await expect(ep.connect({ timeoutMs: 600 })).rejects.toThrow(/ICE/);
    } finally {
      ep.close();
    }
  });
});
