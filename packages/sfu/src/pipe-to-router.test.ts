/**
 * `router.pipeToRouter()`: a session spanning two workers (two engine threads) carries media both
 * ways, relays keyframe requests back to the original sender, and follows the original producer's
 * pause, resume and close.
 */
import { RtpHeader, RtpPacket } from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, UnsupportedError, type Worker } from './index.js';
import type { Consumer } from './consumer/consumer.js';
import type { Producer } from './producer/producer.js';
import type { Router } from './router/router.js';
import type { DirectTransport } from './transport/direct-transport.js';

const mediaCodecs = [
  { kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 },
];
const KEY = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, 1, 2, 3, 4]); // VP8 descriptor S=1, keyframe
const DELTA = Buffer.from([0x10, 0x01, 0x00, 0x00, 5, 6]);
const vp8 = (ssrc: number) => ({
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
  encodings: [{ ssrc }],
});
const rtp = (seq: number, ssrc: number, payload: Buffer): Buffer =>
  new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: seq * 3000, ssrc, payloadType: 96 }), payload).serialize();

/** Media SSRCs of the PLIs in an RTCP compound packet. */
function plis(buf: Buffer): number[] {
  const out: number[] = [];
  for (let off = 0; off + 4 <= buf.length; ) {
    const len = (buf.readUInt16BE(off + 2) + 1) * 4;
    if (buf[off + 1] === 206 && (buf[off]! & 0x1f) === 1 && off + 12 <= buf.length) out.push(buf.readUInt32BE(off + 8));
    off += len;
  }
  return out;
}

/** Sends a keyframe then deltas from `producer` until `consumer` has emitted `n` packets. */
async function flow(producer: Producer, ssrc: number, consumer: Consumer, n: number): Promise<Buffer[]> {
  const got: Buffer[] = [];
  const onRtp = (b: Buffer): void => {
    got.push(b);
  };
  consumer.on('rtp', onRtp);
  let seq = 1;
  try {
    await expect
      .poll(
        () => {
          producer.send(rtp(seq, ssrc, seq % 10 === 1 ? KEY : DELTA));
          seq++;
          return got.length;
        },
        { timeout: 15_000, interval: 20 },
      )
      .toBeGreaterThanOrEqual(n);
  } finally {
    consumer.off('rtp', onRtp);
  }
  return got;
}

describe('pipeToRouter across two workers', { timeout: 60_000 }, () => {
  let w1: Worker;
  let w2: Worker;
  let r1: Router;
  let r2: Router;
  let send1: DirectTransport;
  let send2: DirectTransport;
  let recv1: DirectTransport;
  let recv2: DirectTransport;

  beforeAll(async () => {
    w1 = await createWorker();
    w2 = await createWorker();
    r1 = await w1.createRouter({ mediaCodecs });
    r2 = await w2.createRouter({ mediaCodecs });
    send1 = await r1.createDirectTransport();
    send2 = await r2.createDirectTransport();
    recv1 = await r1.createDirectTransport();
    recv2 = await r2.createDirectTransport();
  }, 60_000);
  afterAll(() => {
    w1.close();
    w2.close();
  });

  it('carries media both ways between two engine threads', async () => {
    expect(w1.threadId).not.toBe(w2.threadId);
    const p1 = await send1.produce({ kind: 'video', rtpParameters: vp8(1111) });
    const p2 = await send2.produce({ kind: 'video', rtpParameters: vp8(2222) });
    const a = await r1.pipeToRouter({ producerId: p1.id, router: r2 });
    const b = await r2.pipeToRouter({ producerId: p2.id, router: r1 });
    expect(a.pipeProducer!.id).toBe(p1.id);
    expect(b.pipeProducer!.id).toBe(p2.id);
    expect(r2.canConsume({ producerId: p1.id, rtpCapabilities: r2.rtpCapabilities })).toBe(true);

    // A viewer on worker 2 of worker 1's producer, and the other way round.
    const c12 = await recv2.consume({ producerId: p1.id });
    const c21 = await recv1.consume({ producerId: p2.id });
    const at2 = await flow(p1, 1111, c12, 20);
    const at1 = await flow(p2, 2222, c21, 20);
    const first2 = RtpPacket.deSerialize(at2[0]!);
    const first1 = RtpPacket.deSerialize(at1[0]!);
    expect(first2.header.ssrc).toBe(c12.rtpParameters.encodings![0]!.ssrc);
    expect(first1.header.ssrc).toBe(c21.rtpParameters.encodings![0]!.ssrc);
    // The payload crossed unchanged: the first packet forwarded is the keyframe.
    expect(first2.payload.equals(KEY)).toBe(true);
    expect(first1.payload.equals(KEY)).toBe(true);
    const [stats] = await a.pipeProducer!.getStats();
    expect(stats!.packetCount as number).toBeGreaterThanOrEqual(20);
  });

  it("relays a viewer's keyframe request across the pipe to the original sender", async () => {
    const p = await send1.produce({ kind: 'video', rtpParameters: vp8(3333) });
    await r1.pipeToRouter({ producerId: p.id, router: r2 });
    const viewer = await recv2.consume({ producerId: p.id });
    await flow(p, 3333, viewer, 5);
    let count = 0;
    const onRtcp = (b: Buffer): void => {
      count += plis(b).filter((s) => s === 3333).length;
    };
    send1.on('rtcp', onRtcp);
    try {
      const before = count;
      let seq = 1000;
      await expect
        .poll(
          async () => {
            p.send(rtp(seq++, 3333, KEY)); // answer each request, so the next one is not held back
            await viewer.requestKeyFrame();
            return count;
          },
          { timeout: 20_000, interval: 400 },
        )
        .toBeGreaterThan(before);
    } finally {
      send1.off('rtcp', onRtcp);
    }
  });

  it("follows the original producer's pause, resume and close", async () => {
    const p = await send1.produce({ kind: 'video', rtpParameters: vp8(4444) });
    const { pipeProducer, pipeConsumer } = await r1.pipeToRouter({ producerId: p.id, router: r2 });
    const viewer = await recv2.consume({ producerId: p.id });
    await p.pause();
    await expect.poll(() => pipeProducer!.paused, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => viewer.producerPaused, { timeout: 10_000 }).toBe(true);
    await p.resume();
    await expect.poll(() => pipeProducer!.paused, { timeout: 10_000 }).toBe(false);
    await expect.poll(() => viewer.producerPaused, { timeout: 10_000 }).toBe(false);
    p.close();
    await expect.poll(() => pipeProducer!.closed, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => viewer.closed, { timeout: 10_000 }).toBe(true);
    expect(pipeConsumer!.closed).toBe(true);
  });

  it('refuses bad arguments, a second pipe of one producer and two routers of one worker', async () => {
    const p = await send1.produce({ kind: 'video', rtpParameters: vp8(5555) });
    const sameWorker = await w1.createRouter({ mediaCodecs });
    try {
      await expect(r1.pipeToRouter({ producerId: '', router: r2 })).rejects.toThrow(TypeError);
      await expect(r1.pipeToRouter({ producerId: 'nope', router: r2 })).rejects.toThrow(TypeError);
      await expect(r1.pipeToRouter({ producerId: p.id, router: r1 })).rejects.toThrow(TypeError);
      await expect(r1.pipeToRouter({ producerId: p.id, router: {} as Router })).rejects.toThrow(TypeError);
      await expect(r1.pipeToRouter({ producerId: p.id, router: sameWorker })).rejects.toThrow(UnsupportedError);
      await r1.pipeToRouter({ producerId: p.id, router: r2 });
      await expect(r1.pipeToRouter({ producerId: p.id, router: r2 })).rejects.toThrow('already piped');
    } finally {
      sameWorker.close();
    }
  });
});
