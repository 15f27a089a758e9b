import { RtpHeader, RtpPacket } from 'werift';
import { describe, expect, it } from 'vitest';
import { RtpHeaderView, parseRtpHeader } from '../rtp/rtp-header.js';
import type { RtpSink } from './context.js';
import { BWE_UP_HOLD_MS, EngineConsumer } from './consumer.js';
import { EngineProducer, type ProducerHost } from './producer.js';
import { PictureIdMapper, Vp8TemporalSelector, vp8TemporalLayersOf } from './vp8-temporal.js';
import { Vp8Descriptor, parseVp8PayloadDescriptor } from '../rtp/vp8.js';
import type { RtpParameters } from '../types/index.js';

/** One packet of a VP8 frame: X|S, I|L|T, 15-bit picture id, TL0PICIDX, TID|Y, then one payload byte. */
function vp8Packet(o: { pic: number; tl0: number; tid: number; sync: boolean; start: boolean; key: boolean }): Uint8Array {
  return Uint8Array.from([
    0x80 | (o.start ? 0x10 : 0),
    0xe0,
    0x80 | ((o.pic >> 8) & 0x7f),
    o.pic & 0xff,
    o.tl0 & 0xff,
    (o.tid << 6) | (o.sync ? 0x20 : 0),
    o.key ? 0x00 : 0x01,
  ]);
}

interface Pkt {
  buf: Uint8Array;
  seq: number;
  ts: number;
  key: boolean;
  tid: number;
  frame: number;
}

/**
 * An L1T3 stream as libwebrtc sends it: TID pattern 0,2,1,2; the first TL2 and the TL1 of each
 * cycle are layer-sync frames when `syncEvery` divides the cycle number; a key frame every
 * `keyEvery` frames; `perFrame` packets per frame.
 */
function l1t3Stream(
  frames: number,
  o: { perFrame?: number; keyEvery?: number; syncEvery?: number; seq0?: number; pic0?: number; tl00?: number } = {},
): Pkt[] {
  const perFrame = o.perFrame ?? 2;
  const pattern = [0, 2, 1, 2];
  const out: Pkt[] = [];
  let seq = o.seq0 ?? 65500;
  let pic = o.pic0 ?? 0x7ff0;
  let tl0 = o.tl00 ?? 250;
  for (let f = 0; f < frames; f++) {
    const key = f % (o.keyEvery ?? 1000) === 0;
    const tid = key ? 0 : pattern[f % 4]!;
    if (tid === 0 && f > 0) tl0 = (tl0 + 1) & 0xff;
    const cycle = Math.floor(f / 4);
    const sync = key || (tid > 0 && f % 4 !== 3 && cycle % (o.syncEvery ?? 1) === 0);
    for (let p = 0; p < perFrame; p++) {
      out.push({
        buf: vp8Packet({ pic, tl0, tid, sync, start: p === 0, key: key && p === 0 }),
        seq,
        ts: (f * 3000) >>> 0,
        key: key && p === 0,
        tid,
        frame: f,
      });
      seq = (seq + 1) & 0xffff;
    }
    pic = (pic + 1) & 0x7fff;
  }
  return out;
}

interface Out {
  seq: number;
  pic: number;
  tl0: number;
  tid: number;
  frame: number;
}

function run(sel: Vp8TemporalSelector, pkts: Pkt[], before?: (i: number) => void): Out[] {
  const out: Out[] = [];
  pkts.forEach((p, i) => {
    before?.(i);
    const s = sel.select(p.buf, 0, p.buf.length, p.seq, p.ts, p.key);
    if (s >= 0) out.push({ seq: s, pic: sel.pic, tl0: sel.tl0, tid: p.tid, frame: p.frame });
  });
  return out;
}

/** Each step of the forwarded sequence numbers and picture ids is +1 (or +0 within a frame). */
function expectContinuous(out: Out[]): void {
  for (let i = 1; i < out.length; i++) {
    expect((out[i]!.seq - out[i - 1]!.seq) & 0xffff).toBe(1);
    const dp = (out[i]!.pic - out[i - 1]!.pic) & 0x7fff;
    expect(dp).toBe(out[i]!.frame === out[i - 1]!.frame ? 0 : 1);
    const dt = (out[i]!.tl0 - out[i - 1]!.tl0) & 0xff;
    expect(dt).toBe(out[i]!.tid === 0 && out[i]!.frame !== out[i - 1]!.frame ? 1 : 0);
  }
}

/** The frames forwarded, each once, in order. */
function framesOf(out: Out[]): number[] {
  return [...new Set(out.map((o) => o.frame))];
}

describe('vp8TemporalLayersOf', () => {
  const params = (mimeType: string, scalabilityMode?: string): RtpParameters => ({
    codecs: [
      { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
      { mimeType, payloadType: 96, clockRate: 90000 },
    ],
    encodings: [scalabilityMode ? { scalabilityMode } : {}],
  });

  it('reads T<n> of a VP8 encoding, 1 otherwise', () => {
    expect(vp8TemporalLayersOf(params('video/VP8', 'L1T3'))).toBe(3);
    expect(vp8TemporalLayersOf(params('video/vp8', 'L3T2'))).toBe(2);
    expect(vp8TemporalLayersOf(params('video/VP8', 'L1T1'))).toBe(1);
    expect(vp8TemporalLayersOf(params('video/VP8'))).toBe(1);
    expect(vp8TemporalLayersOf(params('video/VP8', 'bogus'))).toBe(1);
    expect(vp8TemporalLayersOf(params('video/VP9', 'L1T3'))).toBe(1);
    expect(vp8TemporalLayersOf(params('video/H264', 'L1T3'))).toBe(1);
  });
});

describe('PictureIdMapper', () => {
  it('closes the gaps of dropped pictures, answers every packet of a picture alike, and places late packets', () => {
    const m = new PictureIdMapper();
    expect(m.map(0x7ffe, 0x7fff, true)).toBe(0x7ffe);
    expect(m.map(0x7ffe, 0x7fff, true)).toBe(0x7ffe); // second packet of the picture
    expect(m.map(0x7fff, 0x7fff, false)).toBe(-1);
    expect(m.map(0x7fff, 0x7fff, true)).toBe(-1); // the rest of a dropped picture stays dropped
    expect(m.map(0, 0x7fff, true)).toBe(0x7fff); // wraps
    expect(m.map(1, 0x7fff, false)).toBe(-1);
    expect(m.map(2, 0x7fff, false)).toBe(-1);
    expect(m.map(3, 0x7fff, true)).toBe(0);
    // Late packets: a kept picture keeps its number, a dropped one stays dropped.
    expect(m.map(0x7ffe, 0x7fff, true)).toBe(0x7ffe);
    expect(m.map(0, 0x7fff, true)).toBe(0x7fff);
    expect(m.map(2, 0x7fff, true)).toBe(-1);
    // A picture skipped over (lost) arrives late: it gets the place it had.
    expect(m.map(6, 0x7fff, true)).toBe(3);
    expect(m.map(5, 0x7fff, true)).toBe(2);
    // Too old to know.
    for (let p = 7; p < 7 + 200; p++) m.map(p, 0x7fff, true);
    expect(m.map(6, 0x7fff, true)).toBe(-1);
  });

  it('works on 7-bit ids across their wrap', () => {
    const m = new PictureIdMapper();
    const out: number[] = [];
    for (let i = 0; i < 300; i++) {
      const r = m.map((120 + i) & 0x7f, 0x7f, i % 3 !== 1);
      if (r >= 0) out.push(r);
    }
    for (let i = 1; i < out.length; i++) expect((out[i]! - out[i - 1]!) & 0x7f).toBe(1);
    expect(out.length).toBe(200);
  });
});

describe('Vp8TemporalSelector', () => {
  it('forwards every packet unchanged at the highest layer', () => {
    const sel = new Vp8TemporalSelector(3);
    sel.resync();
    const pkts = l1t3Stream(40);
    const out = run(sel, pkts);
    expect(out.map((o) => o.seq)).toEqual(pkts.map((p) => p.seq));
    expect(out[0]!.pic).toBe(0x7ff0);
    expect(out[0]!.tl0).toBe(250);
    expectContinuous(out);
    expect(sel.current).toBe(2);
    expect(sel.framesDropped).toBe(0);
  });

  it('forwards only TL0 at temporal layer 0, with no gap in seq, picture id or TL0PICIDX', () => {
    const sel = new Vp8TemporalSelector(3, 0);
    sel.resync();
    const out = run(sel, l1t3Stream(40));
    expect(framesOf(out)).toEqual([0, 4, 8, 12, 16, 20, 24, 28, 32, 36]);
    expect(out.every((o) => o.tid === 0)).toBe(true);
    expectContinuous(out);
    expect(sel.framesDropped).toBe(30);
  });

  it('forwards TL0 and TL1 at temporal layer 1', () => {
    const sel = new Vp8TemporalSelector(3, 1);
    sel.resync();
    const out = run(sel, l1t3Stream(16));
    expect(framesOf(out)).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
    expectContinuous(out);
  });

  it('goes down at the next frame start, never in the middle of a frame', () => {
    const sel = new Vp8TemporalSelector(3);
    sel.resync();
    const pkts = l1t3Stream(12, { perFrame: 3 });
    // Lower the target after the first packet of frame 5 (TID 2): frame 5 stays whole, then TL0 only.
    const changes: number[] = [];
    const out = run(sel, pkts, (i) => {
      if (i === 5 * 3 + 1) sel.setTarget(0);
      if (i > 0 && sel.changed) changes.push(i - 1);
    });
    expect(framesOf(out)).toEqual([0, 1, 2, 3, 4, 5, 8]);
    expect(out.filter((o) => o.frame === 5)).toHaveLength(3);
    expectContinuous(out);
    expect(sel.current).toBe(0);
    expect(changes).toEqual([6 * 3]); // at frame 6's first packet
  });

  it('goes up only at a layer-sync frame or a key frame', () => {
    // Layer-sync frames only in every third cycle (frames 1, 2 of cycles 0, 3, 6…).
    const sel = new Vp8TemporalSelector(3, 0);
    sel.resync();
    const pkts = l1t3Stream(40, { syncEvery: 3 });
    const out = run(sel, pkts, (i) => {
      if (i === 5 * 2) sel.setTarget(2); // cycle 1: its TL1/TL2 frames are not sync frames
    });
    // Up at frame 13 (TL2 sync of cycle 3): TL0..TL2 from there on.
    expect(framesOf(out)).toEqual([0, 4, 8, 12, ...Array.from({ length: 27 }, (_, k) => 13 + k)]);
    expectContinuous(out);
    expect(sel.current).toBe(2);

    // A key frame lets every layer in at once.
    const sel2 = new Vp8TemporalSelector(3, 0);
    sel2.resync();
    const pkts2 = l1t3Stream(24, { syncEvery: 1000, keyEvery: 10 });
    const out2 = run(sel2, pkts2, (i) => {
      if (i === 4 * 2) sel2.setTarget(2); // from cycle 1 on, no layer-sync frames
    });
    expect(framesOf(out2)).toEqual([0, 4, 8, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]);
    expectContinuous(out2);
  });

  it('goes up to TL1 only when TL1 is the target (a TL2 sync frame does not count)', () => {
    const sel = new Vp8TemporalSelector(3, 0);
    sel.resync();
    const out = run(sel, l1t3Stream(16), (i) => {
      if (i === 3 * 2) sel.setTarget(1);
    });
    expect(framesOf(out)).toEqual([0, 4, 6, 8, 10, 12, 14]);
    expectContinuous(out);
  });

  it('flags each change of the current layer once', () => {
    const flagged: number[] = [];
    const sel2 = new Vp8TemporalSelector(3);
    sel2.resync();
    const pkts = l1t3Stream(40);
    pkts.forEach((p, i) => {
      if (i === 10) sel2.setTarget(0);
      if (i === 20) sel2.setTarget(1);
      sel2.select(p.buf, 0, p.buf.length, p.seq, p.ts, p.key);
      if (sel2.changed) flagged.push(sel2.current);
    });
    expect(flagged).toEqual([0, 1]);
    expect(sel2.current).toBe(1);
  });

  it('gives a retransmitted packet the number it had, and keeps a dropped one dropped', () => {
    const sel = new Vp8TemporalSelector(3, 1);
    sel.resync();
    const pkts = l1t3Stream(12);
    const out = run(sel, pkts);
    const kept = pkts[2 * 2 + 1]!; // frame 2, TL1
    const dropped = pkts[3 * 2]!; // frame 3, TL2
    const firstOut = out.find((o) => o.frame === 2 && o.seq === out.filter((x) => x.frame === 2)[1]!.seq)!;
    expect(sel.select(kept.buf, 0, kept.buf.length, kept.seq, kept.ts, false)).toBe(firstOut.seq);
    expect(sel.pic).toBe(firstOut.pic);
    expect(sel.select(dropped.buf, 0, dropped.buf.length, dropped.seq, dropped.ts, false)).toBe(-1);
  });

  it('a lost packet that arrives late takes its place', () => {
    const sel = new Vp8TemporalSelector(3, 0);
    sel.resync();
    const pkts = l1t3Stream(12);
    const lost = pkts[4 * 2 + 1]!; // frame 4 (TL0), second packet
    const out = run(
      sel,
      pkts.filter((p) => p !== lost),
    );
    const late = sel.select(lost.buf, 0, lost.buf.length, lost.seq, lost.ts, false);
    const all = [...out, { seq: late, pic: sel.pic, tl0: sel.tl0, tid: 0, frame: 4 }].sort(
      (a, b) => a.frame - b.frame || ((a.seq - b.seq) & 0x8000 ? -1 : 1),
    );
    expectContinuous(all);
  });

  it('continues picture id and TL0PICIDX across a new source (spatial switch or restart)', () => {
    const sel = new Vp8TemporalSelector(3, 0);
    sel.resync();
    const a = run(sel, l1t3Stream(9));
    sel.setTarget(2);
    sel.resync();
    // The new source: other seq, picture id and TL0PICIDX bases, starting with a key frame.
    const b = run(sel, l1t3Stream(9, { seq0: 100, pic0: 5, tl00: 7 }));
    expect(b[0]!.pic).toBe((a.at(-1)!.pic + 1) & 0x7fff);
    expect(b[0]!.tl0).toBe((a.at(-1)!.tl0 + 1) & 0xff);
    expect(b[0]!.seq).toBe(100); // the consumer re-offsets sequence numbers itself
    expectContinuous(b);
    expect(framesOf(b)).toHaveLength(9);
  });

  it('forwards everything with one temporal layer, and a packet it cannot read', () => {
    const sel = new Vp8TemporalSelector(1);
    sel.resync();
    const pkts = l1t3Stream(12);
    expect(run(sel, pkts)).toHaveLength(pkts.length);
    const sel3 = new Vp8TemporalSelector(3, 0);
    sel3.resync();
    expect(sel3.select(new Uint8Array(0), 0, 0, 10, 0, false)).toBe(10);
    expect(sel3.select(Uint8Array.from([0x80, 0x80]), 0, 2, 11, 0, false)).toBe(11);
  });

  it('never throws on random payloads and keeps forwarded numbers consecutive', () => {
    const sel = new Vp8TemporalSelector(3, 1);
    sel.resync();
    let seed = 7;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    let last = -1;
    for (let i = 0; i < 5000; i++) {
      const len = rnd() % 9;
      const buf = new Uint8Array(len);
      for (let k = 0; k < len; k++) buf[k] = rnd() & 0xff;
      const s = sel.select(buf, 0, len, i & 0xffff, Math.floor(i / 3) * 3000, false);
      if (s < 0) continue;
      if (last >= 0) expect((s - last) & 0xffff).toBe(1);
      last = s;
    }
  });

  it('leaves the payload as it is (rewriting happens on the sent copy)', () => {
    const sel = new Vp8TemporalSelector(3, 0);
    sel.resync();
    const pkts = l1t3Stream(8);
    const copies = pkts.map((p) => Uint8Array.from(p.buf));
    run(sel, pkts);
    for (const [i, p] of pkts.entries()) expect(p.buf).toEqual(copies[i]);
    const d = new Vp8Descriptor();
    expect(parseVp8PayloadDescriptor(pkts[0]!.buf, 0, pkts[0]!.buf.length, d) && d.layerSync).toBe(true);
  });
});

describe('EngineConsumer of a VP8 L1T3 producer', () => {
  const codec = { mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }, { type: 'nack' }] };
  const rtpParameters: RtpParameters = {
    codecs: [{ ...codec, payloadType: 96 }],
    headerExtensions: [],
    encodings: [{ ssrc: 1111, scalabilityMode: 'L1T3' }],
  };
  const consumable: RtpParameters = {
    codecs: [{ ...codec, payloadType: 101 }],
    headerExtensions: [],
    encodings: [{ ssrc: 2222, scalabilityMode: 'L1T3' }],
  };

  const make = (o: { keyFrameCache?: boolean; preferredTemporal?: number } = {}) => {
    const host: ProducerHost = { id: 't', mediaReady: true, feedbackSsrc: 1, sendRtcp: () => undefined, drop: () => undefined };
    const producer = new EngineProducer(
      host,
      {
        id: 'p',
        kind: 'video',
        rtpParameters,
        consumableRtpParameters: consumable,
        rtpMapping: { codecs: [{ payloadType: 96, mappedPayloadType: 101 }], encodings: [{ ssrc: 1111, mappedSsrc: 2222 }] },
        paused: false,
        keyFrameCache: o.keyFrameCache ?? false,
      },
      () => undefined,
    );
    const sent: { seq: number; pic: number; tl0: number; tid: number; ssrc: number }[] = [];
    const d = new Vp8Descriptor();
    const out = new RtpHeaderView();
    const scratch = Buffer.alloc(2048);
    const sink: RtpSink = {
      mediaReady: true,
      rtpBuffer: () => scratch,
      sendRtp: (buf, length) => {
        // Read at send time: the buffer is the sink's scratch, reused for the next packet.
        if (!parseRtpHeader(buf, out, length)) throw new Error('not RTP');
        parseVp8PayloadDescriptor(buf, out.payloadOffset, out.payloadLength, d);
        sent.push({ seq: out.sequenceNumber, pic: d.pictureId, tl0: d.tl0PicIdx, tid: d.tid, ssrc: out.ssrc });
      },
      sendRtcp: () => undefined,
      nextTransportSeq: () => 0,
    };
    const events: { event: string; data: unknown }[] = [];
    const consumer = new EngineConsumer(
      producer,
      sink,
      {
        id: 'c',
        kind: 'video',
        paused: false,
        preferredLayers: o.preferredTemporal === undefined ? undefined : { spatialLayer: 0, temporalLayer: o.preferredTemporal },
        rtpParameters: {
          codecs: [{ ...codec, payloadType: 101 }],
          headerExtensions: [],
          encodings: [{ ssrc: 5555, scalabilityMode: 'L1T3' }],
        },
      },
      (_id, event, data) => void events.push({ event, data }),
    );
    if (!o.keyFrameCache) producer.listeners.add(consumer);
    const stream = producer.streamBySsrc(1111)!;
    const feed = (pkts: Pkt[], before?: (i: number) => void): void =>
      pkts.forEach((p, i) => {
        before?.(i);
        const buf = new RtpPacket(
          new RtpHeader({ sequenceNumber: p.seq, timestamp: p.ts, ssrc: 1111, payloadType: 96 }),
          Buffer.from(p.buf),
        ).serialize();
        const h = new RtpHeaderView();
        if (!parseRtpHeader(buf, h)) throw new Error('not RTP');
        producer.receiveRtp(buf, h, stream, performance.now());
      });
    return { producer, consumer, sent, events, feed };
  };

  it('is simulcast of one spatial layer, drops frames above the preferred temporal layer and keeps the stream continuous', () => {
    const { producer, consumer, sent, events, feed } = make();
    try {
      expect(consumer.simulcast).toBe(true);
      const pkts = l1t3Stream(60, { syncEvery: 1 });
      // Temporal switches need no key frame: count what the consumer asks of the producer from the first switch on.
      let keyFrameRequests = 0;
      const request = producer.requestKeyFrame.bind(producer);
      feed(pkts, (i) => {
        if (i === 20 * 2) {
          producer.requestKeyFrame = (now: number) => {
            keyFrameRequests++;
            return request(now);
          };
          consumer.setPreferredLayers(0, 0);
        }
        if (i === 40 * 2 + 1) consumer.setPreferredLayers(0, 2);
      });
      expect(keyFrameRequests).toBe(0);
      expect(sent[0]!.ssrc).toBe(5555);
      for (let i = 1; i < sent.length; i++) {
        expect((sent[i]!.seq - sent[i - 1]!.seq) & 0xffff).toBe(1);
        expect((sent[i]!.pic - sent[i - 1]!.pic) & 0x7fff).toBeLessThanOrEqual(1);
      }
      // 20 frames of every layer, then TL0 only (frames 20, 24… 40), then all from the sync frame after frame 40 (41).
      expect(sent).toHaveLength(20 * 2 + 6 * 2 + 19 * 2);
      expect(sent.slice(40, 52).every((s) => s.tid === 0)).toBe(true);
      expect(sent[52]!.tid).toBe(2);
      const layers = events.filter((e) => e.event === 'layerschange').map((e) => e.data);
      expect(layers).toEqual([
        { spatialLayer: 0, temporalLayer: 2 },
        { spatialLayer: 0, temporalLayer: 0 },
        { spatialLayer: 0, temporalLayer: 2 },
      ]);
      expect(consumer.currentLayers).toEqual({ spatialLayer: 0, temporalLayer: 2 });
      expect(consumer.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 2 });
      // A NACK of a packet sent after the drops retransmits it with the picture id it was sent with.
      const n = sent.length;
      const first = sent[45]!;
      consumer.receiveNack(first.seq, 0, performance.now());
      expect(sent).toHaveLength(n + 1);
      expect(sent[n]).toEqual(first);
      // Scores: one encoding, the forwarded one.
      const scores: unknown[] = [];
      const c2 = consumer as unknown as { emit: (id: string, event: string, data: unknown) => void };
      c2.emit = (_id, event, data) => void (event === 'score' && scores.push(data));
      consumer.emitScore();
      expect(scores).toEqual([{ score: 10, producerScore: 10, producerScores: [10] }]);
      expect(producer.scores()).toEqual([{ encodingIdx: 0, ssrc: 1111, score: 10 }]);
    } finally {
      consumer.close();
      producer.close();
    }
  });

  it('lowers its temporal layer to fit a narrow estimate, raises it one layer at a time, and never asks for a key frame', () => {
    const { producer, consumer, sent, events, feed } = make();
    try {
      const stream = producer.streamBySsrc(1111)!;
      // One second of L1T3 (TIDs 0,2,1,2: a quarter of the bytes in TL0, a quarter in TL1, half in TL2).
      const pkts = l1t3Stream(80, { syncEvery: 1 });
      stream.updateBitrate(1000);
      feed(pkts.slice(0, 80));
      stream.updateBitrate(2000);
      const all = stream.bitrate;
      expect(all).toBeGreaterThan(0);
      expect(producer.getStats()[0]!.bitrateByLayer).toEqual({ '0.0': all / 4, '0.1': all / 2, '0.2': all });
      let keyFrameRequests = 0;
      const request = producer.requestKeyFrame.bind(producer);
      producer.requestKeyFrame = (now: number) => {
        keyFrameRequests++;
        return request(now);
      };
      let at = 80;
      /** The temporal layers forwarded of the stream's next 8 frames (16 packets). */
      const next8 = () => {
        const n = sent.length;
        feed(pkts.slice(at, at + 16));
        at += 16;
        return [...new Set(sent.slice(n).map((x) => x.tid))].sort();
      };
      // Less than TL0+TL1 but more than TL0: only TL0, at once.
      consumer.setAvailableBitrate((all * 3) / 8, 10_000);
      expect(next8()).toEqual([0]);
      // Room for everything again: one layer up only after the hold, then the next after another.
      consumer.setAvailableBitrate(all * 2, 11_000);
      expect(next8()).toEqual([0]);
      consumer.setAvailableBitrate(all * 2, 10_000 + BWE_UP_HOLD_MS);
      expect(next8()).toEqual([0, 1]);
      consumer.setAvailableBitrate(all * 2, 10_000 + 2 * BWE_UP_HOLD_MS);
      expect(next8()).toEqual([0, 1, 2]);
      // Less than even TL0: the lowest rung still (a frame now and then beats none).
      consumer.setAvailableBitrate(all / 100, 10_000 + 3 * BWE_UP_HOLD_MS);
      expect(next8()).toEqual([0]);
      expect(at).toBe(pkts.length);
      for (let i = 1; i < sent.length; i++) expect((sent[i]!.seq - sent[i - 1]!.seq) & 0xffff).toBe(1);
      expect(keyFrameRequests).toBe(0);
      expect(consumer.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 2 });
      expect(events.filter((e) => e.event === 'layerschange').map((e) => (e.data as { temporalLayer: number }).temporalLayer)).toEqual([
        2, 0, 1, 2, 0,
      ]);
    } finally {
      consumer.close();
      producer.close();
    }
  });

  it('starts a newcomer from the cached key frame, through its temporal layer', () => {
    const { producer, consumer, sent, feed } = make({ keyFrameCache: true, preferredTemporal: 0 });
    try {
      feed(l1t3Stream(12, { perFrame: 1 })); // after the consumer was created: a key frame it can decode
      producer.listeners.add(consumer);
      consumer.requestStartKeyFrame(performance.now());
      expect(producer.keyFramesReplayed).toBe(1);
      // The cached frames 0…11 at temporal layer 0: frames 0, 4, 8, consecutive.
      expect(sent.map((s) => s.tid)).toEqual([0, 0, 0]);
      expect(sent.map((s) => (s.seq - sent[0]!.seq) & 0xffff)).toEqual([0, 1, 2]);
      expect(sent.map((s) => (s.pic - sent[0]!.pic) & 0x7fff)).toEqual([0, 1, 2]);
      expect(consumer.currentLayers).toEqual({ spatialLayer: 0, temporalLayer: 0 });
    } finally {
      consumer.close();
      producer.close();
    }
  });
});
