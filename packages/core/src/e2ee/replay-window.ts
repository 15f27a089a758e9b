import { E2EE_REPLAY_WINDOW } from '@alcove/protocol';

/**
 * Anti-replay window over frame counters (E2EE.md §6): the highest accepted counter plus a bitmap of
 * the `size` counters below it. `check()` is side-effect free; call `accept()` only after the
 * frame's tag verified, so forged frames can never move the window.
 */
export class ReplayWindow {
  readonly #size: number;
  readonly #bits: Uint32Array;
  #max = -1;

  constructor(size = E2EE_REPLAY_WINDOW) {
    if (!Number.isInteger(size) || size < 32 || size % 32 !== 0) throw new RangeError('window size must be a multiple of 32');
    this.#size = size;
    this.#bits = new Uint32Array(size / 32);
  }

  /** Highest accepted counter, or -1. */
  get highest(): number {
    return this.#max;
  }

  /** Whether a frame with counter `ctr` would be fresh (not a replay, not too old). */
  check(ctr: number): boolean {
    if (!Number.isSafeInteger(ctr) || ctr < 0) return false;
    if (ctr > this.#max) return true;
    const age = this.#max - ctr;
    if (age >= this.#size) return false;
    return !this.#get(ctr);
  }

  /** Records `ctr` as seen. Returns false (and changes nothing) if it was not fresh. */
  accept(ctr: number): boolean {
    if (!this.check(ctr)) return false;
    if (ctr > this.#max) {
      const shift = this.#max < 0 ? this.#size : ctr - this.#max;
      if (shift >= this.#size) this.#bits.fill(0);
      else for (let c = this.#max + 1; c < ctr; c++) this.#clear(c);
      this.#max = ctr;
    }
    this.#set(ctr);
    return true;
  }

  // Word and bit of a counter, computed inline (no tuple per frame on the receive path).
  #get(ctr: number): boolean {
    const i = ctr % this.#size;
    return ((this.#bits[i >>> 5] ?? 0) & (1 << (i & 31))) !== 0;
  }
  #set(ctr: number): void {
    const i = ctr % this.#size;
    this.#bits[i >>> 5] = (this.#bits[i >>> 5] ?? 0) | (1 << (i & 31));
  }
  #clear(ctr: number): void {
    const i = ctr % this.#size;
    this.#bits[i >>> 5] = (this.#bits[i >>> 5] ?? 0) & ~(1 << (i & 31));
  }
}
