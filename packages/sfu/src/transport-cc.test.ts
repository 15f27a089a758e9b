import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Router, type Worker } from './index.js';
import { RtpHeaderView, findHeaderExtension, parseRtcpCompound, parseRtpHeader } from './rtp/index.js';
import { TRANSPORT_CC_URI, parseTransportCcFeedback } from './rtp/transport-cc.js';
import { NodeEndpoint } from './testing/node-endpoint.js';
import { Vp8Generator } from './testing/vp8-generator.js';
import { waitFor } from '@alcove/testing';
import type { RtpParameters } from './types/index.js';

// Transport-wide congestion control towards senders, with real ICE/DTLS/SRTP from a Node endpoint.
describe('transport-wide congestion control feedback', () => {
  let worker: Worker;
  let router: Router;

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({
      mediaCodecs: [
        { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
        { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
      ],
    });
  });
  afterAll(() => worker?.close());

  it('is advertised in the router capabilities (extension and transport-cc feedback)', () => {
    const exts = router.rtpCapabilities.headerExtensions!.filter((e) => e.uri === TRANSPORT_CC_URI);
    expect(exts.map((e) => `${e.kind}:${e.direction}`).sort()).toEqual(['audio:recvonly', 'video:sendrecv']);
    for (const c of router.rtpCapabilities.codecs!) {
      if (/rtx$/.test(c.mimeType)) continue;
      expect(c.rtcpFeedback!.some((f) => f.type === 'transport-cc')).toBe(true);
    }
  });

  it('reports the arrival of every packet with a transport-wide sequence number, losses included, and numbers forwarded packets per receiving transport', async () => {
    const sendTransport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const recvTransport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const publisher = await NodeEndpoint.create(sendTransport);
    const subscriber = await NodeEndpoint.create(recvTransport);
    let stop: (() => void) | undefined;
    try {
      await sendTransport.connect({ dtlsParameters: publisher.dtlsParameters });
      await recvTransport.connect({ dtlsParameters: subscriber.dtlsParameters });
      await Promise.all([publisher.connect(), subscriber.connect()]);
      // The sender's extension id (3) differs from the router's (5), as Chromium's does.
      const gen = new Vp8Generator({ ssrc: 5551234, payloadType: 96, keyFrameInterval: 30, bitrate: 800_000, transportCcId: 3 });
      const rtpParameters: RtpParameters = {
        codecs: [
          {
            mimeType: 'video/VP8',
            payloadType: 96,
            clockRate: 90000,
            rtcpFeedback: [{ type: 'nack', parameter: 'pli' }, { type: 'transport-cc' }],
          },
        ],
        headerExtensions: [{ uri: TRANSPORT_CC_URI, id: 3 }],
        encodings: [{ ssrc: 5551234 }],
        rtcp: { cname: 'twcc' },
      };
      const producer = await sendTransport.produce({ kind: 'video', rtpParameters });
      const consumer = await recvTransport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
      const consumerTwccId = consumer.rtpParameters.headerExtensions!.find((e) => e.uri === TRANSPORT_CC_URI)?.id;
      expect(consumerTwccId).toBe(5);
      expect(consumer.rtpParameters.codecs[0]!.rtcpFeedback!.some((f) => f.type === 'transport-cc')).toBe(true);
      expect(consumer.rtpParameters.codecs[0]!.rtcpFeedback!.some((f) => f.type === 'goog-remb')).toBe(false);

      const status = new Map<number, boolean>();
      let feedbacks = 0;
      publisher.onRtcp = (buf) => {
        let off = 0;
        while (off + 4 <= buf.length) {
          const len = (buf.readUInt16BE(off + 2) + 1) * 4;
          const fb = parseTransportCcFeedback(buf.subarray(off, off + len));
          if (fb) {
            feedbacks++;
            for (const p of fb.packets) status.set(p.seq, p.received || status.get(p.seq) === true);
          }
          off += len;
        }
        for (const r of parseRtcpCompound(buf).packets) if (r.type === 'pli') gen.requestKeyFrame();
      };
      const h = new RtpHeaderView();
      const forwardedSeqs: number[] = [];
      subscriber.onRtp = (p) => {
        if (!parseRtpHeader(p, h)) return;
        const off = findHeaderExtension(p, h, consumerTwccId!);
        if (off >= 0 && h.foundLength === 2) forwardedSeqs.push(p.readUInt16BE(off));
      };
      await consumer.resume();
      stop = gen.startPacing((p) => publisher.sendRtp(p));
      // Faults only once the first packets were reported (the receiver cannot know of earlier ones).
      await waitFor(
        'first feedback',
        async () => status.size,
        (n) => n > 0,
        { intervalMs: 20, timeoutMs: 15_000 },
      );
      await sendTransport.__testing.setFaults({ dropRecvPct: 10 });
      await waitFor(
        '300 packets sent',
        async () => gen.packets,
        (n) => n >= 300,
        { intervalMs: 20, timeoutMs: 15_000 },
      );
      stop();
      stop = undefined;
      // One last frame without faults, so losses at the very end show as gaps too.
      await sendTransport.__testing.setFaults({ dropRecvPct: 0 });
      for (const p of gen.nextFrame()) publisher.sendRtp(p);
      const sent = gen.transportSeq;
      await waitFor(
        'feedback on every sent packet',
        async () => status.size,
        (n) => n >= sent,
        { intervalMs: 20, timeoutMs: 15_000 },
      );

      const [stats] = await sendTransport.getStats();
      const faultDropped = (stats!.drops as Record<string, number>).faultInjected!;
      const lost = [...status.values()].filter((r) => !r).length;
      // The packets the fault hook dropped are reported lost (a loaded loopback may lose a few more),
      // and every packet that arrived is reported received.
      expect(faultDropped).toBeGreaterThan(0);
      expect(lost).toBeGreaterThanOrEqual(faultDropped);
      expect(lost).toBeLessThanOrEqual(faultDropped + sent * 0.02);
      expect(stats!.transportCcPacketsRecorded).toBe(sent - lost);
      expect(stats!.transportCcFeedbackSent as number).toBeGreaterThanOrEqual(feedbacks);
      expect(feedbacks).toBeGreaterThan(1);

      // Forwarded packets carry the receiving transport's own consecutive sequence numbers.
      await waitFor(
        'forwarded packets',
        async () => forwardedSeqs.length,
        (n) => n > 50,
        { intervalMs: 20 },
      );
      for (let i = 1; i < forwardedSeqs.length; i++) expect(forwardedSeqs[i]).toBe((forwardedSeqs[i - 1]! + 1) & 0xffff);
    } finally {
      stop?.();
      publisher.close();
      subscriber.close();
    }
  }, 30_000);
});
