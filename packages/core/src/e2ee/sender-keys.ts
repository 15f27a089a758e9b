import { E2EE_LABELS, E2EE_SUITES, type E2eeSuite } from '@alcove/protocol';
import { bytes, concatBytes, hkdfExpand, hkdfExtract } from './hkdf.js';

/** Key material for one (sender, key id, suite, track): the AEAD key and the nonce salt. */
export interface FrameKey {
  readonly kid: number;
  /** AEAD key: 16 bytes for AES-128-GCM (suite 2), 32 for XSalsa20-Poly1305 (suite 1, no longer sealed). */
  readonly key: Uint8Array;
  /** Nonce salt: 12 bytes (suite 2), 24 (suite 1). */
  readonly salt: Uint8Array;
  /** The key imported into WebCrypto (non-extractable), once, on first use; dropped when the key is wiped. */
  cryptoKey?: Promise<CryptoKey> | undefined;
}

/** KID on the wire: `(generation << 4) | (step mod 16)` (SFrame sender keys, R = 4). */
export function keyId(generation: number, step: number): number {
  if (!Number.isInteger(generation) || generation < 0 || generation >= 2 ** 27) throw new RangeError('generation out of range');
  if (!Number.isInteger(step) || step < 0) throw new RangeError('step out of range');
  return generation * 16 + (step % 16);
}

/** The next ratchet step: `B[g][s+1] = HKDF-Expand(HKDF-Extract("", B[g][s]), "alcove-e2ee v1 ratchet", 32)`. */
export function ratchet(base: Uint8Array): Uint8Array {
  if (base.length !== 32) throw new RangeError('base key must be 32 bytes');
  return hkdfExpand(hkdfExtract(new Uint8Array(0), base), bytes(E2EE_LABELS.ratchet), 32);
}

function kid8(kid: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(kid));
  return out;
}

/** Derives the frame key and salt of one track from a sender base key (E2EE.md §4). */
export function deriveFrameKey(base: Uint8Array, kid: number, suite: E2eeSuite, track: string): FrameKey {
  if (base.length !== 32) throw new RangeError('base key must be 32 bytes');
  const prk = hkdfExtract(new Uint8Array(0), base);
  const tail = concatBytes(kid8(kid), Uint8Array.of(suite >> 8, suite & 0xff), bytes(track));
  const aes = suite === E2EE_SUITES.AES_128_GCM;
  const key = hkdfExpand(prk, concatBytes(bytes(E2EE_LABELS.key), tail), aes ? 16 : 32);
  const salt = hkdfExpand(prk, concatBytes(bytes(E2EE_LABELS.salt), tail), aes ? 12 : 24);
  prk.fill(0);
  return { kid, key, salt };
}
