/**
 * Transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01): the
 * receive side. {@link TransportCcRecorder} notes the arrival time of every packet that carries a
 * transport-wide sequence number (allocation-free) and, when asked, builds RTCP transport feedback
 * packets (RTPFB, FMT 15) from them, so a sender's send-side bandwidth estimation (Chromium's
 * GoogCC) can run. {@link parseTransportCcFeedbackInto} decodes such a packet without allocating
 * send-side estimate towards consumers).
 *
 * @packageDocumentation
 */
import { unwrapSeq16 } from './rtp-header.js';

/** The header extension's URI. */
export const TRANSPORT_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

/** Packet status symbols. */
const NOT_RECEIVED = 0;
const SMALL_DELTA = 1;
const LARGE_DELTA = 2;

/** Packets kept between two feedbacks (a power of two); older unreported ones are given up. */
const WINDOW = 8192;
const WINDOW_MASK = WINDOW - 1;
/** Most packet statuses in one feedback packet (keeps each feedback well under the MTU). */
const MAX_STATUSES_PER_FEEDBACK = 400;

/** Options of {@link TransportCcRecorder}. */
export interface TransportCcRecorderOptions {
  /** Sender SSRC written into feedback packets. */
  senderSsrc: number;
}

/**
 * Records arrivals of transport-wide sequence numbers and builds feedback packets from them.
 *
 * @example
 * ```ts
 * const rec = new TransportCcRecorder({ senderSsrc: 1 });
 * rec.record(seq, performance.now(), ssrc); // per packet
 * for (const fb of rec.buildFeedback()) sendRtcp(fb); // every 50 ms
 * ```
 */
export class TransportCcRecorder {
  private readonly senderSsrc: number;
  /** Arrival time in µs by `seq & WINDOW_MASK`; -1 = not received. */
  private readonly arrivals = new Float64Array(WINDOW).fill(-1);
  /** Unwrapped sequence number of the first packet not yet reported; -1 before any packet. */
  private start = -1;
  /** Highest unwrapped sequence number seen. */
  private highest = -1;
  private mediaSsrc = 0;
  private feedbackCount = 0;
  private lastRefTime = 0;
  /** Scratch for status symbols and deltas (in 250 µs ticks) of one feedback. */
  private readonly symbols = new Uint8Array(MAX_STATUSES_PER_FEEDBACK);
  private readonly deltas = new Int32Array(MAX_STATUSES_PER_FEEDBACK);
  /** Packets recorded. */
  packetsRecorded = 0;
  /** Packets that arrived after their sequence number had been reported (counted as lost there). */
  packetsLate = 0;
  /** Feedback packets built. */
  feedbackPackets = 0;

  constructor(options: TransportCcRecorderOptions) {
    this.senderSsrc = options.senderSsrc >>> 0;
  }

  /** Whether packets wait to be reported. */
  get pending(): boolean {
    return this.start >= 0 && this.highest >= this.start;
  }

  /** Notes the arrival of transport-wide sequence number `seq` (16 bits) at `nowMs`. */
  record(seq: number, nowMs: number, mediaSsrc: number): void {
    seq &= 0xffff;
    this.packetsRecorded++;
    this.mediaSsrc = mediaSsrc >>> 0;
    let ext: number;
    if (this.highest < 0) {
      ext = seq;
      this.start = seq;
      this.highest = seq;
    } else {
      ext = unwrapSeq16(seq, this.highest);
      if (ext < this.start) {
        this.packetsLate++;
        return;
      }
      if (ext > this.highest) {
        if (ext - this.start >= WINDOW) {
          // Far ahead of what was reported (feedback not sent for long): give up the oldest.
          const newStart = ext - WINDOW + 1;
          for (let s = this.start; s < newStart && s <= this.highest; s++) this.arrivals[s & WINDOW_MASK] = -1;
          this.start = newStart;
        }
        this.highest = ext;
      }
    }
    this.arrivals[ext & WINDOW_MASK] = nowMs * 1000;
  }

  /**
   * Builds feedback packets for everything recorded since the last call (none if nothing is
   * pending) and starts a new window after the highest sequence number reported.
   */
  buildFeedback(): Buffer[] {
    const out: Buffer[] = [];
    if (!this.pending) return out;
    let s = this.start;
    const end = this.highest;
    while (s <= end) s = this.buildOne(s, end, out);
    for (let k = this.start; k <= end; k++) this.arrivals[k & WINDOW_MASK] = -1;
    this.start = end + 1;
    return out;
  }

  /** Builds one feedback packet starting at `first`. Returns the next sequence number to report. */
  private buildOne(first: number, end: number, out: Buffer[]): number {
    const arrivals = this.arrivals;
    const symbols = this.symbols;
    const deltas = this.deltas;
    // The reference time comes from the first packet of this feedback that arrived.
    let refTime = this.lastRefTime;
    const last = Math.min(end, first + MAX_STATUSES_PER_FEEDBACK - 1);
    for (let k = first; k <= last; k++) {
      const us = arrivals[k & WINDOW_MASK]!;
      if (us >= 0) {
        refTime = Math.floor(us / 64000);
        break;
      }
    }
    this.lastRefTime = refTime;
    let prevTick = refTime * 256; // 64 ms = 256 ticks of 250 µs
    let n = 0;
    let deltaBytes = 0;
    let s = first;
    for (; s <= end && n < MAX_STATUSES_PER_FEEDBACK; s++) {
      const us = arrivals[s & WINDOW_MASK]!;
      if (us < 0) {
        symbols[n++] = NOT_RECEIVED;
        continue;
      }
      const tick = Math.round(us / 250);
      const delta = tick - prevTick;
      if (delta < -32768 || delta > 32767) break; // needs a new reference time
      prevTick = tick;
      deltas[n] = delta;
      if (delta >= 0 && delta <= 255) {
        symbols[n++] = SMALL_DELTA;
        deltaBytes += 1;
      } else {
        symbols[n++] = LARGE_DELTA;
        deltaBytes += 2;
      }
    }
    if (n === 0) return s + 1; // unreachable: the reference time comes from the first arrival
    // Chunks, greedily: a run-length chunk for runs of 14 or more, else a status vector.
    const chunks: number[] = [];
    let i = 0;
    while (i < n) {
      const sym = symbols[i]!;
      let run = 1;
      while (i + run < n && symbols[i + run] === sym && run < 0x1fff) run++;
      if (run >= 14) {
        chunks.push((sym << 13) | run);
        i += run;
        continue;
      }
      let hasLarge = false;
      const lim = Math.min(n, i + 14);
      for (let k = i; k < lim; k++) if (symbols[k] === LARGE_DELTA) hasLarge = true;
      if (!hasLarge) {
        let c = 0x8000;
        for (let k = 0; k < 14; k++) if (i + k < n && symbols[i + k] === SMALL_DELTA) c |= 1 << (13 - k);
        chunks.push(c);
        i += 14;
      } else {
        let c = 0xc000;
        for (let k = 0; k < 7; k++) if (i + k < n) c |= symbols[i + k]! << (2 * (6 - k));
        chunks.push(c);
        i += 7;
      }
    }
    const unpadded = 20 + chunks.length * 2 + deltaBytes;
    const padding = (4 - (unpadded % 4)) % 4;
    const buf = Buffer.alloc(unpadded + padding);
    buf[0] = 0x80 | (padding > 0 ? 0x20 : 0) | 15;
    buf[1] = 205;
    buf.writeUInt16BE(buf.length / 4 - 1, 2);
    buf.writeUInt32BE(this.senderSsrc, 4);
    buf.writeUInt32BE(this.mediaSsrc, 8);
    buf.writeUInt16BE(first & 0xffff, 12);
    buf.writeUInt16BE(n, 14);
    const ref = refTime & 0xffffff;
    buf[16] = ref >>> 16;
    buf[17] = (ref >>> 8) & 0xff;
    buf[18] = ref & 0xff;
    buf[19] = this.feedbackCount & 0xff;
    this.feedbackCount++;
    let p = 20;
    for (const c of chunks) {
      buf.writeUInt16BE(c, p);
      p += 2;
    }
    for (let k = 0; k < n; k++) {
      const sym = symbols[k]!;
      if (sym === SMALL_DELTA) buf[p++] = deltas[k]!;
      else if (sym === LARGE_DELTA) {
        buf.writeInt16BE(deltas[k]!, p);
        p += 2;
      }
    }
    if (padding > 0) buf[buf.length - 1] = padding;
    out.push(buf);
    this.feedbackPackets++;
    return s;
  }
}

/**
 * A decoded transport feedback packet, refilled in place by {@link parseTransportCcFeedbackInto}
 * (one per receiver of feedback; its arrays grow, rarely, to the largest feedback seen).
 */
export class TransportCcStatuses {
  senderSsrc = 0;
  mediaSsrc = 0;
  baseSeq = 0;
  /** Reference time in 64 ms units (24 bits). */
  referenceTime = 0;
  feedbackCount = 0;
  /** Number of packet statuses; entry k is sequence number `(baseSeq + k) & 0xffff`. */
  count = 0;
  /** Status symbol per packet (0: not received, 1: small delta, 2: large delta). */
  symbols = new Uint8Array(256);
  /** Arrival time relative to the reference time, µs (received packets only). */
  arrivalUs = new Float64Array(256);

  /** Makes room for `n` statuses. */
  reserve(n: number): void {
    if (n <= this.symbols.length) return;
    let size = this.symbols.length;
    while (size < n) size *= 2;
    this.symbols = new Uint8Array(size);
    this.arrivalUs = new Float64Array(size);
  }
}

/**
 * Decodes one RTCP transport feedback packet (RTPFB FMT 15) at the start of `buf` into `out`.
 *
 * @returns false if it is not one or is malformed (then `out` holds nothing usable). Never throws.
 */
export function parseTransportCcFeedbackInto(buf: Uint8Array, out: TransportCcStatuses): boolean {
  if (buf.length < 20 || buf[0]! >> 6 !== 2 || (buf[0]! & 0x1f) !== 15 || buf[1] !== 205) return false;
  let length = (((buf[2]! << 8) | buf[3]!) + 1) * 4;
  if (length > buf.length) return false;
  if (buf[0]! & 0x20) length -= buf[length - 1]!;
  const baseSeq = (buf[12]! << 8) | buf[13]!;
  const count = (buf[14]! << 8) | buf[15]!;
  out.reserve(count);
  const symbols = out.symbols;
  const arrivals = out.arrivalUs;
  let n = 0;
  let p = 20;
  while (n < count) {
    if (p + 2 > length) return false;
    const c = (buf[p]! << 8) | buf[p + 1]!;
    p += 2;
    if ((c & 0x8000) === 0) {
      const sym = (c >> 13) & 3;
      const run = c & 0x1fff;
      for (let k = 0; k < run && n < count; k++) symbols[n++] = sym;
    } else if ((c & 0x4000) === 0) {
      for (let k = 0; k < 14 && n < count; k++) symbols[n++] = (c >> (13 - k)) & 1;
    } else {
      for (let k = 0; k < 7 && n < count; k++) symbols[n++] = (c >> (2 * (6 - k))) & 3;
    }
  }
  const referenceTime = (buf[16]! << 16) | (buf[17]! << 8) | buf[18]!;
  let t = referenceTime * 64000;
  for (let k = 0; k < count; k++) {
    const sym = symbols[k]!;
    if (sym === NOT_RECEIVED) continue;
    if (sym === SMALL_DELTA) {
      if (p + 1 > length) return false;
      t += buf[p]! * 250;
      p += 1;
    } else if (sym === LARGE_DELTA) {
      if (p + 2 > length) return false;
      t += ((((buf[p]! << 8) | buf[p + 1]!) << 16) >> 16) * 250;
      p += 2;
    } else return false;
    arrivals[k] = t;
  }
  out.senderSsrc = ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0;
  out.mediaSsrc = ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0;
  out.baseSeq = baseSeq;
  out.referenceTime = referenceTime;
  out.feedbackCount = buf[19]!;
  out.count = count;
  return true;
}

/** One packet's entry in a decoded feedback. */
export interface TransportCcPacketStatus {
  /** Transport-wide sequence number (16 bits). */
  seq: number;
  received: boolean;
  /** Arrival time relative to the reference time, µs (received packets only). */
  arrivalUs?: number;
}

/** A decoded transport feedback packet. */
export interface TransportCcFeedback {
  senderSsrc: number;
  mediaSsrc: number;
  baseSeq: number;
  /** Reference time in 64 ms units (24 bits). */
  referenceTime: number;
  feedbackCount: number;
  packets: TransportCcPacketStatus[];
}

/**
 * Decodes one RTCP transport feedback packet (RTPFB FMT 15) at the start of `buf` as objects
 * (tests and diagnostics; the engine uses {@link parseTransportCcFeedbackInto}).
 *
 * @returns undefined if it is not one or is malformed. Never throws.
 */
export function parseTransportCcFeedback(buf: Uint8Array): TransportCcFeedback | undefined {
  const s = new TransportCcStatuses();
  if (!parseTransportCcFeedbackInto(buf, s)) return undefined;
  const packets: TransportCcPacketStatus[] = [];
  for (let k = 0; k < s.count; k++) {
    const seq = (s.baseSeq + k) & 0xffff;
    packets.push(s.symbols[k] === NOT_RECEIVED ? { seq, received: false } : { seq, received: true, arrivalUs: s.arrivalUs[k]! });
  }
  const { senderSsrc, mediaSsrc, baseSeq, referenceTime, feedbackCount } = s;
  return { senderSsrc, mediaSsrc, baseSeq, referenceTime, feedbackCount, packets };
}
