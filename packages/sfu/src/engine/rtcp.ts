/**
 * Minimal RTCP compound walker and builders used by the engine. The walker never throws: it
 * returns false on the first malformed packet so the caller can count the datagram as dropped.
 * @internal
 */

/** Callbacks for {@link walkRtcp}; each is optional. */
export interface RtcpVisitor {
  sr?(ssrc: number, ntpSec: number, ntpFrac: number, rtpTs: number, packetCount: number, octetCount: number): void;
  reportBlock?(ssrc: number, fractionLost: number, totalLost: number, highestSeq: number, jitter: number, lsr: number, dlsr: number): void;
  pli?(mediaSsrc: number): void;
  fir?(mediaSsrc: number): void;
  remb?(bitrate: number): void;
  nack?(mediaSsrc: number, pid: number, blp: number): void;
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
        }
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
    v.reportBlock(view.getUint32(p), lostWord >>> 24, totalLost, view.getUint32(p + 8), view.getUint32(p + 12), view.getUint32(p + 16), view.getUint32(p + 20));
  }
}

/** One RR report block. */
export interface ReportBlock {
  ssrc: number;
  fractionLost: number;
  totalLost: number;
  highestSeq: number;
  jitter: number;
  lsr: number;
  dlsr: number;
}

function writeBlock(view: DataView, p: number, b: ReportBlock): void {
  view.setUint32(p, b.ssrc >>> 0);
  const lost = Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(b.totalLost)));
  view.setUint32(p + 4, (((b.fractionLost & 0xff) << 24) | (lost & 0xffffff)) >>> 0);
  view.setUint32(p + 8, b.highestSeq >>> 0);
  view.setUint32(p + 12, Math.max(0, Math.trunc(b.jitter)) >>> 0);
  view.setUint32(p + 16, b.lsr >>> 0);
  view.setUint32(p + 20, b.dlsr >>> 0);
}

/** Builds a receiver report. */
export function buildRr(senderSsrc: number, blocks: readonly ReportBlock[]): Buffer {
  const n = Math.min(31, blocks.length);
  const buf = Buffer.alloc(8 + n * 24);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  buf[0] = 0x80 | n;
  buf[1] = 201;
  view.setUint16(2, buf.length / 4 - 1);
  view.setUint32(4, senderSsrc >>> 0);
  for (let i = 0; i < n; i++) writeBlock(view, 8 + i * 24, blocks[i]!);
  return buf;
}

/** Builds a sender report (no report blocks). */
export function buildSr(ssrc: number, ntpSec: number, ntpFrac: number, rtpTs: number, packets: number, octets: number): Buffer {
  const buf = Buffer.alloc(28);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  buf[0] = 0x80;
  buf[1] = 200;
  view.setUint16(2, 6);
  view.setUint32(4, ssrc >>> 0);
  view.setUint32(8, ntpSec >>> 0);
  view.setUint32(12, ntpFrac >>> 0);
  view.setUint32(16, rtpTs >>> 0);
  view.setUint32(20, packets >>> 0);
  view.setUint32(24, octets >>> 0);
  return buf;
}

/** Builds a PLI. */
export function buildPli(senderSsrc: number, mediaSsrc: number): Buffer {
  const buf = Buffer.alloc(12);
  buf[0] = 0x81;
  buf[1] = 206;
  buf.writeUInt16BE(2, 2);
  buf.writeUInt32BE(senderSsrc >>> 0, 4);
  buf.writeUInt32BE(mediaSsrc >>> 0, 8);
  return buf;
}

/** Builds a FIR with one entry. */
export function buildFir(senderSsrc: number, mediaSsrc: number, seqNr: number): Buffer {
  const buf = Buffer.alloc(20);
  buf[0] = 0x84;
  buf[1] = 206;
  buf.writeUInt16BE(4, 2);
  buf.writeUInt32BE(senderSsrc >>> 0, 4);
  buf.writeUInt32BE(mediaSsrc >>> 0, 12);
  buf[16] = seqNr & 0xff;
  return buf;
}

/** Builds a REMB (exponent/mantissa computed from `bitrate` bps). */
export function buildRemb(senderSsrc: number, bitrate: number, ssrcs: readonly number[]): Buffer {
  const n = Math.min(255, ssrcs.length);
  const buf = Buffer.alloc(20 + n * 4);
  let exp = 0;
  let mantissa = Math.max(0, Math.floor(bitrate));
  while (mantissa > 0x3ffff) {
    mantissa = Math.floor(mantissa / 2);
    exp++;
  }
  buf[0] = 0x8f;
  buf[1] = 206;
  buf.writeUInt16BE(buf.length / 4 - 1, 2);
  buf.writeUInt32BE(senderSsrc >>> 0, 4);
  buf.write('REMB', 12, 'ascii');
  buf[16] = n;
  buf[17] = (exp << 2) | (mantissa >> 16);
  buf.writeUInt16BE(mantissa & 0xffff, 18);
  for (let i = 0; i < n; i++) buf.writeUInt32BE(ssrcs[i]! >>> 0, 20 + i * 4);
  return buf;
}

/** Builds a generic NACK for one PID/BLP pair. */
export function buildNack(senderSsrc: number, mediaSsrc: number, pid: number, blp: number): Buffer {
  const buf = Buffer.alloc(16);
  buf[0] = 0x81;
  buf[1] = 205;
  buf.writeUInt16BE(3, 2);
  buf.writeUInt32BE(senderSsrc >>> 0, 4);
  buf.writeUInt32BE(mediaSsrc >>> 0, 8);
  buf.writeUInt16BE(pid & 0xffff, 12);
  buf.writeUInt16BE(blp & 0xffff, 14);
  return buf;
}
