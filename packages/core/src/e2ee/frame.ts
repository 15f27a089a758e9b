import { E2EE_FRAME_VERSION, E2EE_TAG_BYTES } from '@alcove/protocol';
import nacl from 'tweetnacl';
import { sha512 } from './hkdf.js';
import type { FrameKey } from './sender-keys.js';

/*
 * Frame format version 2 (docs/e2ee.md, "Frame format"), suite 1 (XSalsa20-Poly1305):
 *
 *   | clear prefix (h) | ciphertext (n) | tag (16) | CTR (c, BE) | KID (k, BE) | h (1|2) | cfg (1) |
 *   cfg = VV H KK CCC: VV version (10), H = h is 2 bytes, KK = k-1, CCC = c-1.
 *
 * The ciphertext is the payload alone. The clear prefix and the trailer are bound through the
 * nonce instead (secretbox has no associated data):
 *
 *   nonce24 = salt ⊕ (P ‖ h_hi ‖ h_lo ‖ cfg ‖ CTR as uint64 BE)
 *
 * where P (13 bytes) is the prefix zero-padded when h ≤ 13, else SHA-512(prefix)[0..13]. A changed
 * prefix, h or cfg gives another nonce, so another Poly1305 key, and the tag fails; CTR (low 8
 * bytes) keeps nonces unique per key whatever the prefix. Version 1 carried a copy of the prefix
 * (or a 16-byte hash of it) inside the plaintext: 3 to 16 more bytes per frame.
 */

/** Why a frame was dropped. Every reason fails closed: nothing reaches the decoder. */
export type DropReason = 'TOO_SHORT' | 'BAD_VERSION' | 'BAD_PREFIX' | 'UNKNOWN_KEY' | 'AUTH_FAILED' | 'REPLAY';

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
/** Prefix bytes mixed into the nonce as they are; longer prefixes go in hashed. */
const PREFIX_IN_NONCE = 13;

/*
 * Reused buffers: secretbox wants its input behind 32 zero bytes and writes a same-size output, so
 * sealing or opening a frame goes through these two scratch buffers (grown to the largest frame
 * seen, never shrunk) and allocates only the frame it returns. The plaintext side is wiped after
 * every use. The worker runs one transform at a time, so one pair serves every track.
 */
let scratchIn = new Uint8Array(2048);
let scratchOut = new Uint8Array(2048);
const nonceBuf = new Uint8Array(24);

function scratch(len: number): void {
  if (scratchIn.length >= len) return;
  let n = scratchIn.length;
  while (n < len) n *= 2;
  scratchIn = new Uint8Array(n);
  scratchOut = new Uint8Array(n);
}

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

/**
 * Writes the version-2 nonce of a frame whose clear prefix is `src[0, h)` into `n` (24 bytes); see
 * the format comment above. Byte loops instead of `subarray` views: no allocation per frame (a
 * prefix longer than 13 bytes, which no supported codec uses, is hashed).
 */
function writeNonce(n: Uint8Array, salt: Uint8Array, ctr: number, src: Uint8Array, h: number, cfg: number): Uint8Array {
  for (let i = 0; i < 24; i++) n[i] = salt[i]!;
  const p = h <= PREFIX_IN_NONCE ? src : sha512(src.subarray(0, h));
  const pl = Math.min(h, PREFIX_IN_NONCE);
  for (let i = 0; i < pl; i++) n[i]! ^= p[i]!;
  n[13]! ^= h >>> 8;
  n[14]! ^= h & 0xff;
  n[15]! ^= cfg;
  let v = ctr;
  for (let i = 23; i >= 16; i--) {
    n[i]! ^= v % 256;
    v = Math.floor(v / 256);
  }
  return n;
}

/**
 * The nonce of a frame: salt ⊕ (prefix-or-hash (13) ‖ h (2, BE) ‖ cfg (1) ‖ CTR (8, BE)).
 * A fresh array (tests and tools); the seal/open path writes into a reused one.
 */
export function frameNonce(salt: Uint8Array, ctr: number, prefix: Uint8Array, cfg: number): Uint8Array {
  return writeNonce(new Uint8Array(24), salt, ctr, prefix, prefix.length, cfg);
}

/**
 * Encrypts one encoded frame. `prefixLength` bytes at the start stay in clear (codec header the
 * packetiser and SFU need) and are authenticated through the nonce; the rest is sealed with the
 * frame key and counter. Allocates only the returned frame.
 * @throws {RangeError} on a prefix longer than the frame or a counter beyond 2^53.
 */
export function encryptFrame(frame: Uint8Array, prefixLength: number, key: FrameKey, ctr: number): Uint8Array {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > frame.length || prefixLength > 0xffff) {
    throw new RangeError('prefix length out of range');
  }
  if (!Number.isSafeInteger(ctr) || ctr < 0) throw new RangeError('counter out of range');
  if (key.kid < 0 || key.kid > 0xffffffff) throw new RangeError('key id out of range');
  const plainLen = frame.length - prefixLength;
  const c = byteLength(ctr);
  const k = Math.min(4, byteLength(key.kid));
  const hLen = prefixLength > 255 ? 2 : 1;
  const cfg = (E2EE_FRAME_VERSION << 6) | ((hLen === 2 ? 1 : 0) << 5) | ((k - 1) << 3) | (c - 1);

  const d = ZERO + plainLen;
  scratch(d);
  const m = scratchIn;
  const box = scratchOut;
  // The payload goes behind the 32 zero bytes; copying the whole frame so that the prefix lands in
  // the zero area (then zeroed) avoids a view per frame.
  if (prefixLength <= ZERO) m.set(frame, ZERO - prefixLength);
  else m.set(frame.subarray(prefixLength), ZERO);
  m.fill(0, 0, ZERO);
  lowlevel.crypto_secretbox(box, m, d, writeNonce(nonceBuf, key.salt, ctr, frame, prefixLength, cfg), key.key);
  m.fill(0, ZERO, d);

  const out = new Uint8Array(prefixLength + plainLen + E2EE_TAG_BYTES + c + k + hLen + 1);
  for (let i = 0; i < prefixLength; i++) out[i] = frame[i]!;
  let o = prefixLength;
  out.set(box.subarray(ZERO, d), o); // ciphertext
  o += plainLen;
  for (let i = 0; i < E2EE_TAG_BYTES; i++) out[o + i] = box[BOXZERO + i]!; // tag
  o += E2EE_TAG_BYTES;
  writeBE(out, o, ctr, c);
  o += c;
  writeBE(out, o, key.kid, k);
  o += k;
  writeBE(out, o, prefixLength, hLen);
  o += hLen;
  out[o] = cfg;
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
 * it after a successful open (see ReplayWindow). Never throws; every failure is a drop. Allocates
 * only the returned frame.
 */
export function decryptFrame(data: Uint8Array, keyFor: (kid: number) => FrameKey | undefined): DecryptResult {
  const h = parseFrameHeader(data);
  if (typeof h === 'string') return { ok: false, reason: h };
  const key = keyFor(h.kid);
  if (!key) return { ok: false, reason: 'UNKNOWN_KEY', kid: h.kid };
  return openParsed(data, h, key);
}

/**
 * Opens a frame whose trailer was already parsed (`h` from {@link parseFrameHeader} of the same
 * `data`) under `key`: the receive path parses once. Never throws.
 */
export function openParsed(data: Uint8Array, h: FrameHeader, key: FrameKey): DecryptResult {
  const cipherEnd = data.length - h.trailerLength - E2EE_TAG_BYTES;
  const cipherLen = cipherEnd - h.prefixLength;

  const d = ZERO + cipherLen;
  const direct = h.prefixLength <= ZERO;
  scratch(direct ? ZERO - h.prefixLength + data.length : d);
  const box = scratchIn;
  const m = scratchOut;
  // The ciphertext goes behind the 16 zero bytes and the tag; copying the whole frame so that the
  // prefix lands in that area (then overwritten) avoids a view per frame. Bytes past `d` are unused.
  if (direct) box.set(data, ZERO - h.prefixLength);
  else box.set(data.subarray(h.prefixLength, cipherEnd), ZERO);
  box.fill(0, 0, BOXZERO);
  for (let i = 0; i < E2EE_TAG_BYTES; i++) box[BOXZERO + i] = data[cipherEnd + i]!;
  const nonce = writeNonce(nonceBuf, key.salt, h.ctr, data, h.prefixLength, data[data.length - 1]!);
  if (lowlevel.crypto_secretbox_open(m, box, d, nonce, key.key) !== 0) {
    return { ok: false, reason: 'AUTH_FAILED', kid: h.kid };
  }
  const out = new Uint8Array(h.prefixLength + cipherLen);
  for (let i = 0; i < h.prefixLength; i++) out[i] = data[i]!;
  out.set(m.subarray(ZERO, d), h.prefixLength);
  m.fill(0, ZERO, d);
  return { ok: true, frame: out, kid: h.kid, ctr: h.ctr };
}
