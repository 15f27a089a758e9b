/**
 * A defensive RTCP compound parser: walks the packets of one datagram and
 * returns typed records. It never throws; anything malformed ends parsing and
 * is flagged, unknown packet types are counted and skipped.
 *
 * @packageDocumentation
 */
import { RtcpPacketType, type RtcpParseResult, type RtcpRecord, type RtcpReportBlock } from './rtcp-types.js';

const u32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
const u16 = (b: Uint8Array, i: number): number => (b[i]! << 8) | b[i + 1]!;

function readReportBlocks(b: Uint8Array, offset: number, count: number, end: number): RtcpReportBlock[] | undefined {
  if (offset + count * 24 > end) return undefined;
  const blocks: RtcpReportBlock[] = [];
  for (let k = 0; k < count; k++) {
    const i = offset + k * 24;
    const lost = (b[i + 5]! << 16) | (b[i + 6]! << 8) | b[i + 7]!;
    blocks.push({
      ssrc: u32(b, i),
      fractionLost: b[i + 4]!,
      totalLost: lost & 0x800000 ? lost - 0x1000000 : lost,
      highestSeq: u32(b, i + 8),
      jitter: u32(b, i + 12),
      lsr: u32(b, i + 16),
      dlsr: u32(b, i + 20),
    });
  }
  return blocks;
}

function parseSdes(b: Uint8Array, start: number, count: number, end: number): RtcpRecord | undefined {
  const chunks: { ssrc: number; cname?: string }[] = [];
  let i = start;
  for (let c = 0; c < count; c++) {
    if (i + 4 > end) return undefined;
    const chunk: { ssrc: number; cname?: string } = { ssrc: u32(b, i) };
    i += 4;
    for (;;) {
      if (i >= end) return undefined;
      const itemType = b[i]!;
      if (itemType === 0) {
        // End of items; skip to the next 32-bit boundary.
        i = start + (((i - start) >> 2) + 1) * 4;
        break;
      }
      if (i + 2 > end) return undefined;
      const len = b[i + 1]!;
      if (i + 2 + len > end) return undefined;
      if (itemType === 1) {
        let s = '';
        for (let k = i + 2; k < i + 2 + len; k++) s += String.fromCharCode(b[k]!);
        chunk.cname = s;
      }
      i += 2 + len;
    }
    chunks.push(chunk);
  }
  return { type: 'sdes', chunks };
}

function parseRtpfb(b: Uint8Array, fmt: number, i: number, end: number): RtcpRecord | null | undefined {
  if (i + 8 > end) return undefined;
  const senderSsrc = u32(b, i);
  const mediaSsrc = u32(b, i + 4);
  if (fmt === 1) {
    const items: { pid: number; blp: number }[] = [];
    for (let k = i + 8; k + 4 <= end; k += 4) items.push({ pid: u16(b, k), blp: u16(b, k + 2) });
    return { type: 'nack', senderSsrc, mediaSsrc, items };
  }
  if (fmt === 15) return { type: 'transport-cc', senderSsrc, mediaSsrc };
  return null;
}

function parsePsfb(b: Uint8Array, fmt: number, i: number, end: number): RtcpRecord | null | undefined {
  if (i + 8 > end) return undefined;
  const senderSsrc = u32(b, i);
  const mediaSsrc = u32(b, i + 4);
  if (fmt === 1) return { type: 'pli', senderSsrc, mediaSsrc };
  if (fmt === 4) {
    const entries: { ssrc: number; seq: number }[] = [];
    for (let k = i + 8; k + 8 <= end; k += 8) entries.push({ ssrc: u32(b, k), seq: b[k + 4]! });
    return { type: 'fir', senderSsrc, entries };
  }
  if (fmt === 15) {
    // Application layer feedback: REMB has the unique identifier 'REMB'.
    const k = i + 8;
    if (k + 8 > end || b[k] !== 0x52 || b[k + 1] !== 0x45 || b[k + 2] !== 0x4d || b[k + 3] !== 0x42) return null;
    const numSsrc = b[k + 4]!;
    const exp = b[k + 5]! >> 2;
    const mantissa = ((b[k + 5]! & 0x03) << 16) | (b[k + 6]! << 8) | b[k + 7]!;
    if (k + 8 + numSsrc * 4 > end) return undefined;
    const ssrcs: number[] = [];
    for (let s = 0; s < numSsrc; s++) ssrcs.push(u32(b, k + 8 + s * 4));
    return { type: 'remb', senderSsrc, bitrate: mantissa * 2 ** exp, ssrcs };
  }
  return null;
}

/**
 * Parses an RTCP compound packet (already SRTCP-decrypted). Never throws.
 *
 * @example
 * ```ts
 * const { packets } = parseRtcpCompound(datagram);
 * for (const p of packets) if (p.type === 'pli') requestKeyFrame(p.mediaSsrc);
 * ```
 */
export function parseRtcpCompound(buf: Uint8Array, length = buf.length): RtcpParseResult {
  const result: RtcpParseResult = { packets: [], unknown: 0, malformed: false };
  try {
    const total = Math.min(length, buf.length);
    let offset = 0;
    if (total < 4) result.malformed = true;
    while (offset + 4 <= total) {
      const b0 = buf[offset]!;
      if (b0 >> 6 !== 2) {
        result.malformed = true;
        break;
      }
      const count = b0 & 0x1f;
      const pt = buf[offset + 1]!;
      const size = (u16(buf, offset + 2) + 1) * 4;
      if (offset + size > total) {
        result.malformed = true;
        break;
      }
      let end = offset + size;
      if (b0 & 0x20) {
        // Padding: only valid in the last packet; the count is in the last byte.
        const pad = buf[end - 1]!;
        if (end !== total || pad === 0 || pad > size - 4) {
          result.malformed = true;
          break;
        }
        end -= pad;
      }
      const body = offset + 4;
      let record: RtcpRecord | null | undefined = null;
      switch (pt) {
        case RtcpPacketType.SR: {
          if (body + 24 > end) {
            record = undefined;
            break;
          }
          const reports = readReportBlocks(buf, body + 24, count, end);
          record = reports && {
            type: 'sr',
            ssrc: u32(buf, body),
            ntpSec: u32(buf, body + 4),
            ntpFrac: u32(buf, body + 8),
            rtpTimestamp: u32(buf, body + 12),
            packetCount: u32(buf, body + 16),
            octetCount: u32(buf, body + 20),
            reports,
          };
          break;
        }
        case RtcpPacketType.RR: {
          if (body + 4 > end) {
            record = undefined;
            break;
          }
          const reports = readReportBlocks(buf, body + 4, count, end);
          record = reports && { type: 'rr', ssrc: u32(buf, body), reports };
          break;
        }
        case RtcpPacketType.SDES:
          record = parseSdes(buf, body, count, end);
          break;
        case RtcpPacketType.BYE: {
          if (body + count * 4 > end) {
            record = undefined;
            break;
          }
          const ssrcs: number[] = [];
          for (let k = 0; k < count; k++) ssrcs.push(u32(buf, body + k * 4));
          const bye: RtcpRecord = { type: 'bye', ssrcs };
          const r = body + count * 4;
          if (r < end) {
            const len = buf[r]!;
            if (r + 1 + len > end) {
              record = undefined;
              break;
            }
            let s = '';
            for (let k = r + 1; k < r + 1 + len; k++) s += String.fromCharCode(buf[k]!);
            bye.reason = s;
          }
          record = bye;
          break;
        }
        case RtcpPacketType.RTPFB:
          record = parseRtpfb(buf, count, body, end);
          break;
        case RtcpPacketType.PSFB:
          record = parsePsfb(buf, count, body, end);
          break;
        default:
          record = null;
      }
      if (record === undefined) {
        result.malformed = true;
        break;
      }
      if (record === null) result.unknown++;
      else result.packets.push(record);
      offset += size;
    }
    if (offset < total && !result.malformed) result.malformed = true;
  } catch {
    // Defensive: the code above should not throw, but a parser on the packet path must never do so.
    result.malformed = true;
  }
  return result;
}

/**
 * Expands a NACK's (PID, BLP) items into the lost sequence numbers.
 *
 * @example nackSequenceNumbers([{ pid: 100, blp: 0b101 }]) // [100, 101, 103]
 */
export function nackSequenceNumbers(items: readonly { pid: number; blp: number }[]): number[] {
  const seqs: number[] = [];
  for (const { pid, blp } of items) {
    seqs.push(pid);
    for (let bit = 0; bit < 16; bit++) if (blp & (1 << bit)) seqs.push((pid + bit + 1) & 0xffff);
  }
  return seqs;
}
