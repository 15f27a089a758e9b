import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@alcove/testing';
import { createWorker, type Router, type Worker } from './index.js';
import { RtpHeaderView, nackSequenceNumbers, parseRtcpCompound, parseRtpHeader } from './rtp/index.js';
import { NodeEndpoint } from './testing/node-endpoint.js';
import { Vp8Generator } from './testing/vp8-generator.js';
import type { RtpParameters } from './types/index.js';

// NACK towards a sender, with real ICE/DTLS/SRTP from Node endpoints: the publisher "loses" every
// 20th packet on its way out, answers the engine's NACKs with RTX (RFC 4588), and the subscriber
// gets every packet.
describe('NACK towards producers', () => {
  let worker: Worker;
  let router: Router;

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
  });
  afterAll(() => worker?.close());

  it('asks for lost packets and forwards the retransmissions (RTX decapsulated) to consumers', async () => {
    const sendTransport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const recvTransport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const publisher = await NodeEndpoint.create(sendTransport);
    const subscriber = await NodeEndpoint.create(recvTransport);
    let stop: (() => void) | undefined;
    try {
      await sendTransport.connect({ dtlsParameters: publisher.dtlsParameters });
      await recvTransport.connect({ dtlsParameters: subscriber.dtlsParameters });
      await Promise.all([publisher.connect(), subscriber.connect()]);
      const SSRC = 7770001;
      const RTX_SSRC = 7770002;
      const gen = new Vp8Generator({ ssrc: SSRC, payloadType: 96, keyFrameInterval: 30, bitrate: 600_000 });
      const rtpParameters: RtpParameters = {
        codecs: [
          {
            mimeType: 'video/VP8',
            payloadType: 96,
            clockRate: 90000,
            rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
          },
          { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
        ],
        encodings: [{ ssrc: SSRC, rtx: { ssrc: RTX_SSRC } }],
        rtcp: { cname: 'nack' },
      };
      const producer = await sendTransport.produce({ kind: 'video', rtpParameters });
      const consumer = await recvTransport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });

      const h = new RtpHeaderView();
      const sentBySeq = new Map<number, Buffer>();
      const dropped = new Set<number>();
      let rtxSeq = 1000;
      let rtxSent = 0;
      let n = 0;
      let lastDropAt = 0;
      const send = (p: Buffer): void => {
        parseRtpHeader(p, h);
        sentBySeq.set(h.sequenceNumber, p);
        if (++n % 20 === 0 && n > 40 && dropped.size < 10) {
          dropped.add(h.sequenceNumber);
          lastDropAt = n;
          return;
        }
        publisher.sendRtp(p);
      };
      const requested = new Set<number>();
      publisher.onRtcp = (buf) => {
        for (const r of parseRtcpCompound(buf).packets) {
          if (r.type === 'pli' || r.type === 'fir') gen.requestKeyFrame();
          if (r.type !== 'nack' || r.mediaSsrc !== SSRC) continue;
          for (const seq of nackSequenceNumbers(r.items)) {
            requested.add(seq);
            const orig = sentBySeq.get(seq);
            if (!orig) continue;
            parseRtpHeader(orig, h);
            // RTX: same header with the RTX PT, SSRC and sequence number; payload = OSN + original payload.
            const rtx = Buffer.alloc(orig.length + 2);
            orig.copy(rtx, 0, 0, h.payloadOffset);
            rtx[1] = (rtx[1]! & 0x80) | 97;
            rtx.writeUInt16BE(rtxSeq++ & 0xffff, 2);
            rtx.writeUInt32BE(RTX_SSRC, 8);
            rtx.writeUInt16BE(seq, h.payloadOffset);
            orig.copy(rtx, h.payloadOffset + 2, h.payloadOffset);
            publisher.sendRtp(rtx);
            rtxSent++;
          }
        }
      };
      const received = new Set<number>();
      let firstReceived = -1;
      subscriber.onRtp = (p) => {
        if (!parseRtpHeader(p, h)) return;
        if (firstReceived < 0) firstReceived = h.sequenceNumber;
        received.add(h.sequenceNumber);
      };
      await consumer.resume();
      stop = gen.startPacing(send);
      // Ten dropped, then more packets after the last one (a gap shows only when a later packet comes).
      await waitFor(
        '10 dropped packets and 20 more sent',
        async () => (dropped.size >= 10 ? n - lastDropAt : 0),
        (k) => k >= 20,
        { intervalMs: 20, timeoutMs: 15_000 },
      );
      stop();
      stop = undefined;
      // Consumer sequence numbers equal the producer's here (the consumer started at offset 0).
      const missing = (): number[] => [...dropped].filter((s) => s > firstReceived && !received.has(s));
      await waitFor(
        'every dropped packet to reach the subscriber',
        async () => missing().length,
        (k) => k === 0,
        { intervalMs: 20, timeoutMs: 15_000 },
      );
      for (const s of dropped) expect(requested.has(s)).toBe(true);
      expect(rtxSent).toBeGreaterThanOrEqual(dropped.size);
      const [stats] = await producer.getStats();
      expect(stats!.nackCount as number).toBeGreaterThan(0);
      expect(stats!.nackPacketCount as number).toBeGreaterThanOrEqual(dropped.size);
      expect(stats!.packetsRepaired).toBe(dropped.size);
      expect(stats!.packetsRetransmitted as number).toBeGreaterThanOrEqual(dropped.size);
    } finally {
      stop?.();
      publisher.close();
      subscriber.close();
    }
  }, 30_000);
});
