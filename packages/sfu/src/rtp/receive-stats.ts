/**
 * RTP receive statistics per RFC 3550 Appendix A: extended highest sequence
 * number, expected/lost counts, fraction lost per report interval, interarrival
 * jitter, and LSR/DLSR for receiver report blocks. Allocation-free on update.
 *
 * @packageDocumentation
 */
import type { RtcpReportBlock } from './rtcp-types.js';

const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const SEQ_MOD = 0x10000;

/** Statistics of one received RTP stream. */
export class RtpReceiveStats {
  /** SSRC of the stream. */
  readonly ssrc: number;
  /** Packets received (including duplicates and retransmissions). */
  packets = 0;
  /** Bytes received (whole RTP packets). */
  bytes = 0;
  /** Interarrival jitter in RTP timestamp units (RFC 3550 A.8). */
  jitter = 0;
  readonly #clockRate: number;
  #started = false;
  #baseSeq = 0;
  #maxSeq = 0;
  #cycles = 0;
  #badSeq = SEQ_MOD + 1;
  #expectedPrior = 0;
  #receivedPrior = 0;
  #lastTransit = 0;
  #hasTransit = false;
  #lastSrMid = 0;
  #lastSrArrivalMs = -1;

  /**
   * @param ssrc - the stream's SSRC.
   * @param clockRate - its RTP clock rate in Hz (for jitter).
   */
  constructor(ssrc: number, clockRate: number) {
    if (!(clockRate > 0)) throw new TypeError('clockRate must be positive');
    this.ssrc = ssrc >>> 0;
    this.#clockRate = clockRate;
  }

  /** Extended highest sequence number received (cycles << 16 | max seq). */
  get extendedHighestSeq(): number {
    return this.#cycles + this.#maxSeq;
  }

  /** Packets expected from the first to the highest sequence number. */
  get expected(): number {
    return this.#started ? this.extendedHighestSeq - this.#baseSeq + 1 : 0;
  }

  /** Cumulative packets lost (expected − received; negative with duplicates). */
  get lost(): number {
    return this.expected - this.packets;
  }

  /** Jitter in milliseconds. */
  get jitterMs(): number {
    return (this.jitter / this.#clockRate) * 1000;
  }

  /**
   * Records one packet.
   *
   * @param seq - its sequence number.
   * @param rtpTimestamp - its RTP timestamp.
   * @param arrivalMs - arrival time in milliseconds (any monotonic clock).
   * @param size - packet size in bytes.
   */
  onPacket(seq: number, rtpTimestamp: number, arrivalMs: number, size: number): void {
    seq &= 0xffff;
    this.packets++;
    this.bytes += size;
    if (!this.#started) {
      this.#started = true;
      this.#baseSeq = seq;
      this.#maxSeq = seq;
      this.#cycles = 0;
    } else {
      const delta = (seq - this.#maxSeq + SEQ_MOD) % SEQ_MOD;
      if (delta !== 0 && delta < MAX_DROPOUT) {
        if (seq < this.#maxSeq) this.#cycles += SEQ_MOD;
        this.#maxSeq = seq;
      } else if (delta > SEQ_MOD - MAX_MISORDER || delta === 0) {
        // Duplicate or reordered packet: counts as received, no state change.
      } else if (seq === this.#badSeq) {
        // Two sequential packets after a big jump: the source restarted (RFC 3550 A.1).
        this.#baseSeq = seq;
        this.#maxSeq = seq;
        this.#cycles = 0;
        this.#badSeq = SEQ_MOD + 1;
        this.packets = 1;
        this.#expectedPrior = 0;
        this.#receivedPrior = 0;
      } else {
        this.#badSeq = (seq + 1) & 0xffff;
        this.packets--; // not counted until confirmed
        this.bytes -= size;
        return;
      }
    }
    // Jitter (RFC 3550 A.8), with arrival converted to RTP units.
    const arrival = (arrivalMs * this.#clockRate) / 1000;
    const transit = arrival - rtpTimestamp;
    if (this.#hasTransit) {
      let d = transit - this.#lastTransit;
      // Timestamps wrap at 2^32.
      if (d > 0x80000000) d -= 0x100000000;
      else if (d < -0x80000000) d += 0x100000000;
      this.jitter += (Math.abs(d) - this.jitter) / 16;
    }
    this.#lastTransit = transit;
    this.#hasTransit = true;
  }

  /**
   * Records a sender report from this source, for LSR/DLSR.
   *
   * @param ntpSec - SR NTP seconds.
   * @param ntpFrac - SR NTP fraction.
   * @param arrivalMs - arrival time in ms, same clock as {@link buildReportBlock}'s `nowMs`.
   */
  onSenderReport(ntpSec: number, ntpFrac: number, arrivalMs: number): void {
    this.#lastSrMid = (((ntpSec & 0xffff) << 16) | (ntpFrac >>> 16)) >>> 0;
    this.#lastSrArrivalMs = arrivalMs;
  }

  /**
   * Builds a report block for an RR or SR and starts a new fraction-lost
   * interval. Returns undefined before the first packet.
   */
  buildReportBlock(nowMs: number): RtcpReportBlock | undefined {
    if (!this.#started) return undefined;
    const expected = this.expected;
    const expectedInterval = expected - this.#expectedPrior;
    const receivedInterval = this.packets - this.#receivedPrior;
    this.#expectedPrior = expected;
    this.#receivedPrior = this.packets;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost =
      expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
    const dlsr = this.#lastSrArrivalMs < 0 ? 0 : Math.max(0, Math.round(((nowMs - this.#lastSrArrivalMs) * 65536) / 1000));
    return {
      ssrc: this.ssrc,
      fractionLost,
      totalLost: Math.max(-0x800000, Math.min(0x7fffff, this.lost)),
      highestSeq: this.extendedHighestSeq >>> 0,
      jitter: Math.floor(this.jitter),
      lsr: this.#lastSrArrivalMs < 0 ? 0 : this.#lastSrMid,
      dlsr: this.#lastSrArrivalMs < 0 ? 0 : dlsr,
    };
  }
}

/**
 * Round-trip time in ms from a report block about a stream we send: arrival
 * time minus LSR minus DLSR (RFC 3550 §6.4.1), with `nowNtpMid` the middle 32
 * bits of the NTP time at arrival. Returns undefined when the block has no LSR.
 */
export function rttFromReportBlock(block: RtcpReportBlock, nowNtpMid: number): number | undefined {
  if (block.lsr === 0) return undefined;
  const rtt = ((nowNtpMid - block.lsr - block.dlsr) >>> 0) / 65536;
  return rtt > 60 ? undefined : rtt * 1000;
}

/** Converts a Unix time in ms to NTP seconds and fraction (both unsigned 32-bit). */
export function toNtp(unixMs: number): { ntpSec: number; ntpFrac: number } {
  const seconds = unixMs / 1000 + 2208988800;
  const ntpSec = Math.floor(seconds);
  return { ntpSec: ntpSec >>> 0, ntpFrac: Math.floor((seconds - ntpSec) * 0x100000000) >>> 0 };
}
