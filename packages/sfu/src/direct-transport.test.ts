import { RtpHeader, RtpPacket } from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from './index.js';
import type { Consumer } from './consumer/consumer.js';
import type { Producer } from './producer/producer.js';
import type { Router } from './router/router.js';
import type { DirectTransport } from './transport/direct-transport.js';
import { buildNack, buildPli } from './engine/rtcp.js';

const mediaCodecs = [
  { kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 },
];
const KEY = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a]); // VP8 descriptor S=1 PID=0, keyframe (P=0)
const DELTA = Buffer.from([0x10, 0x01, 0x00, 0x00]);

function rtp(seq: number, ts: number, payload: Buffer, ssrc = 5555, pt = 96, extensions: { id: number; payload: Buffer }[] = []): Buffer {
  return new RtpPacket(
    new RtpHeader({ sequenceNumber: seq, timestamp: ts, ssrc, payloadType: pt, extension: extensions.length > 0, extensions }),
    payload,
  ).serialize();
}

/** Collects a consumer's `rtp` events. */
function tap(consumer: Consumer): { packets: RtpPacket[]; waitFor(n: number): Promise<void> } {
  const packets: RtpPacket[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  consumer.on('rtp', (buf) => {
    packets.push(RtpPacket.deSerialize(Buffer.from(buf)));
    for (const w of waiters.splice(0))
      if (packets.length >= w.n) w.resolve();
      else waiters.push(w);
  });
  return {
    packets,
    waitFor: (n) =>
      new Promise<void>((resolve, reject) => {
        if (packets.length >= n) return resolve();
        const timer = setTimeout(() => reject(new Error(`got ${packets.length} of ${n} packets`)), 5000);
        waiters.push({
          n,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      }),
  };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 150));

describe('DirectTransport forwarding', () => {
  let worker: Worker;
  let router: Router;
  let send: DirectTransport;
  let recv: DirectTransport;
  let producer: Producer;

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs });
    send = await router.createDirectTransport();
    recv = await router.createDirectTransport();
    producer = await send.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
        headerExtensions: [{ uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 2 }],
        encodings: [{ ssrc: 5555 }],
      },
    });
  });
  afterAll(() => worker.close());

  it('rewrites SSRC, payload type and header-extension ids per consumer', async () => {
    const consumer = await recv.consume({ producerId: producer.id });
    const t = tap(consumer);
    const routerVp8Pt = router.rtpCapabilities.codecs!.find((c) => c.mimeType === 'video/VP8')!.preferredPayloadType!;
    const routerAbsId = router.rtpCapabilities.headerExtensions!.find(
      (e) => e.uri.endsWith('abs-send-time') && e.kind === 'video',
    )!.preferredId;
    expect(consumer.rtpParameters.codecs[0]!.payloadType).toBe(routerVp8Pt);
    const abs = Buffer.from([1, 2, 3]);
    producer.send(rtp(100, 9000, KEY, 5555, 96, [{ id: 2, payload: abs }]));
    for (let i = 1; i < 5; i++) producer.send(rtp(100 + i, 9000 + i * 3000, DELTA));
    await t.waitFor(5);
    const first = t.packets[0]!;
    expect(first.header.ssrc).toBe(consumer.rtpParameters.encodings![0]!.ssrc);
    expect(first.header.ssrc).not.toBe(5555);
    expect(first.header.payloadType).toBe(routerVp8Pt);
    expect(first.header.extensions).toEqual([{ id: routerAbsId, payload: abs }]);
    expect(first.payload.equals(KEY)).toBe(true);
    expect(t.packets.map((p) => p.header.sequenceNumber)).toEqual([100, 101, 102, 103, 104]);
    const [stats] = await consumer.getStats();
    expect(stats!.packetCount).toBe(5);
    consumer.close();
  });

  it('drops video until a keyframe, and keeps seq/ts continuous across pause/resume', async () => {
    const consumer = await recv.consume({ producerId: producer.id });
    const t = tap(consumer);
    producer.send(rtp(200, 30000, DELTA)); // no keyframe yet: dropped
    producer.send(rtp(201, 33000, KEY));
    producer.send(rtp(202, 36000, DELTA));
    await t.waitFor(2);
    await consumer.pause();
    for (let i = 0; i < 10; i++) producer.send(rtp(203 + i, 39000 + i * 3000, i === 5 ? KEY : DELTA));
    await settle();
    expect(t.packets.length).toBe(2);
    await consumer.resume();
    producer.send(rtp(213, 69000, DELTA)); // after resume, a delta is dropped until a keyframe
    producer.send(rtp(214, 72000, KEY));
    producer.send(rtp(215, 75000, DELTA));
    await t.waitFor(4);
    const seqs = t.packets.map((p) => p.header.sequenceNumber);
    expect(seqs).toEqual([seqs[0], seqs[0]! + 1, seqs[0]! + 2, seqs[0]! + 3]);
    const ts = t.packets.map((p) => p.header.timestamp >>> 0);
    expect(ts[2]! - ts[1]!).toBeGreaterThan(0); // the gap is the pause's wall-clock time, never backwards
    expect(ts[3]! - ts[2]!).toBe(3000);
    expect(t.packets[2]!.payload.equals(KEY)).toBe(true);
    consumer.close();
  });

  it('answers NACKs from the retransmission buffer and relays PLI to the sender', async () => {
    const consumer = await recv.consume({ producerId: producer.id });
    const t = tap(consumer);
    const rtcp: Buffer[] = [];
    send.on('rtcp', (b) => rtcp.push(b));
    producer.send(rtp(300, 90000, KEY));
    for (let i = 1; i < 8; i++) producer.send(rtp(300 + i, 90000 + i * 3000, DELTA));
    await t.waitFor(8);
    const ssrc = consumer.rtpParameters.encodings![0]!.ssrc!;
    const base = t.packets[0]!.header.sequenceNumber;
    recv.sendRtcp(buildNack(1, ssrc, base + 2, 0b101)); // base+2, base+3, base+5
    await t.waitFor(11);
    expect(t.packets.slice(8).map((p) => p.header.sequenceNumber)).toEqual([base + 2, base + 3, base + 5]);
    expect(t.packets[8]!.payload.equals(t.packets[2]!.payload)).toBe(true);
    const [stats] = await consumer.getStats();
    expect(stats!.nackCount).toBe(1);
    expect(stats!.packetsRetransmitted).toBe(3);
    recv.sendRtcp(buildPli(1, ssrc));
    await expect
      .poll(() => rtcp.some((b) => b[1] === 206 && (b[0]! & 0x1f) === 1 && b.readUInt32BE(8) === 5555), { timeout: 3000 })
      .toBe(true);
    const [after] = await consumer.getStats();
    expect(after!.pliCount).toBe(1);
    consumer.close();
  });

  it('counts malformed injected RTP/RTCP and keeps forwarding', async () => {
    const before = await worker.dump();
    producer.send(Buffer.from([1, 2, 3]));
    producer.send(Buffer.alloc(40, 0xff));
    recv.sendRtcp(Buffer.from([0x80, 201, 0, 50, 1, 2]));
    await settle();
    const after = await worker.dump();
    expect(after.drops.rtpMalformed - before.drops.rtpMalformed).toBe(2);
    expect(after.drops.rtcpMalformed - before.drops.rtcpMalformed).toBe(1);
    const consumer = await recv.consume({ producerId: producer.id });
    const t = tap(consumer);
    producer.send(rtp(400, 120000, KEY));
    await t.waitFor(1);
  });

  it('drops N% of packets through the fault hook', async () => {
    const consumer = await recv.consume({ producerId: producer.id });
    const t = tap(consumer);
    await recv.__testing.setFaults({ dropSendPct: 100 });
    producer.send(rtp(500, 150000, KEY));
    await settle();
    expect(t.packets.length).toBe(0);
    await recv.__testing.setFaults({ dropSendPct: 0 });
    producer.send(rtp(501, 153000, KEY));
    await t.waitFor(1);
    const [ts] = await recv.getStats();
    expect(ts!.rtpPacketsFaultDropped).toBeGreaterThanOrEqual(1);
  });
});
