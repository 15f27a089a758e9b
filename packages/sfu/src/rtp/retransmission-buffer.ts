/**
 * A fixed-slab retransmission buffer keyed by RTP sequence number, for
 * answering NACKs. All memory is allocated up front; storing a packet is a
 * copy into its slot.
 *
 * @packageDocumentation
 */

/** Options of {@link RetransmissionBuffer}. */
export type RetransmissionBufferOptions = {
  /** Number of packets kept; rounded up to a power of two, at most 32768. Default 1024. */
  capacity?: number;
  /** Largest packet stored; longer packets are not stored. Default 1500. */
  maxPacketSize?: number;
  /** Packets older than this are not returned. Default 2000 ms. */
  maxAgeMs?: number;
};

/**
 * Keeps the last `capacity` packets of one stream.
 *
 * @example
 * ```ts
 * const rtx = new RetransmissionBuffer({ capacity: 512 });
 * rtx.store(seq, packet, packet.length, Date.now());
 * const copy = rtx.get(lostSeq, Date.now()); // Uint8Array view or undefined
 * ```
 */
export class RetransmissionBuffer {
  readonly #mask: number;
  readonly #slotSize: number;
  readonly #maxAgeMs: number;
  readonly #slab: Uint8Array;
  readonly #seqs: Int32Array;
  readonly #lengths: Uint16Array;
  readonly #times: Float64Array;
  #stored = 0;

  constructor({ capacity = 1024, maxPacketSize = 1500, maxAgeMs = 2000 }: RetransmissionBufferOptions = {}) {
    if (!(capacity >= 1) || !(maxPacketSize >= 12) || maxPacketSize > 65535) {
      throw new TypeError('invalid retransmission buffer options');
    }
    let size = 1;
    while (size < Math.min(capacity, 32768)) size <<= 1;
    this.#mask = size - 1;
    this.#slotSize = maxPacketSize;
    this.#maxAgeMs = maxAgeMs;
    this.#slab = new Uint8Array(size * maxPacketSize);
    this.#seqs = new Int32Array(size).fill(-1);
    this.#lengths = new Uint16Array(size);
    this.#times = new Float64Array(size);
  }

  /** Number of slots. */
  get capacity(): number {
    return this.#mask + 1;
  }

  /** Number of packets stored since creation or the last clear. */
  get storedCount(): number {
    return this.#stored;
  }

  /**
   * Copies `packet[0..length)` into the slot for `seq`, replacing what was there.
   *
   * @returns false if the packet is larger than `maxPacketSize` (not stored).
   */
  store(seq: number, packet: Uint8Array, length: number, nowMs: number): boolean {
    if (length > this.#slotSize || length > packet.length) return false;
    const slot = seq & this.#mask;
    this.#slab.set(length === packet.length ? packet : packet.subarray(0, length), slot * this.#slotSize);
    this.#seqs[slot] = seq & 0xffff;
    this.#lengths[slot] = length;
    this.#times[slot] = nowMs;
    this.#stored++;
    return true;
  }

  /**
   * The stored packet for `seq` as a view into the slab (valid until the slot
   * is overwritten), or undefined if absent or older than `maxAgeMs`.
   */
  get(seq: number, nowMs: number): Uint8Array | undefined {
    const slot = this.#find(seq, nowMs);
    if (slot < 0) return undefined;
    const start = slot * this.#slotSize;
    return this.#slab.subarray(start, start + this.#lengths[slot]!);
  }

  /**
   * Copies the stored packet for `seq` into `dst` at `dstOffset` without allocating.
   *
   * @returns its length, or 0 if absent, too old, or `dst` is too small.
   */
  copyTo(seq: number, nowMs: number, dst: Uint8Array, dstOffset = 0): number {
    const slot = this.#find(seq, nowMs);
    if (slot < 0) return 0;
    const len = this.#lengths[slot]!;
    if (dstOffset + len > dst.length) return 0;
    const start = slot * this.#slotSize;
    dst.set(this.#slab.subarray(start, start + len), dstOffset);
    return len;
  }

  /** Time at which `seq` was stored, or -1. */
  storedAt(seq: number): number {
    const slot = seq & this.#mask;
    return this.#seqs[slot] === (seq & 0xffff) ? this.#times[slot]! : -1;
  }

  /** Forgets every packet. */
  clear(): void {
    this.#seqs.fill(-1);
    this.#stored = 0;
  }

  #find(seq: number, nowMs: number): number {
    const slot = seq & this.#mask;
    if (this.#seqs[slot] !== (seq & 0xffff)) return -1;
    if (nowMs - this.#times[slot]! > this.#maxAgeMs) return -1;
    return slot;
  }
}
