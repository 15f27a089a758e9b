/**
 * RTCP packet builders: SR, RR, SDES (CNAME), REMB, PLI, FIR and generic NACK.
 * Each returns a new `Buffer` holding one RTCP packet; concatenate them for a
 * compound packet. Inputs are masked to their field widths, so out-of-range
 * values never throw (unlike werift's serialisers, see SFU-NOTES).
 *
 * @packageDocumentation
 */
import { RtcpPacketType, type RtcpReportBlock } from './rtcp-types.js';

function header(buf: Uint8Array, count: number, pt: number): void {
  const words = buf.length / 4 - 1;
  buf[0] = 0x80 | (count & 0x1f);
  buf[1] = pt;
  buf[2] = words >>> 8;
  buf[3] = words;
}

function w32(buf: Uint8Array, i: number, v: number): void {
  buf[i] = v >>> 24;
  buf[i + 1] = v >>> 16;
  buf[i + 2] = v >>> 8;
  buf[i + 3] = v;
}

function clampU32(v: number): number {
  if (!Number.isFinite(v) || v <= 0) return 0;
  return v >= 0xffffffff ? 0xffffffff : Math.floor(v);
}

function writeReportBlocks(buf: Uint8Array, offset: number, reports: readonly RtcpReportBlock[]): void {
  reports.forEach((r, k) => {
    const i = offset + k * 24;
    w32(buf, i, r.ssrc);
    buf[i + 4] = Math.max(0, Math.min(255, Math.floor(r.fractionLost) || 0));
    // Cumulative lost is a signed 24-bit value; clamp (RFC 3550 §6.4.1).
    const lost = Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(r.totalLost) || 0)) & 0xffffff;
    buf[i + 5] = lost >>> 16;
    buf[i + 6] = lost >>> 8;
    buf[i + 7] = lost;
    w32(buf, i + 8, r.highestSeq);
    w32(buf, i + 12, clampU32(r.jitter));
    w32(buf, i + 16, r.lsr);
    w32(buf, i + 20, clampU32(r.dlsr));
  });
}

/** Builds a receiver report (at most 31 report blocks are written). */
export function buildReceiverReport(ssrc: number, reports: readonly RtcpReportBlock[] = []): Buffer {
  const blocks = reports.slice(0, 31);
  const buf = Buffer.alloc(8 + blocks.length * 24);
  header(buf, blocks.length, RtcpPacketType.RR);
  w32(buf, 4, ssrc);
  writeReportBlocks(buf, 8, blocks);
  return buf;
}

/** Sender info of {@link buildSenderReport}. */
export type SenderInfo = {
  ssrc: number;
  ntpSec: number;
  ntpFrac: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
};

/** Builds a sender report (at most 31 report blocks are written). */
export function buildSenderReport(info: SenderInfo, reports: readonly RtcpReportBlock[] = []): Buffer {
  const blocks = reports.slice(0, 31);
  const buf = Buffer.alloc(28 + blocks.length * 24);
  header(buf, blocks.length, RtcpPacketType.SR);
  w32(buf, 4, info.ssrc);
  w32(buf, 8, info.ntpSec);
  w32(buf, 12, info.ntpFrac);
  w32(buf, 16, info.rtpTimestamp);
  w32(buf, 20, info.packetCount);
  w32(buf, 24, info.octetCount);
  writeReportBlocks(buf, 28, blocks);
  return buf;
}

/** Builds an SDES packet with one chunk carrying a CNAME (truncated to 255 bytes). */
export function buildSdesCname(ssrc: number, cname: string): Buffer {
  const text = Buffer.from(cname, 'utf8').subarray(0, 255);
  // chunk: ssrc(4) + type(1) + len(1) + text + at least one zero byte, padded to 4.
  const chunkLen = Math.ceil((4 + 2 + text.length + 1) / 4) * 4;
  const buf = Buffer.alloc(4 + chunkLen);
  header(buf, 1, RtcpPacketType.SDES);
  w32(buf, 4, ssrc);
  buf[8] = 1;
  buf[9] = text.length;
  text.copy(buf, 10);
  return buf;
}

/**
 * Splits a bitrate into REMB's 6-bit exponent and 18-bit mantissa, choosing the
 * smallest exponent so that `mantissa * 2^exp <= bitrate` loses the least.
 */
export function encodeRembBitrate(bitrate: number): { exp: number; mantissa: number } {
  let value = Number.isFinite(bitrate) && bitrate > 0 ? Math.floor(bitrate) : 0;
  let exp = 0;
  while (value >= 0x40000 && exp < 63) {
    value = Math.floor(value / 2);
    exp++;
  }
  return { exp, mantissa: Math.min(value, 0x3ffff) };
}

/** Builds a REMB (PSFB FMT 15, 'REMB') for the given media SSRCs (at most 255). */
export function buildRemb(senderSsrc: number, bitrate: number, ssrcs: readonly number[]): Buffer {
  const list = ssrcs.slice(0, 255);
  const buf = Buffer.alloc(20 + list.length * 4);
  header(buf, 15, RtcpPacketType.PSFB);
  w32(buf, 4, senderSsrc);
  w32(buf, 8, 0);
  buf.write('REMB', 12, 'ascii');
  const { exp, mantissa } = encodeRembBitrate(bitrate);
  buf[16] = list.length;
  buf[17] = (exp << 2) | (mantissa >>> 16);
  buf[18] = mantissa >>> 8;
  buf[19] = mantissa;
  list.forEach((s, k) => {
    w32(buf, 20 + k * 4, s);
  });
  return buf;
}

/** Builds a picture loss indication. */
export function buildPli(senderSsrc: number, mediaSsrc: number): Buffer {
  const buf = Buffer.alloc(12);
  header(buf, 1, RtcpPacketType.PSFB);
  w32(buf, 4, senderSsrc);
  w32(buf, 8, mediaSsrc);
  return buf;
}

/** Builds a full intra request; `seq` is the 8-bit command sequence number per target. */
export function buildFir(senderSsrc: number, entries: readonly { ssrc: number; seq: number }[]): Buffer {
  const buf = Buffer.alloc(12 + entries.length * 8);
  header(buf, 4, RtcpPacketType.PSFB);
  w32(buf, 4, senderSsrc);
  w32(buf, 8, 0);
  entries.forEach((e, k) => {
    w32(buf, 12 + k * 8, e.ssrc);
    buf[16 + k * 8] = e.seq & 0xff;
  });
  return buf;
}

/**
 * Builds a generic NACK for the given lost sequence numbers, packed into
 * (PID, BLP) items in the order given (sequence numbers wrap at 2^16).
 */
export function buildNack(senderSsrc: number, mediaSsrc: number, seqs: ArrayLike<number>): Buffer {
  const items: { pid: number; blp: number }[] = [];
  let current: { pid: number; blp: number } | undefined;
  for (let k = 0; k < seqs.length; k++) {
    const seq = seqs[k]! & 0xffff;
    if (current) {
      const diff = (seq - current.pid) & 0xffff;
      if (diff === 0) continue;
      if (diff <= 16) {
        current.blp |= 1 << (diff - 1);
        continue;
      }
    }
    current = { pid: seq, blp: 0 };
    items.push(current);
  }
  const buf = Buffer.alloc(12 + items.length * 4);
  header(buf, 1, RtcpPacketType.RTPFB);
  w32(buf, 4, senderSsrc);
  w32(buf, 8, mediaSsrc);
  items.forEach((it, k) => {
    buf[12 + k * 4] = it.pid >>> 8;
    buf[13 + k * 4] = it.pid;
    buf[14 + k * 4] = it.blp >>> 8;
    buf[15 + k * 4] = it.blp;
  });
  return buf;
}
