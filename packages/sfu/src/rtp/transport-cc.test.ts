import { describe, expect, it } from 'vitest';
import { TransportCcRecorder, parseTransportCcFeedback, type TransportCcPacketStatus } from './transport-cc.js';
import { walkRtcp } from '../engine/rtcp.js';

const all = (fbs: Buffer[]): TransportCcPacketStatus[] => fbs.flatMap((b) => parseTransportCcFeedback(b)!.packets);

describe('TransportCcRecorder', () => {
  it('reports every packet with its arrival time (250 µs resolution) and its losses', () => {
    const rec = new TransportCcRecorder({ senderSsrc: 0x1234 });
    const t0 = 1_000_000.3; // ms
    const lost = new Set([3, 4, 10, 40]);
    for (let i = 0; i < 60; i++) if (!lost.has(i)) rec.record(100 + i, t0 + i * 5.1, 0xabcdef);
    expect(rec.pending).toBe(true);
    const fbs = rec.buildFeedback();
    expect(fbs).toHaveLength(1);
    const fb = parseTransportCcFeedback(fbs[0]!)!;
    expect(fb.senderSsrc).toBe(0x1234);
    expect(fb.mediaSsrc).toBe(0xabcdef);
    expect(fb.baseSeq).toBe(100);
    expect(fb.packets).toHaveLength(60);
    // Valid RTCP for the engine's own walker (length, padding).
    expect(fbs[0]!.length % 4).toBe(0);
    expect(walkRtcp(fbs[0]!, {})).toBe(true);
    const first = fb.packets[0]!.arrivalUs!;
    fb.packets.forEach((p, i) => {
      expect(p.seq).toBe(100 + i);
      expect(p.received).toBe(!lost.has(i));
      if (p.received) expect(Math.abs(p.arrivalUs! - first - i * 5100)).toBeLessThanOrEqual(250);
    });
    expect(rec.pending).toBe(false);
    expect(rec.buildFeedback()).toHaveLength(0);
  });

  it('continues after the last reported sequence number, across the 16-bit wrap, with a feedback counter', () => {
    const rec = new TransportCcRecorder({ senderSsrc: 1 });
    for (let i = 0; i < 10; i++) rec.record(65530 + i, 10 + i, 5);
    const a = parseTransportCcFeedback(rec.buildFeedback()[0]!)!;
    expect(a.baseSeq).toBe(65530);
    expect(a.packets.map((p) => p.seq)).toEqual([65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3]);
    rec.record(4, 30, 5);
    rec.record(6, 31, 5);
    rec.record(2, 32, 5); // late: already reported
    const b = parseTransportCcFeedback(rec.buildFeedback()[0]!)!;
    expect(b.baseSeq).toBe(4);
    expect(b.packets.map((p) => p.received)).toEqual([true, false, true]);
    expect(b.feedbackCount).toBe((a.feedbackCount + 1) & 0xff);
    expect(rec.packetsLate).toBe(1);
  });

  it('encodes reordering (negative deltas) and long gaps (large deltas, new reference time)', () => {
    const rec = new TransportCcRecorder({ senderSsrc: 1 });
    rec.record(1, 1000, 9);
    rec.record(3, 1001, 9);
    rec.record(2, 1002, 9); // seq 2 arrives after 3: its delta from 3 is positive, 3's from 1 fine
    rec.record(4, 1000.5, 9); // arrival earlier than seq 3's: negative delta
    rec.record(5, 1200, 9); // 200 ms later: a large delta
    rec.record(6, 1200 + 20_000, 9); // 20 s later: beyond int16 × 250 µs, a second feedback
    const fbs = rec.buildFeedback();
    expect(fbs.length).toBe(2);
    const ps = all(fbs);
    expect(ps.map((p) => p.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const a = parseTransportCcFeedback(fbs[0]!)!;
    const at = (seq: number): number => a.packets.find((p) => p.seq === seq)!.arrivalUs!;
    expect(at(2) - at(1)).toBeCloseTo(2000, -3);
    expect(at(3) - at(1)).toBeCloseTo(1000, -3);
    expect(at(4) - at(1)).toBeCloseTo(500, -3);
    expect(at(5) - at(1)).toBeCloseTo(200_000, -3);
    const b = parseTransportCcFeedback(fbs[1]!)!;
    expect(b.baseSeq).toBe(6);
    expect(b.referenceTime * 64 * 1000 + (b.packets[0]!.arrivalUs! - b.referenceTime * 64000)).toBeCloseTo(21_200_000, -3);
  });

  it('splits a long window into several feedbacks and reports long runs of losses', () => {
    const rec = new TransportCcRecorder({ senderSsrc: 1 });
    for (let i = 0; i < 1000; i++) rec.record(i, i * 0.1, 9);
    rec.record(1500, 200, 9); // 499 lost in between
    const fbs = rec.buildFeedback();
    expect(fbs.length).toBeGreaterThan(1);
    for (const b of fbs) expect(b.length).toBeLessThan(1200);
    const ps = all(fbs);
    expect(ps).toHaveLength(1501);
    expect(ps.filter((p) => p.received)).toHaveLength(1001);
    expect(ps[1499]!.received).toBe(false);
    expect(ps[1500]!.received).toBe(true);
  });
});
