import nacl from 'tweetnacl';

/**
 * The sealed pairwise control channel (E2EE.md §3): `secretbox(msg, 16 zero bytes ‖ seq64, k_dir)`
 * with a per-direction sequence number. The receiver refuses a non-increasing sequence number, so
 * old key messages cannot be replayed.
 */
export class ControlChannel {
  readonly #send: Uint8Array;
  readonly #recv: Uint8Array;
  #sendSeq = 0;
  #recvSeq = -1;

  constructor(sendKey: Uint8Array, recvKey: Uint8Array) {
    if (sendKey.length !== 32 || recvKey.length !== 32) throw new RangeError('control keys must be 32 bytes');
    this.#send = sendKey.slice();
    this.#recv = recvKey.slice();
  }

  /** Seals `plaintext`: 8-byte big-endian sequence number ‖ secretbox. */
  seal(plaintext: Uint8Array): Uint8Array {
    const seq = this.#sendSeq++;
    const nonce = nonceOf(seq);
    const box = nacl.secretbox(plaintext, nonce, this.#send);
    const out = new Uint8Array(8 + box.length);
    out.set(nonce.subarray(16), 0);
    out.set(box, 8);
    return out;
  }

  /** Opens a sealed message, or returns undefined (forged, wrong key, replayed or reordered). */
  open(sealed: Uint8Array): Uint8Array | undefined {
    if (sealed.length < 8 + nacl.secretbox.overheadLength) return undefined;
    let seq = 0;
    for (let i = 0; i < 8; i++) seq = seq * 256 + (sealed[i] ?? 0);
    if (!Number.isSafeInteger(seq) || seq <= this.#recvSeq) return undefined;
    const plain = nacl.secretbox.open(sealed.subarray(8), nonceOf(seq), this.#recv);
    if (!plain) return undefined;
    this.#recvSeq = seq;
    return plain;
  }

  /** Overwrites the keys (best effort in JS). */
  destroy(): void {
    this.#send.fill(0);
    this.#recv.fill(0);
  }
}

function nonceOf(seq: number): Uint8Array {
  const n = new Uint8Array(24);
  let v = seq;
  for (let i = 23; i >= 16; i--) {
    n[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return n;
}
