import { describe, expect, it } from 'vitest';
import { RtpReceiveStats, rttFromReportBlock, toNtp } from './receive-stats.js';
import { RetransmissionBuffer } from './retransmission-buffer.js';
import { SeqTsRewriter } from './seq-ts-rewriter.js';

const packet = (seq: number, size = 100): Uint8Array => {
  const p = new Uint8Array(size);
  p[0] = 0x80;
  p[2] = seq >> 8;
  p[3] = seq & 0xff;
  p[size - 1] = seq & 0xff;
  return p;
};

describe('RetransmissionBuffer', () => {
  it('returns stored packets and rounds capacity to a power of two', () => {
    const buf = new RetransmissionBuffer({ capacity: 100, maxPacketSize: 1200 });
    expect(buf.capacity).toBe(128);
    expect(buf.store(5, packet(5, 300), 300, 0)).toBe(true);
    const got = buf.get(5, 10)!;
    expect(got.length).toBe(300);
    expect(got[3]).toBe(5);
    expect(buf.get(6, 10)).toBeUndefined();
    expect(buf.store(7, new Uint8Array(1201), 1201, 0)).toBe(false);
  });

  it('wraps around the 16-bit sequence space and evicts older packets', () => {
    const buf = new RetransmissionBuffer({ capacity: 64 });
    for (let i = 0; i < 200; i++) buf.store((65500 + i) & 0xffff, packet((65500 + i) & 0xffff), 100, i);
    const newest = (65500 + 199) & 0xffff; // 163
    expect(buf.get(newest, 200)?.[3]).toBe(newest & 0xff);
    expect(buf.get(newest - 63, 200)).toBeDefined();
    expect(buf.get(newest - 64, 200)).toBeUndefined(); // overwritten by newest
    expect(buf.get(65535, 200)).toBeUndefined();
    // Across the wrap: 65535 and 0 both stored while within capacity.
    const b2 = new RetransmissionBuffer({ capacity: 64 });
    b2.store(65535, packet(65535), 100, 0);
    b2.store(0, packet(0), 100, 0);
    expect(b2.get(65535, 1)?.[3]).toBe(0xff);
    expect(b2.get(0, 1)?.[3]).toBe(0);
  });

  it('expires packets older than maxAgeMs and copies without allocation', () => {
    const buf = new RetransmissionBuffer({ capacity: 16, maxAgeMs: 1000 });
    buf.store(1, packet(1, 50), 50, 0);
    const dst = new Uint8Array(100);
    expect(buf.copyTo(1, 1000, dst, 10)).toBe(50);
    expect(dst[13]).toBe(1);
    expect(buf.copyTo(1, 1001, dst)).toBe(0);
    expect(buf.copyTo(1, 10, new Uint8Array(20))).toBe(0);
    expect(buf.storedAt(1)).toBe(0);
    buf.clear();
    expect(buf.get(1, 0)).toBeUndefined();
  });

  it('stores a prefix when length < packet.length', () => {
    const buf = new RetransmissionBuffer({ capacity: 4 });
    buf.store(2, packet(2, 100), 40, 0);
    expect(buf.get(2, 0)!.length).toBe(40);
  });
});

describe('SeqTsRewriter', () => {
  it('passes the first segment through unchanged', () => {
    const rw = new SeqTsRewriter(90000);
    rw.resync(1000, 5000, 0);
    rw.rewrite(1000, 5000, 0);
    expect([rw.seq, rw.timestamp]).toEqual([1000, 5000]);
    rw.rewrite(1001, 8000, 33);
    expect([rw.seq, rw.timestamp]).toEqual([1001, 8000]);
  });

  it('continues seamlessly after a pause and a producer switch', () => {
    const rw = new SeqTsRewriter(90000);
    rw.resync(65534, 0xfffffff0, 0);
    for (let i = 0; i < 4; i++) rw.rewrite((65534 + i) & 0xffff, (0xfffffff0 + i * 3000) >>> 0, i * 33);
    expect(rw.seq).toBe(1); // wrapped
    const lastTs = rw.timestamp;
    // Resume 2 s later on a different producer with unrelated numbering.
    rw.resync(40000, 123456, 99 + 2000);
    rw.rewrite(40000, 123456, 2099);
    expect(rw.seq).toBe(2);
    expect((rw.timestamp - lastTs) >>> 0).toBe(2000 * 90);
    rw.rewrite(40001, 126456, 2132);
    expect(rw.seq).toBe(3);
    expect((rw.timestamp - lastTs) >>> 0).toBe(2000 * 90 + 3000);
  });

  it('advances the timestamp by at least one tick and handles reordering', () => {
    const rw = new SeqTsRewriter(48000);
    rw.resync(10, 100, 0);
    rw.rewrite(10, 100, 0);
    rw.rewrite(12, 1060, 20);
    rw.rewrite(11, 580, 21); // late packet keeps its mapping
    expect(rw.seq).toBe(11);
    rw.resync(500, 7, 20);
    rw.rewrite(500, 7, 20);
    expect(rw.seq).toBe(13);
    expect(rw.timestamp).toBe(1061);
  });

  it('closes the gap left by a dropped newest packet', () => {
    const rw = new SeqTsRewriter(90000);
    rw.resync(1, 0, 0);
    rw.rewrite(1, 0);
    rw.rewrite(2, 0);
    expect(rw.drop(3)).toBe(true);
    rw.rewrite(4, 0);
    expect(rw.seq).toBe(3);
    expect(rw.drop(2)).toBe(false);
  });

  it('rejects a non-positive clock rate', () => {
    expect(() => new SeqTsRewriter(0)).toThrow(TypeError);
  });
});

describe('RtpReceiveStats', () => {
  it('counts packets, loss, and the extended highest sequence number across a wrap', () => {
    const st = new RtpReceiveStats(1234, 90000);
    let seq = 65530;
    for (let i = 0; i < 20; i++) {
      if (i !== 5 && i !== 6) st.onPacket(seq, i * 3000, i * 33.333, 1000);
      seq = (seq + 1) & 0xffff;
    }
    expect(st.packets).toBe(18);
    expect(st.bytes).toBe(18000);
    expect(st.extendedHighestSeq).toBe(65536 + 13);
    expect(st.expected).toBe(20);
    expect(st.lost).toBe(2);
    const block = st.buildReportBlock(1000)!;
    expect(block).toMatchObject({ ssrc: 1234, totalLost: 2, highestSeq: 65549, fractionLost: Math.floor((2 * 256) / 20), lsr: 0, dlsr: 0 });
    // The next interval has no loss.
    st.onPacket(seq, 20 * 3000, 20 * 33.333, 1000);
    expect(st.buildReportBlock(1100)!.fractionLost).toBe(0);
  });

  it('counts duplicates and late packets without moving the highest sequence', () => {
    const st = new RtpReceiveStats(1, 90000);
    st.onPacket(100, 0, 0, 10);
    st.onPacket(102, 0, 0, 10);
    st.onPacket(101, 0, 0, 10);
    st.onPacket(101, 0, 0, 10);
    expect(st.extendedHighestSeq).toBe(102);
    expect(st.lost).toBe(-1);
  });

  it('needs two sequential packets to accept a large jump (source restart)', () => {
    const st = new RtpReceiveStats(1, 90000);
    st.onPacket(100, 0, 0, 10);
    st.onPacket(101, 0, 0, 10);
    st.onPacket(30000, 0, 0, 10);
    expect(st.extendedHighestSeq).toBe(101);
    expect(st.packets).toBe(2);
    st.onPacket(30001, 0, 0, 10);
    expect(st.extendedHighestSeq).toBe(30001);
    expect(st.packets).toBe(1);
    expect(st.lost).toBe(0);
  });

  it('computes RFC 3550 jitter', () => {
    const st = new RtpReceiveStats(1, 90000);
    // Perfectly paced: no jitter.
    for (let i = 0; i < 50; i++) st.onPacket(i, i * 3000, i * (1000 / 30), 100);
    expect(st.jitter).toBeLessThan(1e-6);
    // Alternating ±5 ms arrival error: |D| = 10 ms = 900 ticks; J converges towards 900.
    const st2 = new RtpReceiveStats(1, 90000);
    for (let i = 0; i < 500; i++) st2.onPacket(i, i * 3000, i * (1000 / 30) + (i % 2 ? 5 : -5), 100);
    expect(st2.jitter).toBeGreaterThan(890);
    expect(st2.jitter).toBeLessThan(910);
    expect(st2.jitterMs).toBeCloseTo(10, 0);
  });

  it('fills LSR and DLSR from the last sender report', () => {
    const st = new RtpReceiveStats(1, 48000);
    st.onPacket(1, 0, 0, 10);
    st.onSenderReport(0x12345678, 0x9abcdef0, 1000);
    const block = st.buildReportBlock(1500)!;
    expect(block.lsr).toBe(0x56789abc);
    expect(block.dlsr).toBe(32768);
    // The sender computes RTT from it.
    const arrivalMid = (block.lsr + block.dlsr + 65536 * 0.04) >>> 0; // 40 ms later
    expect(rttFromReportBlock(block, arrivalMid)).toBeCloseTo(40, 0);
    expect(rttFromReportBlock({ ...block, lsr: 0 }, arrivalMid)).toBeUndefined();
  });

  it('converts Unix ms to NTP', () => {
    expect(toNtp(0)).toEqual({ ntpSec: 2208988800, ntpFrac: 0 });
    expect(toNtp(1500).ntpFrac).toBe(0x80000000);
  });
});
