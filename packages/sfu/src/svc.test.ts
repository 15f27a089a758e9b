import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@alcove/testing';
import { createWorker, type Router, type Worker } from './index.js';
import { RtpHeaderView, parseRtcpCompound, parseRtpHeader } from './rtp/index.js';
import { Vp9Descriptor, parseVp9PayloadDescriptor } from './rtp/vp9.js';
import { NodeEndpoint } from './testing/node-endpoint.js';
import type { ConsumerLayers } from './consumer/consumer.js';
import type { RtpParameters } from './types/index.js';

// VP9 SVC through the real engine (ICE, DTLS, SRTP on loopback): one RTP stream with three spatial
// and three temporal layers (L3T3_KEY, non-flexible descriptors as libwebrtc writes them); a
// consumer forwards only the layers up to its preferred ones, switches spatial layers up at key
// pictures, and its receiver sees consecutive sequence numbers with the marker on the last packet
// of the highest forwarded spatial layer of each picture.

const SSRC = 4242;
const TIDS = [0, 2, 1, 2]; // the T3 pattern
const BODY = (sid: number): number => 100 * (sid + 1); // each spatial layer's packets carry its own size

/** A sender of VP9 L3T3_KEY pictures: each spatial layer frame in two packets, key pictures on request. */
class Vp9SvcSender {
  private seq = 1000;
  private pid = 0;
  private tl0 = 0;
  private n = 0;
  private keyWanted = true;
  keyPictures = 0;

  requestKeyFrame(): void {
    this.keyWanted = true;
  }

  nextPicture(): Buffer[] {
    const key = this.keyWanted;
    this.keyWanted = false;
    if (key) {
      this.n = 0;
      this.keyPictures++;
    }
    const tid = TIDS[this.n++ % TIDS.length]!;
    if (tid === 0) this.tl0 = (this.tl0 + 1) & 0xff;
    this.pid = (this.pid + 1) & 0x7fff;
    const ts = (this.pid * 4500) >>> 0;
    const out: Buffer[] = [];
    for (let sid = 0; sid < 3; sid++) {
      for (let part = 0; part < 2; part++) {
        const ss = key && sid === 0 && part === 0;
        const b0 = 0x80 | (key ? 0 : 0x40) | 0x20 | (part === 0 ? 0x08 : 0) | (part === 1 ? 0x04 : 0) | (ss ? 0x02 : 0);
        const layer = (tid << 5) | (tid > 0 ? 0x10 : 0) | (sid << 1) | (key && sid > 0 ? 1 : 0);
        const desc = [b0, 0x80 | (this.pid >> 8), this.pid & 0xff, layer, this.tl0];
        if (ss) desc.push(2 << 5); // SS: three spatial layers, no resolutions, no group
        const marker = sid === 2 && part === 1;
        const header = Buffer.alloc(12);
        header[0] = 0x80;
        header[1] = (marker ? 0x80 : 0) | 96;
        header.writeUInt16BE(this.seq, 2);
        this.seq = (this.seq + 1) & 0xffff;
        header.writeUInt32BE(ts, 4);
        header.writeUInt32BE(SSRC, 8);
        out.push(Buffer.concat([header, Buffer.from(desc), Buffer.alloc(BODY(sid) - desc.length, 0xab)]));
      }
    }
    return out;
  }
}

describe('VP9 SVC consumer', () => {
  let worker: Worker;
  let router: Router;

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP9', clockRate: 90000 }] });
  });
  afterAll(() => worker?.close());

  it('forwards the layers up to the preferred ones, switches at key pictures, renumbers and marks the last forwarded layer', async () => {
    const sendTransport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const recvTransport = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    const publisher = await NodeEndpoint.create(sendTransport);
    const subscriber = await NodeEndpoint.create(recvTransport);
    let timer: NodeJS.Timeout | undefined;
    try {
      await sendTransport.connect({ dtlsParameters: publisher.dtlsParameters });
      await recvTransport.connect({ dtlsParameters: subscriber.dtlsParameters });
      await Promise.all([publisher.connect(), subscriber.connect()]);
      const rtpParameters: RtpParameters = {
        codecs: [{ mimeType: 'video/VP9', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
        headerExtensions: [],
        encodings: [{ ssrc: SSRC, scalabilityMode: 'L3T3_KEY' }],
        rtcp: { cname: 'svc' },
      };
      const producer = await sendTransport.produce({ kind: 'video', rtpParameters });
      expect(producer.type).toBe('svc');
      const consumer = await recvTransport.consume({
        producerId: producer.id,
        rtpCapabilities: router.rtpCapabilities,
        paused: true,
        preferredLayers: { spatialLayer: 0, temporalLayer: 0 },
      });
      expect(consumer.type).toBe('svc');
      expect(consumer.rtpParameters.encodings![0]!.scalabilityMode).toBe('L3T3_KEY');
      expect(consumer.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 0 });
      const changes: (ConsumerLayers | undefined)[] = [];
      consumer.on('layerschange', (l) => changes.push(l));

      const sender = new Vp9SvcSender();
      publisher.onRtcp = (buf) => {
        for (const r of parseRtcpCompound(buf).packets) if (r.type === 'pli' || r.type === 'fir') sender.requestKeyFrame();
      };
      const h = new RtpHeaderView();
      const d = new Vp9Descriptor();
      const got: { seq: number; ts: number; marker: boolean; sid: number; tid: number; key: boolean; start: boolean; end: boolean }[] = [];
      subscriber.onRtp = (p) => {
        if (!parseRtpHeader(p, h) || !parseVp9PayloadDescriptor(p, h.payloadOffset, h.payloadLength, d)) return;
        expect(h.payloadLength).toBe(BODY(d.spatialId));
        got.push({
          seq: h.sequenceNumber,
          ts: h.timestamp,
          marker: h.marker,
          sid: d.spatialId,
          tid: d.temporalId,
          key: !d.interPicturePredicted,
          start: d.startOfFrame,
          end: d.endOfFrame,
        });
      };
      await consumer.resume();
      timer = setInterval(() => {
        for (const p of sender.nextPicture()) publisher.sendRtp(p);
      }, 25);

      await waitFor(
        'twenty packets of the base layers',
        async () => got.length,
        (n) => n >= 20,
        { intervalMs: 20, timeoutMs: 30_000 },
      );
      expect(consumer.currentLayers).toEqual({ spatialLayer: 0, temporalLayer: 0 });
      expect(got.every((g) => g.sid === 0 && g.tid === 0)).toBe(true);
      // Every picture ends at its base layer frame: the marker is on its last packet.
      expect(got.filter((g) => g.end).every((g) => g.marker)).toBe(true);

      const keysBefore = sender.keyPictures;
      const upFrom = got.length;
      await consumer.setPreferredLayers({ spatialLayer: 2, temporalLayer: 2 });
      await waitFor(
        'the top spatial layer forwarded',
        async () => got.slice(upFrom).some((g) => g.sid === 2),
        (x) => x,
        {
          intervalMs: 20,
          timeoutMs: 30_000,
        },
      );
      await waitFor(
        'every temporal layer forwarded',
        async () => new Set(got.slice(upFrom).map((g) => g.tid)).size,
        (n) => n === 3,
        {
          intervalMs: 20,
          timeoutMs: 30_000,
        },
      );
      expect(sender.keyPictures).toBeGreaterThan(keysBefore); // the switch up asked for a key picture
      // The first spatial layer 1 or 2 packet is part of a key picture.
      const firstUp = got.slice(upFrom).find((g) => g.sid > 0)!;
      expect(firstUp.key).toBe(true);
      expect(consumer.currentLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });

      const downFrom = got.length;
      await consumer.setPreferredLayers({ spatialLayer: 1, temporalLayer: 1 });
      await waitFor(
        'layer 1 only, no T2',
        async () => got.slice(downFrom).filter((g) => g.sid === 1 && g.tid <= 1).length,
        (n) => n >= 8,
        { intervalMs: 20, timeoutMs: 30_000 },
      );
      clearInterval(timer);
      timer = undefined;
      expect(consumer.currentLayers).toEqual({ spatialLayer: 1, temporalLayer: 1 });
      // After the first picture that started at the new layers, nothing above them.
      const down = got.slice(downFrom);
      const firstDown = down.findIndex((g) => g.sid === 0 && g.start && down.slice(down.indexOf(g)).every((x) => x.sid <= 1 && x.tid <= 1));
      expect(firstDown).toBeGreaterThanOrEqual(0);

      // One stream: consecutive sequence numbers, timestamps never back, and exactly one marker
      // per picture, on the end of its highest forwarded spatial layer.
      for (let i = 1; i < got.length; i++) {
        const a = got[i - 1]!;
        const b = got[i]!;
        expect((b.seq - a.seq) & 0xffff).toBe(1);
        expect((b.ts - a.ts) >>> 0 < 0x80000000).toBe(true);
        if (a.ts !== b.ts)
          expect(a.marker).toBe(true); // a picture's last packet carries the marker
        else expect(a.marker).toBe(false);
      }
      // Up, then down: temporal layers may go up at a switching point before the key picture that
      // lifts the spatial layer arrives (S0T2 on the way, seen on a loaded machine), so the list is
      // checked for its order, not for exact steps.
      const seen = changes.map((c) => c && `S${c.spatialLayer}T${c.temporalLayer}`);
      expect(seen[0]).toBe('S0T0');
      expect(seen.indexOf('S2T2')).toBeGreaterThan(0);
      expect(seen.at(-1)).toBe('S1T1');
      expect(seen.lastIndexOf('S2T2')).toBeLessThan(seen.length - 1);
    } finally {
      if (timer) clearInterval(timer);
      publisher.close();
      subscriber.close();
    }
  }, 120_000);
});
