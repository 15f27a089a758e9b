/**
 * RTCP for the engine: an allocation-free compound walker (visitor callbacks; never throws, returns
 * false on the first malformed packet so the caller counts the datagram as dropped) and thin
 * wrappers over the RTP module's builders.
 * @internal
 */
import {
  buildFir as rtpBuildFir,
  buildNack as rtpBuildNack,
  buildPli as rtpBuildPli,
  buildReceiverReport,
  buildRemb as rtpBuildRemb,
  buildSenderReport,
} from '../rtp/index.js';
import type { RtcpReportBlock } from '../rtp/index.js';

/** Callbacks for {@link walkRtcp}; each is optional. */
export interface RtcpVisitor {
  sr?(ssrc: number, ntpSec: number, ntpFrac: number, rtpTs: number, packetCount: number, octetCount: number): void;
  reportBlock?(ssrc: number, fractionLost: number, totalLost: number, highestSeq: number, jitter: number, lsr: number, dlsr: number): void;
  pli?(mediaSsrc: number): void;
  fir?(mediaSsrc: number): void;
  remb?(bitrate: number): void;
  nack?(mediaSsrc: number, pid: number, blp: number): void;
  /** A transport-wide congestion-control feedback packet at `buf[offset..offset+length)`. */
  transportFeedback?(buf: Uint8Array, offset: number, length: number): void;
}

/** Walks a compound RTCP packet. Returns false if any part is malformed. */
export function walkRtcp(buf: Uint8Array, v: RtcpVisitor): boolean {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let off = 0;
  if (buf.length < 4) return false;
  while (off + 4 <= buf.length) {
    const b0 = buf[off]!;
    if (b0 >> 6 !== 2) return false;
    const count = b0 & 0x1f;
    const pt = buf[off + 1]!;
    const len = (view.getUint16(off + 2) + 1) * 4;
    if (off + len > buf.length) return false;
    const end = off + len;
    switch (pt) {
      case 200: {
        if (len < 28 + count * 24) return false;
        v.sr?.(
          view.getUint32(off + 4),
          view.getUint32(off + 8),
          view.getUint32(off + 12),
          view.getUint32(off + 16),
          view.getUint32(off + 20),
          view.getUint32(off + 24),
        );
        walkBlocks(view, off + 28, count, v);
        break;
      }
      case 201: {
        if (len < 8 + count * 24) return false;
        walkBlocks(view, off + 8, count, v);
        break;
      }
      case 205: {
        if (len < 12) return false;
        if (count === 1) {
          const media = view.getUint32(off + 8);
          for (let p = off + 12; p + 4 <= end; p += 4) v.nack?.(media, view.getUint16(p), view.getUint16(p + 2));
        } else if (count === 15) v.transportFeedback?.(buf, off, len);
        break;
      }
      case 206: {
        if (len < 12) return false;
        const media = view.getUint32(off + 8);
        if (count === 1) v.pli?.(media);
        else if (count === 4) {
          for (let p = off + 12; p + 8 <= end; p += 8) v.fir?.(view.getUint32(p));
        } else if (count === 15) {
          if (len < 20 || buf[off + 12] !== 0x52 || buf[off + 13] !== 0x45 || buf[off + 14] !== 0x4d || buf[off + 15] !== 0x42) break;
          const exp = buf[off + 17]! >> 2;
          const mantissa = ((buf[off + 17]! & 3) << 16) | view.getUint16(off + 18);
          v.remb?.(mantissa * 2 ** exp);
        }
        break;
      }
      case 202:
      case 203:
      case 204:
      case 207:
        break;
      default:
        return false;
    }
    off = end;
  }
  return off === buf.length;
}

function walkBlocks(view: DataView, start: number, count: number, v: RtcpVisitor): void {
  if (!v.reportBlock) return;
  for (let i = 0; i < count; i++) {
    const p = start + i * 24;
    const lostWord = view.getUint32(p + 4);
    let totalLost = lostWord & 0xffffff;
    if (totalLost & 0x800000) totalLost -= 0x1000000;
    v.reportBlock(
      view.getUint32(p),
      lostWord >>> 24,
      totalLost,
      view.getUint32(p + 8),
      view.getUint32(p + 12),
      view.getUint32(p + 16),
      view.getUint32(p + 20),
    );
  }
}

/** One RR report block (the RTP module's shape). */
export type ReportBlock = RtcpReportBlock;

/** Builds a receiver report. */
export function buildRr(senderSsrc: number, blocks: readonly ReportBlock[]): Buffer {
  return buildReceiverReport(senderSsrc, blocks);
}

/** Builds a sender report (no report blocks). */
export function buildSr(ssrc: number, ntpSec: number, ntpFrac: number, rtpTs: number, packets: number, octets: number): Buffer {
  return buildSenderReport({ ssrc, ntpSec, ntpFrac, rtpTimestamp: rtpTs, packetCount: packets >>> 0, octetCount: octets >>> 0 });
}

/** Builds a PLI. */
export function buildPli(senderSsrc: number, mediaSsrc: number): Buffer {
  return rtpBuildPli(senderSsrc, mediaSsrc);
}

/** Builds a FIR with one entry. */
export function buildFir(senderSsrc: number, mediaSsrc: number, seqNr: number): Buffer {
  return rtpBuildFir(senderSsrc, [{ ssrc: mediaSsrc, seq: seqNr & 0xff }]);
}

/** Builds a REMB (exponent/mantissa computed from `bitrate` bps). */
export function buildRemb(senderSsrc: number, bitrate: number, ssrcs: readonly number[]): Buffer {
  return rtpBuildRemb(senderSsrc, bitrate, ssrcs);
}

/** Builds a generic NACK for a list of sequence numbers. */
export function buildNackList(senderSsrc: number, mediaSsrc: number, seqs: ArrayLike<number>): Buffer {
  return rtpBuildNack(senderSsrc, mediaSsrc, seqs);
}

/** Builds a generic NACK for one PID/BLP pair. */
export function buildNack(senderSsrc: number, mediaSsrc: number, pid: number, blp: number): Buffer {
  const seqs = [pid];
  for (let i = 0; i < 16; i++) if (blp & (1 << i)) seqs.push((pid + i + 1) & 0xffff);
  return rtpBuildNack(senderSsrc, mediaSsrc, seqs);
}
