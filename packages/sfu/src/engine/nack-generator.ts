/**
 * Receive-side loss repair for one incoming stream: notices gaps in the sender's sequence
 * numbers, lists the missing packets and says which to request (generic NACK, RFC 4585 §6.2.1)
 * now: new ones at once, unanswered ones again after a retry interval, each at most
 * {@link NACK_MAX_RETRIES} times. Fixed-size typed arrays, no allocation per packet.
 * @internal
 */
import { unwrapSeq16 } from '../rtp/rtp-header.js';

/** Most packets missing at once; a larger gap resets the list (the caller asks for a keyframe). */
export const NACK_LIST_CAPACITY = 512;
/** Requests per missing packet before it is given up. */
export const NACK_MAX_RETRIES = 10;
/** Minimum wait before a packet is requested again (ms). */
export const NACK_MIN_RETRY_MS = 40;
/** A missing packet older than this (ms) is given up. */
export const NACK_MAX_AGE_MS = 1000;

/** What {@link NackGenerator.onPacket} saw. */
export const NackPacketResult = {
  /** In order, or after a gap that was listed. */
  New: 0,
  /** A packet that was listed as missing (a retransmission or a late one). */
  Recovered: 1,
  /** Older than the highest, not listed (a duplicate or too late). */
  Old: 2,
  /** The gap was too large to list: the list was cleared; the caller should ask for a keyframe. */
  Reset: 3,
} as const;
export type NackPacketResult = (typeof NackPacketResult)[keyof typeof NackPacketResult];

/** The missing-packet list of one stream. */
export class NackGenerator {
  private readonly seqs = new Float64Array(NACK_LIST_CAPACITY);
  private readonly addedAt = new Float64Array(NACK_LIST_CAPACITY);
  private readonly sentAt = new Float64Array(NACK_LIST_CAPACITY);
  private readonly retries = new Uint8Array(NACK_LIST_CAPACITY);
  /** Sequence numbers chosen by the last {@link collect}. */
  readonly out = new Uint16Array(NACK_LIST_CAPACITY);
  /** Packets listed as missing now. */
  size = 0;
  /** Packets added to the list since the last {@link collect} (to request at once). */
  added = 0;
  private highest = -1;
  /** Packets recovered after being listed. */
  recovered = 0;
  /** Packets given up after {@link NACK_MAX_RETRIES} requests or {@link NACK_MAX_AGE_MS}. */
  givenUp = 0;

  /** Notes an arriving packet with 16-bit sequence number `seq`. */
  onPacket(seq: number, nowMs: number): NackPacketResult {
    seq &= 0xffff;
    if (this.highest < 0) {
      this.highest = seq + 0x10000; // room below for reordering at the start
      return NackPacketResult.New;
    }
    const ext = unwrapSeq16(seq, this.highest);
    const diff = ext - this.highest;
    if (diff > 0) {
      const gap = diff - 1;
      if (gap > 0) {
        if (this.size + gap > NACK_LIST_CAPACITY) {
          this.givenUp += this.size + gap;
          this.size = 0;
          this.added = 0;
          this.highest = ext;
          return NackPacketResult.Reset;
        }
        for (let s = this.highest + 1; s < ext; s++) {
          const i = this.size++;
          this.seqs[i] = s;
          this.addedAt[i] = nowMs;
          this.sentAt[i] = 0;
          this.retries[i] = 0;
        }
        this.added += gap;
      }
      this.highest = ext;
      return NackPacketResult.New;
    }
    for (let i = 0; i < this.size; i++) {
      if (this.seqs[i] === ext) {
        this.removeAt(i);
        this.recovered++;
        return NackPacketResult.Recovered;
      }
    }
    return NackPacketResult.Old;
  }

  /**
   * Chooses the packets to request now into {@link out}: never requested, or requested at least
   * `retryMs` ago; drops those asked for too often or missing for too long.
   * @returns how many were written to {@link out}.
   */
  collect(nowMs: number, retryMs: number): number {
    this.added = 0;
    const wait = Math.max(NACK_MIN_RETRY_MS, retryMs);
    let n = 0;
    for (let i = 0; i < this.size; ) {
      if (this.retries[i]! >= NACK_MAX_RETRIES || nowMs - this.addedAt[i]! > NACK_MAX_AGE_MS) {
        this.removeAt(i);
        this.givenUp++;
        continue;
      }
      if (this.sentAt[i] === 0 || nowMs - this.sentAt[i]! >= wait) {
        this.out[n++] = this.seqs[i]! & 0xffff;
        this.sentAt[i] = nowMs;
        this.retries[i] = this.retries[i]! + 1;
      }
      i++;
    }
    return n;
  }

  private removeAt(i: number): void {
    const last = this.size - 1;
    if (i < last) {
      this.seqs.copyWithin(i, i + 1, this.size);
      this.addedAt.copyWithin(i, i + 1, this.size);
      this.sentAt.copyWithin(i, i + 1, this.size);
      this.retries.copyWithin(i, i + 1, this.size);
    }
    this.size = last;
  }
}
