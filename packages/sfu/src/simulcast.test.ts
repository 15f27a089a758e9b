import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@alcove/testing';
import { createWorker, type Router, type Worker } from './index.js';
import { RtpHeaderView, Vp8Descriptor, parseRtcpCompound, parseRtpHeader, parseVp8PayloadDescriptor } from './rtp/index.js';
import { NodeEndpoint } from './testing/node-endpoint.js';
import { Vp8Generator } from './testing/vp8-generator.js';
import type { ConsumerLayers } from './consumer/consumer.js';
import type { RtpParameters } from './types/index.js';

const MID_URI = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const RID_URI = 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id';

// Three RID-only encodings as mediasoup-client sends them (SSRCs learned from MID + RID), one
// consumer that switches layers at keyframes and sees one continuous stream.
describe('simulcast', () => {
  let worker: Worker;
  let router: Router;

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
  });
  afterAll(() => worker?.close());

  it('learns RID streams, forwards the preferred layer and switches at keyframes with continuous seq, timestamp and picture id', async () => {
    const sendTransport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const recvTransport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const publisher = await NodeEndpoint.create(sendTransport);
    const subscriber = await NodeEndpoint.create(recvTransport);
    const stops: (() => void)[] = [];
    try {
      await sendTransport.connect({ dtlsParameters: publisher.dtlsParameters });
      await recvTransport.connect({ dtlsParameters: subscriber.dtlsParameters });
      await Promise.all([publisher.connect(), subscriber.connect()]);
      const rids = ['r0', 'r1', 'r2'];
      // Each layer's packets carry its size (100, 200, 300 bytes of payload) so the receiver can tell them apart.
      const gens = rids.map(
        (rid, i) =>
          new Vp8Generator({
            ssrc: 900 + i,
            payloadType: 96,
            keyFrameInterval: 1000,
            keyFrameRatio: 1,
            fps: 20,
            bitrate: (100 + i * 100) * 8 * 20,
            mid: { id: 9, value: '0' },
            rid: { id: 10, value: rid },
          }),
      );
      const rtpParameters: RtpParameters = {
        mid: '0',
        codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
        headerExtensions: [
          { uri: MID_URI, id: 9 },
          { uri: RID_URI, id: 10 },
        ],
        encodings: rids.map((rid) => ({ rid, scalabilityMode: 'L1T1' })),
        rtcp: { cname: 'sim' },
      };
      const producer = await sendTransport.produce({ kind: 'video', rtpParameters });
      expect(producer.type).toBe('simulcast');
      const consumer = await recvTransport.consume({
        producerId: producer.id,
        rtpCapabilities: router.rtpCapabilities,
        paused: true,
        preferredLayers: { spatialLayer: 0 },
      });
      expect(consumer.type).toBe('simulcast');
      expect(consumer.rtpParameters.encodings).toHaveLength(1);
      expect(consumer.rtpParameters.encodings![0]!.scalabilityMode).toBe('L3T1');
      expect(consumer.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 0 });
      const changes: (ConsumerLayers | undefined)[] = [];
      consumer.on('layerschange', (l) => changes.push(l));

      publisher.onRtcp = (buf) => {
        for (const r of parseRtcpCompound(buf).packets) {
          if (r.type === 'pli') gens[r.mediaSsrc - 900]?.requestKeyFrame();
        }
      };
      const h = new RtpHeaderView();
      const d = new Vp8Descriptor();
      const got: { seq: number; ts: number; ssrc: number; size: number; pic: number; key: boolean }[] = [];
      subscriber.onRtp = (p) => {
        if (!parseRtpHeader(p, h) || !parseVp8PayloadDescriptor(p, h.payloadOffset, h.payloadLength, d)) return;
        got.push({ seq: h.sequenceNumber, ts: h.timestamp, ssrc: h.ssrc, size: h.payloadLength, pic: d.pictureId, key: d.isKeyFrame });
      };
      await consumer.resume();
      for (const g of gens) stops.push(g.startPacing((p) => publisher.sendRtp(p)));
      const layerOf = (size: number): number => Math.round(size / 100) - 1;
      const lastLayer = async (): Promise<number> => (got.length > 0 ? layerOf(got[got.length - 1]!.size) : -1);

      await waitFor('layer 0 forwarded', lastLayer, (l) => l === 0, { intervalMs: 20, timeoutMs: 30_000 });
      await waitFor(
        'currentLayers 0',
        async () => consumer.currentLayers?.spatialLayer,
        (l) => l === 0,
        { intervalMs: 20, timeoutMs: 30_000 },
      );
      const [s0] = await producer.getStats();
      expect(s0!.rid).toBeDefined();

      await consumer.setPreferredLayers({ spatialLayer: 2 });
      expect(consumer.preferredLayers).toEqual({ spatialLayer: 2, temporalLayer: 0 });
      await waitFor('layer 2 forwarded', lastLayer, (l) => l === 2, { intervalMs: 20, timeoutMs: 30_000 });
      await waitFor(
        'currentLayers 2',
        async () => consumer.currentLayers?.spatialLayer,
        (l) => l === 2,
        { intervalMs: 20, timeoutMs: 30_000 },
      );
      await consumer.setPreferredLayers({ spatialLayer: 1 });
      await waitFor('layer 1 forwarded', lastLayer, (l) => l === 1, { intervalMs: 20, timeoutMs: 30_000 });
      const n = got.length;
      await waitFor(
        'more packets of layer 1',
        async () => got.length,
        (k) => k > n + 20,
        { intervalMs: 20, timeoutMs: 30_000 },
      );
      for (const s of stops) s();
      stops.length = 0;

      // One SSRC; sequence numbers without a gap; timestamps and picture ids never go back;
      // every layer change starts with a keyframe.
      expect(new Set(got.map((g) => g.ssrc)).size).toBe(1);
      for (let i = 1; i < got.length; i++) {
        const a = got[i - 1]!;
        const b = got[i]!;
        expect((b.seq - a.seq) & 0xffff).toBe(1);
        expect((b.ts - a.ts) >>> 0 < 0x80000000).toBe(true);
        expect([0, 1]).toContain((b.pic - a.pic) & 0x7fff);
        if (layerOf(b.size) !== layerOf(a.size)) expect(b.key).toBe(true);
      }
      // Going up may pass an intermediate layer whose keyframe comes first; it ends on the target.
      const seen = changes.map((c) => c?.spatialLayer);
      expect(seen[0]).toBe(0);
      expect(seen.at(-2)).toBe(2);
      expect(seen.at(-1)).toBe(1);
    } finally {
      for (const s of stops) s();
      publisher.close();
      subscriber.close();
    }
  }, 150_000);
});
