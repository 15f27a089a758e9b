import { E2EE_FRAME_VERSION, E2EE_TAG_BYTES } from '@alcove/protocol';
import nacl from 'tweetnacl';
import { sha512 } from './hkdf.js';
import type { FrameKey } from './sender-keys.js';

/*
 * Frame format (E2EE.md §5), suite 1 (XSalsa20-Poly1305):
 *
 *   | clear prefix (h) | ciphertext (n) | tag (16) | CTR (c, BE) | KID (k, BE) | h (1|2) | cfg (1) |
 *   cfg = VV H KK CCC: VV version (01), H = h is 2 bytes, KK = k-1, CCC = c-1.
 *
 * The plaintext is `bind ‖ payload`, where bind = prefix (h ≤ 16) or SHA-512(prefix)[0..16], so the
 * clear prefix is authenticated. The nonce is salt ⊕ (0^16 ‖ CTR as uint64 BE).
 */

/** Why a frame was dropped. Every reason fails closed: nothing reaches the decoder. */
export type DropReason = 'TOO_SHORT' | 'BAD_VERSION' | 'BAD_PREFIX' | 'UNKNOWN_KEY' | 'AUTH_FAILED' | 'BIND_MISMATCH' | 'REPLAY';

/** The parsed trailer of an encrypted frame. */
export interface FrameHeader {
  readonly prefixLength: number;
  readonly ctr: number;
  readonly kid: number;
  /** Total trailer length (CTR + KID + h + cfg), excluding the tag. */
  readonly trailerLength: number;
}

/** Outcome of {@link decryptFrame}. */
export type DecryptResult =
  | { readonly ok: true; readonly frame: Uint8Array; readonly kid: number; readonly ctr: number }
  | { readonly ok: false; readonly reason: DropReason; readonly kid?: number };

type LowLevel = {
  crypto_secretbox(c: Uint8Array, m: Uint8Array, d: number, n: Uint8Array, k: Uint8Array): number;
  crypto_secretbox_open(m: Uint8Array, c: Uint8Array, d: number, n: Uint8Array, k: Uint8Array): number;
};
const lowlevel = (nacl as unknown as { lowlevel: LowLevel }).lowlevel;
const ZERO = 32; // crypto_secretbox_ZEROBYTES
const BOXZERO = 16; // crypto_secretbox_BOXZEROBYTES

function byteLength(v: number): number {
  let n = 1;
  while (v >= 256 ** n && n < 8) n++;
  return n;
}

function writeBE(out: Uint8Array, at: number, v: number, len: number): void {
  for (let i = len - 1; i >= 0; i--) {
    out[at + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

function readBE(b: Uint8Array, at: number, len: number): number {
  let v = 0;
  for (let i = 0; i < len; i++) v = v * 256 + (b[at + i] ?? 0);
  return v;
}

/** nonce24 = salt ⊕ (0^16 ‖ CTR as uint64 BE). */
export function frameNonce(salt: Uint8Array, ctr: number): Uint8Array {
  const n = salt.slice(0, 24);
  let v = ctr;
  for (let i = 23; i >= 16; i--) {
    n[i] = (n[i] ?? 0) ^ (v % 256);
    v = Math.floor(v / 256);
  }
  return n;
}

function bindOf(prefix: Uint8Array): Uint8Array {
  return prefix.length <= 16 ? prefix : sha512(prefix).subarray(0, 16);
}

/**
 * Encrypts one encoded frame. `prefixLength` bytes at the start stay in clear (codec header the
 * packetiser and SFU need); the rest is sealed with the frame key and counter.
 * @throws {RangeError} on a prefix longer than the frame or a counter beyond 2^53.
 */
export function encryptFrame(frame: Uint8Array, prefixLength: number, key: FrameKey, ctr: number): Uint8Array {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > frame.length || prefixLength > 0xffff) {
    throw new RangeError('prefix length out of range');
  }
  if (!Number.isSafeInteger(ctr) || ctr < 0) throw new RangeError('counter out of range');
  if (key.kid < 0 || key.kid > 0xffffffff) throw new RangeError('key id out of range');
  const prefix = frame.subarray(0, prefixLength);
  const bind = bindOf(prefix);
  const payload = frame.subarray(prefixLength);
  const c = byteLength(ctr);
  const k = Math.min(4, byteLength(key.kid));
  const hLen = prefixLength > 255 ? 2 : 1;
  const plainLen = bind.length + payload.length;

  const m = new Uint8Array(ZERO + plainLen);
  m.set(bind, ZERO);
  m.set(payload, ZERO + bind.length);
  const box = new Uint8Array(m.length);
  lowlevel.crypto_secretbox(box, m, m.length, frameNonce(key.salt, ctr), key.key);

  const out = new Uint8Array(prefixLength + plainLen + E2EE_TAG_BYTES + c + k + hLen + 1);
  let o = 0;
  out.set(prefix, o);
  o += prefixLength;
  out.set(box.subarray(ZERO), o); // ciphertext
  o += plainLen;
  out.set(box.subarray(BOXZERO, ZERO), o); // tag
  o += E2EE_TAG_BYTES;
  writeBE(out, o, ctr, c);
  o += c;
  writeBE(out, o, key.kid, k);
  o += k;
  writeBE(out, o, prefixLength, hLen);
  o += hLen;
  out[o] = (E2EE_FRAME_VERSION << 6) | ((hLen === 2 ? 1 : 0) << 5) | ((k - 1) << 3) | (c - 1);
  m.fill(0);
  return out;
}

/** Reads the trailer without decrypting. Returns a drop reason for malformed frames. Never throws. */
export function parseFrameHeader(data: Uint8Array): FrameHeader | DropReason {
  if (data.length < 1) return 'TOO_SHORT';
  const cfg = data[data.length - 1] ?? 0;
  if (cfg >> 6 !== E2EE_FRAME_VERSION) return 'BAD_VERSION';
  const hLen = (cfg >> 5) & 1 ? 2 : 1;
  const k = ((cfg >> 3) & 3) + 1;
  const c = (cfg & 7) + 1;
  const trailerLength = c + k + hLen + 1;
  if (data.length < trailerLength + E2EE_TAG_BYTES) return 'TOO_SHORT';
  const end = data.length - 1;
  const prefixLength = readBE(data, end - hLen, hLen);
  const kid = readBE(data, end - hLen - k, k);
  const ctr = readBE(data, end - hLen - k - c, c);
  if (prefixLength + E2EE_TAG_BYTES + trailerLength > data.length) return 'BAD_PREFIX';
  return { prefixLength, ctr, kid, trailerLength };
}

/**
 * Decrypts one frame. `keyFor(kid)` returns the key for a key id or undefined (then the frame is
 * dropped as UNKNOWN_KEY). The caller owns replay protection: check the counter before and record
 * it after a successful open (see ReplayWindow). Never throws; every failure is a drop.
 */
export function decryptFrame(data: Uint8Array, keyFor: (kid: number) => FrameKey | undefined): DecryptResult {
  const h = parseFrameHeader(data);
  if (typeof h === 'string') return { ok: false, reason: h };
  const key = keyFor(h.kid);
  if (!key) return { ok: false, reason: 'UNKNOWN_KEY', kid: h.kid };
  const prefix = data.subarray(0, h.prefixLength);
  const bindLen = Math.min(16, h.prefixLength);
  const cipherEnd = data.length - h.trailerLength - E2EE_TAG_BYTES;
  const cipherLen = cipherEnd - h.prefixLength;
  if (cipherLen < bindLen) return { ok: false, reason: 'TOO_SHORT', kid: h.kid };

  const box = new Uint8Array(ZERO + cipherLen);
  box.set(data.subarray(cipherEnd, cipherEnd + E2EE_TAG_BYTES), BOXZERO);
  box.set(data.subarray(h.prefixLength, cipherEnd), ZERO);
  const m = new Uint8Array(box.length);
  if (lowlevel.crypto_secretbox_open(m, box, box.length, frameNonce(key.salt, h.ctr), key.key) !== 0) {
    return { ok: false, reason: 'AUTH_FAILED', kid: h.kid };
  }
  const plain = m.subarray(ZERO);
  const bind = bindOf(prefix);
  for (let i = 0; i < bindLen; i++) {
    if (plain[i] !== bind[i]) {
      m.fill(0);
      return { ok: false, reason: 'BIND_MISMATCH', kid: h.kid };
    }
  }
  const out = new Uint8Array(h.prefixLength + cipherLen - bindLen);
  out.set(prefix, 0);
  out.set(plain.subarray(bindLen), h.prefixLength);
  m.fill(0);
  return { ok: true, frame: out, kid: h.kid, ctr: h.ctr };
}
