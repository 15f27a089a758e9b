import { randomBytes } from 'node:crypto';
import {
  GenericNack,
  PictureLossIndication,
  ReceiverEstimatedMaxBitrate,
  RtcpPacketConverter,
  type RtcpPayloadSpecificFeedback,
  RtcpReceiverInfo,
  RtcpRrPacket,
  RtcpSenderInfo,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  RtcpTransportLayerFeedback,
} from 'werift';
import { describe, expect, it } from 'vitest';
import {
  buildFir,
  buildNack,
  buildPli,
  buildReceiverReport,
  buildRemb,
  buildSdesCname,
  buildSenderReport,
  encodeRembBitrate,
} from './rtcp-build.js';
import { nackSequenceNumbers, parseRtcpCompound } from './rtcp-parse.js';
import type { RtcpReportBlock } from './rtcp-types.js';

const block: RtcpReportBlock = {
  ssrc: 0xaabbccdd,
  fractionLost: 25,
  totalLost: -3,
  highestSeq: 0x00012345,
  jitter: 77,
  lsr: 0x11223344,
  dlsr: 65536,
};

describe('RTCP builders and parser', () => {
  it('round-trips SR + SDES + RR + PLI + FIR + NACK + REMB in one compound', () => {
    const compound = Buffer.concat([
      buildSenderReport(
        { ssrc: 1, ntpSec: 0xe0000000, ntpFrac: 0x80000000, rtpTimestamp: 0xfffffff0, packetCount: 10, octetCount: 12000 },
        [block],
      ),
      buildSdesCname(1, 'cname-abc'),
      buildReceiverReport(2, [block, { ...block, ssrc: 5, totalLost: 0x7fffff }]),
      buildPli(3, 4),
      buildFir(3, [{ ssrc: 4, seq: 300 }]),
      buildNack(3, 4, [100, 101, 103, 116, 117, 65535, 0]),
      buildRemb(3, 2_500_000, [4, 5]),
    ]);
    const { packets, unknown, malformed } = parseRtcpCompound(compound);
    expect(malformed).toBe(false);
    expect(unknown).toBe(0);
    expect(packets.map((p) => p.type)).toEqual(['sr', 'sdes', 'rr', 'pli', 'fir', 'nack', 'remb']);
    expect(packets[0]).toEqual({
      type: 'sr',
      ssrc: 1,
      ntpSec: 0xe0000000,
      ntpFrac: 0x80000000,
      rtpTimestamp: 0xfffffff0,
      packetCount: 10,
      octetCount: 12000,
      reports: [block],
    });
    expect(packets[1]).toEqual({ type: 'sdes', chunks: [{ ssrc: 1, cname: 'cname-abc' }] });
    expect(packets[2]).toMatchObject({ type: 'rr', ssrc: 2, reports: [block, { ssrc: 5, totalLost: 0x7fffff }] });
    expect(packets[3]).toEqual({ type: 'pli', senderSsrc: 3, mediaSsrc: 4 });
    expect(packets[4]).toEqual({ type: 'fir', senderSsrc: 3, entries: [{ ssrc: 4, seq: 300 & 0xff }] });
    const nack = packets[5]!;
    expect(nack.type === 'nack' && nackSequenceNumbers(nack.items)).toEqual([100, 101, 103, 116, 117, 65535, 0]);
    expect(packets[6]).toEqual({ type: 'remb', senderSsrc: 3, bitrate: expect.any(Number), ssrcs: [4, 5] });
  });

  it('produces packets werift parses the same way', () => {
    const rr = RtcpPacketConverter.deSerialize(buildReceiverReport(9, [block]))[0] as RtcpRrPacket;
    expect(rr).toBeInstanceOf(RtcpRrPacket);
    expect(rr.ssrc).toBe(9);
    expect(rr.reports[0]).toMatchObject({
      ssrc: block.ssrc,
      fractionLost: 25,
      highestSequence: 0x12345,
      jitter: 77,
      lsr: 0x11223344,
      dlsr: 65536,
    });

    const pli = RtcpPacketConverter.deSerialize(buildPli(1, 2))[0] as RtcpPayloadSpecificFeedback;
    expect(pli.feedback).toBeInstanceOf(PictureLossIndication);
    expect((pli.feedback as PictureLossIndication).mediaSsrc).toBe(2);

    const nack = RtcpPacketConverter.deSerialize(buildNack(1, 2, [10, 12, 40]))[0] as RtcpTransportLayerFeedback;
    expect((nack.feedback as GenericNack).lost).toEqual([10, 12, 40]);

    const remb = RtcpPacketConverter.deSerialize(buildRemb(1, 1_234_567, [2]))[0] as RtcpPayloadSpecificFeedback;
    const fb = remb.feedback as ReceiverEstimatedMaxBitrate;
    expect(fb).toBeInstanceOf(ReceiverEstimatedMaxBitrate);
    expect(Number(fb.bitrate)).toBeGreaterThan(1_234_567 * 0.999);
    expect(Number(fb.bitrate)).toBeLessThanOrEqual(1_234_567);
    expect(fb.ssrcFeedbacks).toEqual([2]);
  });

  it('parses what werift serialises (SR, RR, SDES, NACK)', () => {
    const sr = new RtcpSrPacket({
      ssrc: 42,
      senderInfo: new RtcpSenderInfo({ ntpTimestamp: 0x0102030405060708n, rtpTimestamp: 99, packetCount: 3, octetCount: 4 }),
      reports: [new RtcpReceiverInfo({ ssrc: 7, fractionLost: 1, packetsLost: 2, highestSequence: 3, jitter: 4, lsr: 5, dlsr: 6 })],
    }).serialize();
    const rr = new RtcpRrPacket({ ssrc: 43, reports: [] }).serialize();
    const nack = new RtcpTransportLayerFeedback({
      feedback: new GenericNack({ senderSsrc: 1, mediaSourceSsrc: 2, lost: [5, 6, 30] }),
    }).serialize();
    const { packets, malformed } = parseRtcpCompound(Buffer.concat([sr, rr, nack]));
    expect(malformed).toBe(false);
    expect(packets[0]).toMatchObject({
      type: 'sr',
      ssrc: 42,
      ntpSec: 0x01020304,
      ntpFrac: 0x05060708,
      rtpTimestamp: 99,
      reports: [{ ssrc: 7, totalLost: 2, lsr: 5, dlsr: 6 }],
    });
    expect(packets[1]).toEqual({ type: 'rr', ssrc: 43, reports: [] });
    const n = packets[2]!;
    expect(n.type === 'nack' && nackSequenceNumbers(n.items)).toEqual([5, 6, 30]);
    const sdes = new RtcpSourceDescriptionPacket({ chunks: [] });
    expect(sdes).toBeDefined();
  });

  it('recognises transport-cc and BYE, counts APP/XR/unknown feedback as unknown', () => {
    const twcc = Buffer.from([0x8f, 205, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 1, 0, 0, 0, 0]);
    const bye = Buffer.from([0x81, 203, 0, 2, 0, 0, 0, 9, 3, 0x61, 0x62, 0x63]);
    const app = Buffer.from([0x80, 204, 0, 2, 0, 0, 0, 1, 0x41, 0x42, 0x43, 0x44]);
    const xr = Buffer.from([0x80, 207, 0, 1, 0, 0, 0, 1]);
    const afbNotRemb = Buffer.from([0x8f, 206, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0x58, 0x58, 0x58, 0x58]);
    const { packets, unknown, malformed } = parseRtcpCompound(Buffer.concat([twcc, bye, app, xr, afbNotRemb]));
    expect(malformed).toBe(false);
    expect(packets).toEqual([
      { type: 'transport-cc', senderSsrc: 1, mediaSsrc: 2 },
      { type: 'bye', ssrcs: [9], reason: 'abc' },
    ]);
    expect(unknown).toBe(3);
  });

  it('handles padding in the last packet and flags bad padding', () => {
    const rr = buildReceiverReport(1);
    const padded = Buffer.concat([rr, Buffer.from([0, 0, 0, 4])]);
    padded[0] = padded[0]! | 0x20;
    padded.writeUInt16BE(2, 2);
    expect(parseRtcpCompound(padded)).toEqual({ packets: [{ type: 'rr', ssrc: 1, reports: [] }], unknown: 0, malformed: false });
    padded[padded.length - 1] = 0;
    expect(parseRtcpCompound(padded).malformed).toBe(true);
  });

  it('stops at truncated or inconsistent packets and keeps what came before', () => {
    const pli = buildPli(1, 2);
    const rrWithBlock = buildReceiverReport(1, [block]);
    const lying = Buffer.from(rrWithBlock.subarray(0, 8));
    lying[0] = 0x81; // claims one report block but has none
    lying.writeUInt16BE(1, 2);
    const r1 = parseRtcpCompound(Buffer.concat([pli, lying]));
    expect(r1.packets).toHaveLength(1);
    expect(r1.malformed).toBe(true);
    expect(parseRtcpCompound(rrWithBlock.subarray(0, 20)).malformed).toBe(true);
    expect(parseRtcpCompound(Buffer.concat([pli, Buffer.from([0x80, 201])])).malformed).toBe(true);
    expect(parseRtcpCompound(Buffer.alloc(0)).malformed).toBe(true);
    const v1 = Buffer.from(pli);
    v1[0] = 0x41;
    expect(parseRtcpCompound(v1)).toEqual({ packets: [], unknown: 0, malformed: true });
  });

  it('never throws on 10^4 random, truncated and bit-flipped buffers', () => {
    const valid = Buffer.concat([
      buildSenderReport({ ssrc: 1, ntpSec: 1, ntpFrac: 2, rtpTimestamp: 3, packetCount: 4, octetCount: 5 }, [block]),
      buildSdesCname(1, 'x'),
      buildNack(1, 2, [1, 2, 3]),
      buildRemb(1, 300000, [2]),
      buildFir(1, [{ ssrc: 2, seq: 1 }]),
      Buffer.from([0x81, 203, 0, 2, 0, 0, 0, 9, 3, 0x61, 0x62, 0x63]),
    ]);
    let recognised = 0;
    for (let i = 0; i < 10_000; i++) {
      let buf: Buffer;
      if (i % 3 === 0) {
        buf = randomBytes(i % 200);
        if (buf.length > 0) buf[0] = 0x80 | (buf[0]! & 0x3f);
        if (buf.length > 1) buf[1] = 200 + (buf[1]! % 8);
      } else if (i % 3 === 1) {
        buf = Buffer.from(valid.subarray(0, i % valid.length));
      } else {
        buf = Buffer.from(valid);
        for (let k = 0; k < 4; k++) buf[(i * 7 + k * 13) % buf.length]! ^= 1 << ((i + k) % 8);
      }
      const result = parseRtcpCompound(buf);
      recognised += result.packets.length;
      expect(Array.isArray(result.packets)).toBe(true);
    }
    expect(recognised).toBeGreaterThan(1000);
  });
});

describe('REMB bitrate encoding', () => {
  it.each([0, 1, 1000, 262_143, 262_144, 300_000, 2_500_000, 10_000_000, 1_000_000_000, 2 ** 40])(
    'encodes %d with an 18-bit mantissa and decodes within one step',
    (bitrate) => {
      const { exp, mantissa } = encodeRembBitrate(bitrate);
      expect(mantissa).toBeLessThan(2 ** 18);
      expect(exp).toBeLessThan(64);
      const decoded = mantissa * 2 ** exp;
      expect(decoded).toBeLessThanOrEqual(bitrate);
      expect(bitrate - decoded).toBeLessThan(2 ** exp);
      const parsed = parseRtcpCompound(buildRemb(1, bitrate, [2])).packets[0];
      expect(parsed).toEqual({ type: 'remb', senderSsrc: 1, bitrate: decoded, ssrcs: [2] });
      if (bitrate >= 1000) expect(decoded / bitrate).toBeGreaterThan(0.9999);
    },
  );

  it('encodes 2.5 Mbit/s with exponent 4', () => {
    expect(encodeRembBitrate(2_500_000)).toEqual({ exp: 4, mantissa: 156_250 });
  });

  it('clamps nonsense', () => {
    expect(encodeRembBitrate(-5)).toEqual({ exp: 0, mantissa: 0 });
    expect(encodeRembBitrate(Number.NaN)).toEqual({ exp: 0, mantissa: 0 });
  });
});

describe('builders clamp out-of-range values instead of throwing', () => {
  it('writes negative/huge report values as clamped fields', () => {
    const buf = buildReceiverReport(-1, [{ ...block, fractionLost: 999, totalLost: -1e9, jitter: -5, dlsr: 1e20 }]);
    const rr = parseRtcpCompound(buf).packets[0];
    expect(rr).toMatchObject({
      type: 'rr',
      ssrc: 0xffffffff,
      reports: [{ fractionLost: 255, totalLost: -0x800000, jitter: 0, dlsr: 0xffffffff }],
    });
  });
});
