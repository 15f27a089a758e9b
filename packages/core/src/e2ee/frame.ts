import { E2EE_FRAME_VERSION, E2EE_TAG_BYTES } from '@alcove/protocol';
import type { FrameKey } from './sender-keys.js';

/*
 * Frame format version 3 (docs/e2ee.md, "Frame format"), suite 2 (AES-128-GCM through WebCrypto):
 *
 *   | clear prefix (h) | ciphertext (n) | tag (16) | CTR (c, BE) | KID (k, BE) | h (1|2) | cfg (1) |
 *   cfg = VV H KK CCC: VV version (11), H = h is 2 bytes, KK = k-1, CCC = c-1.
 *
 * The trailer layout is the one of version 2; only the cipher and the binding changed. The
 * ciphertext is the payload alone; the clear prefix and the trailer are GCM's additional data:
 *
 *   iv12 = salt ⊕ (0 0 0 0 ‖ CTR as uint64 BE)
 *   aad  = clear prefix ‖ CTR ‖ KID ‖ h ‖ cfg   (the bytes as they are on the wire)
 *
 * The frame key is unique per (sender base key, KID, suite, track) and CTR never repeats under one
 * key (the sender restarts it at 0 only with a new key), so no IV is used twice under a key.
 * Version 2 (XSalsa20-Poly1305, the prefix bound through the nonce) is dropped as BAD_VERSION.
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

const IV_BYTES = 12;
/** The outcome of every frame that fails authentication (one object, not one per frame). */
const AUTH_FAILED: DecryptResult = { ok: false, reason: 'AUTH_FAILED' };
const subtle = (): SubtleCrypto => globalThis.crypto.subtle;

/**
 * The WebCrypto key of a frame key, imported once (non-extractable) and kept on the frame key
 * until the key ring wipes it.
 */
function cryptoKeyOf(key: FrameKey): Promise<CryptoKey> {
  key.cryptoKey ??= subtle().importKey('raw', key.key as BufferSource, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return key.cryptoKey;
}

/*
 * Reused buffers for the IV and the additional data. WebCrypto copies its inputs when the call is
 * made, so they are written right before each call and the next frame may overwrite them while an
 * earlier call is still running. The output
 * frame is the only allocation of ours per frame (WebCrypto returns its result in a buffer of its own).
 */
const ivBuf = new Uint8Array(IV_BYTES);
let aadBuf = new Uint8Array(64);

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

/** Writes `salt ⊕ (0⁴ ‖ CTR as uint64 BE)` into `iv` (12 bytes). */
function writeIv(iv: Uint8Array, salt: Uint8Array, ctr: number): Uint8Array {
  let v = ctr;
  for (let i = IV_BYTES - 1; i >= 0; i--) {
    iv[i] = salt[i]! ^ (i >= 4 ? v % 256 : 0);
    if (i >= 4) v = Math.floor(v / 256);
  }
  return iv;
}

/** The additional data of a frame: its clear prefix `src[0, h)` then its trailer `src[t, t+len)`. */
function writeAad(src: Uint8Array, h: number, trailerAt: number, trailerLength: number): Uint8Array {
  const n = h + trailerLength;
  if (aadBuf.length < n) aadBuf = new Uint8Array(Math.max(n, aadBuf.length * 2));
  for (let i = 0; i < h; i++) aadBuf[i] = src[i]!;
  for (let i = 0; i < trailerLength; i++) aadBuf[h + i] = src[trailerAt + i]!;
  return aadBuf.subarray(0, n);
}

/** AES-GCM parameters of a frame, in the shared buffers: valid until the next call. */
function params(salt: Uint8Array, ctr: number, src: Uint8Array, h: number, trailerAt: number, trailerLength: number): AesGcmParams {
  const iv = writeIv(ivBuf, salt, ctr);
  const aad = writeAad(src, h, trailerAt, trailerLength);
  return { name: 'AES-GCM', iv: iv as BufferSource, additionalData: aad as BufferSource };
}

/** The 12-byte IV of a frame: `salt ⊕ (0⁴ ‖ CTR as uint64 BE)`. A fresh array (tests and tools). */
export function frameNonce(salt: Uint8Array, ctr: number): Uint8Array {
  return writeIv(new Uint8Array(IV_BYTES), salt, ctr);
}

/**
 * Encrypts one encoded frame. `prefixLength` bytes at the start stay in clear (codec header the
 * packetiser and SFU need) and are authenticated as additional data with the trailer; the rest is
 * sealed with the frame key and counter.
 * @throws {RangeError} on a prefix longer than the frame or a counter beyond 2^53 (synchronously).
 */
export function encryptFrame(frame: Uint8Array, prefixLength: number, key: FrameKey, ctr: number): Promise<Uint8Array> {
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
  const trailerLength = c + k + hLen + 1;

  const out = new Uint8Array(prefixLength + plainLen + E2EE_TAG_BYTES + trailerLength);
  for (let i = 0; i < prefixLength; i++) out[i] = frame[i]!;
  let o = prefixLength + plainLen + E2EE_TAG_BYTES;
  const trailerAt = o;
  writeBE(out, o, ctr, c);
  o += c;
  writeBE(out, o, key.kid, k);
  o += k;
  writeBE(out, o, prefixLength, hLen);
  o += hLen;
  out[o] = cfg;
  const payload = frame.subarray(prefixLength);
  // The shared IV and AAD buffers are written right before the call that copies them.
  return cryptoKeyOf(key).then((ck) =>
    subtle()
      .encrypt(params(key.salt, ctr, out, prefixLength, trailerAt, trailerLength), ck, payload as BufferSource)
      .then((sealed) => {
        out.set(new Uint8Array(sealed), prefixLength); // ciphertext ‖ tag
        return out;
      }),
  );
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
 * it after a successful open (see ReplayWindow). Never rejects; every failure is a drop.
 */
export function decryptFrame(data: Uint8Array, keyFor: (kid: number) => FrameKey | undefined): Promise<DecryptResult> {
  const h = parseFrameHeader(data);
  if (typeof h === 'string') return Promise.resolve({ ok: false, reason: h });
  const key = keyFor(h.kid);
  if (!key) return Promise.resolve({ ok: false, reason: 'UNKNOWN_KEY', kid: h.kid });
  return openParsed(data, h, key);
}

/**
 * Opens a frame whose trailer was already parsed (`h` from {@link parseFrameHeader} of the same
 * `data`) under `key`: the receive path parses once. Never rejects.
 */
export function openParsed(data: Uint8Array, h: FrameHeader, key: FrameKey): Promise<DecryptResult> {
  const trailerAt = data.length - h.trailerLength;
  const sealed = data.subarray(h.prefixLength, trailerAt); // ciphertext ‖ tag
  return cryptoKeyOf(key)
    .then((ck) => subtle().decrypt(params(key.salt, h.ctr, data, h.prefixLength, trailerAt, h.trailerLength), ck, sealed as BufferSource))
    .then(
      (plain): DecryptResult => {
        const out = new Uint8Array(h.prefixLength + plain.byteLength);
        for (let i = 0; i < h.prefixLength; i++) out[i] = data[i]!;
        out.set(new Uint8Array(plain), h.prefixLength);
        return { ok: true, frame: out, kid: h.kid, ctr: h.ctr };
      },
      () => AUTH_FAILED,
    );
}
