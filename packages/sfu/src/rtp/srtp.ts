/**
 * SRTP for RTP packets (RFC 3711, RFC 7714) with long-lived AES contexts.
 *
 * node:crypto has no way to change the IV of a cipher object, so the usual approach (one
 * `createCipheriv` per packet) spends most of its time creating that object (≈ 12 µs on the
 * bench machine, more than the cipher work). Here each direction keeps ONE
 * `createCipheriv('aes-128-ecb')` for its session key for its whole life and produces the
 * counter-mode keystream of a packet with one `update()` call over that packet's counter blocks;
 * GCM's authentication (GHASH) is computed in JavaScript with per-key 8-bit tables, and
 * AES_CM_128_HMAC_SHA1_80's HMAC from pre-keyed SHA-1 states (`Hash.copy()`).
 *
 * Measured (1,188-byte packet, this repository's bench machine, see `bench/srtp-micro.ts`):
 * the bench reports both this and werift's `SrtpSession` in the same run.
 *
 * SRTCP stays on werift's session (a few packets per second per transport).
 *
 * @packageDocumentation
 */
import { type Cipheriv as Cipher, createCipheriv, createHash, type Hash, timingSafeEqual } from 'node:crypto';

/** SRTP protection profile AES_CM_128_HMAC_SHA1_80 (RFC 5764). */
export const SRTP_AES128_CM_HMAC_SHA1_80 = 1;
/** SRTP protection profile AEAD_AES_128_GCM (RFC 7714). */
export const SRTP_AEAD_AES_128_GCM = 7;
/** Supported protection profiles. */
export type SrtpProfileId = typeof SRTP_AES128_CM_HMAC_SHA1_80 | typeof SRTP_AEAD_AES_128_GCM;

/** Bytes an SRTP packet has beyond its RTP packet (authentication tag). */
export function srtpOverhead(profile: SrtpProfileId): number {
  return profile === SRTP_AEAD_AES_128_GCM ? 16 : 10;
}

/** Master key length (bytes) of a profile. */
export function srtpMasterKeyLength(_profile: SrtpProfileId): number {
  return 16;
}

/** Master salt length (bytes) of a profile. */
export function srtpMasterSaltLength(profile: SrtpProfileId): number {
  return profile === SRTP_AEAD_AES_128_GCM ? 12 : 14;
}

/** One AES-128-ECB context without padding. */
function ecb(key: Uint8Array): Cipher {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return c;
}

/**
 * The SRTP key derivation function (RFC 3711 §4.3, key derivation rate 0): `length` bytes of
 * the session key, salt or authentication key `label` from the master key and salt.
 */
export function srtpKdf(masterKey: Uint8Array, masterSalt: Uint8Array, label: number, length: number): Buffer {
  const c = ecb(masterKey);
  const blocks = Math.ceil(length / 16);
  const input = Buffer.alloc(blocks * 16);
  for (let b = 0; b < blocks; b++) {
    const o = b * 16;
    // x = (label || index/kdr) XOR master salt, as a 112-bit value, then || 16-bit block counter.
    for (let i = 0; i < 14; i++) input[o + i] = masterSalt[i] ?? 0;
    input[o + 7] = input[o + 7]! ^ label;
    input[o + 14] = (b >> 8) & 0xff;
    input[o + 15] = b & 0xff;
  }
  return c.update(input).subarray(0, length);
}

/** Length of the RTP header (fixed part, CSRCs, extension) of `buf[0..len)`, or -1. */
export function rtpHeaderLength(buf: Uint8Array, len: number): number {
  if (len < 12) return -1;
  let n = 12 + (buf[0]! & 0x0f) * 4;
  if (buf[0]! & 0x10) {
    if (n + 4 > len) return -1;
    n += 4 + ((buf[n + 2]! << 8) | buf[n + 3]!) * 4;
  }
  return n <= len ? n : -1;
}

/** Rollover-counter state of one SSRC (RFC 3711 §3.3.1). */
class RocState {
  roc = 0;
  lastSeq = -1;
}

/**
 * Reduction after multiplying by x^8 (GCM's bit order): the byte shifted out of the last
 * position, times x^128 reduced, lands in the first word.
 */
const RED = (() => {
  const red = new Uint32Array(256);
  for (let r = 0; r < 256; r++) {
    let w0 = 0;
    let w3 = r;
    for (let k = 0; k < 8; k++) {
      const lsb = w3 & 1;
      w3 >>>= 1;
      w0 >>>= 1;
      if (lsb) w0 = (w0 ^ 0xe1000000) >>> 0;
    }
    red[r] = w0;
  }
  return red;
})();

/** GHASH table (256 byte values × 4 words: byte b in the first position, times H) for the hash key H. */
function ghashTables(h: Uint8Array): Uint32Array {
  const t = new Uint32Array(256 * 4);
  // P[k] = H · x^k in GCM's reflected bit order (k = 0: H).
  const p = new Uint32Array(128 * 4);
  let w0 = ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
  let w1 = ((h[4]! << 24) | (h[5]! << 16) | (h[6]! << 8) | h[7]!) >>> 0;
  let w2 = ((h[8]! << 24) | (h[9]! << 16) | (h[10]! << 8) | h[11]!) >>> 0;
  let w3 = ((h[12]! << 24) | (h[13]! << 16) | (h[14]! << 8) | h[15]!) >>> 0;
  for (let k = 0; k < 128; k++) {
    p[k * 4] = w0;
    p[k * 4 + 1] = w1;
    p[k * 4 + 2] = w2;
    p[k * 4 + 3] = w3;
    const lsb = w3 & 1;
    w3 = ((w3 >>> 1) | (w2 << 31)) >>> 0;
    w2 = ((w2 >>> 1) | (w1 << 31)) >>> 0;
    w1 = ((w1 >>> 1) | (w0 << 31)) >>> 0;
    w0 = (w0 >>> 1) >>> 0;
    if (lsb) w0 = (w0 ^ 0xe1000000) >>> 0;
  }
  for (let i = 0; i < 1; i++) {
    for (let b = 1; b < 256; b++) {
      // Lowest set bit of b (as a GCM bit: mask 0x80 >> j is bit 8i + j).
      const low = b & -b;
      const j = 7 - Math.log2(low);
      const rest = b ^ low;
      const dst = ((i << 8) | b) * 4;
      const src = ((i << 8) | rest) * 4;
      const pk = (8 * i + j) * 4;
      t[dst] = t[src]! ^ p[pk]!;
      t[dst + 1] = t[src + 1]! ^ p[pk + 1]!;
      t[dst + 2] = t[src + 2]! ^ p[pk + 2]!;
      t[dst + 3] = t[src + 3]! ^ p[pk + 3]!;
    }
  }
  return t;
}

/**
 * Writes `blocks` counter blocks into `ctr`: the first `fixed` bytes of `iv` in each, then the
 * block counter (from `first`) big-endian in the remaining bytes. The fixed part is replicated
 * by doubling copies (a few memcpy calls instead of one per block).
 */
function fillCounterBlocks(ctr: Buffer, iv: Buffer, fixed: number, blocks: number, first: number): void {
  iv.copy(ctr, 0, 0, 16);
  let have = 1;
  while (have < blocks) {
    const n = Math.min(have, blocks - have);
    ctr.copyWithin(have * 16, 0, n * 16);
    have += n;
  }
  for (let b = 0; b < blocks; b++) {
    const o = b * 16;
    const c = b + first;
    if (fixed <= 12) {
      ctr[o + 12] = (c >>> 24) & 0xff;
      ctr[o + 13] = (c >>> 16) & 0xff;
    }
    ctr[o + 14] = (c >>> 8) & 0xff;
    ctr[o + 15] = c & 0xff;
  }
}

/** Maximum RTP packet handled (bytes, without the tag). */
const MAX_PACKET = 2048;

/**
 * One direction of SRTP for RTP with one session key: {@link protect} (sender) or
 * {@link unprotect} (receiver), in place. Allocates once per packet only the keystream buffer
 * node:crypto's `update()` returns.
 */
export class SrtpRtpContext {
  readonly profile: SrtpProfileId;
  readonly overhead: number;
  private readonly aes: Cipher;
  private readonly salt: Buffer;
  private readonly ctr = Buffer.alloc(MAX_PACKET + 32);
  private readonly rocs = new Map<number, RocState>();
  /** GCM: GHASH tables of H. */
  private readonly gt: Uint32Array | undefined;
  /** CM: SHA-1 states keyed with the inner and outer HMAC pads. */
  private readonly inner: Hash | undefined;
  private readonly outer: Hash | undefined;
  private readonly rocBuf = Buffer.alloc(4);
  private readonly iv = Buffer.alloc(16);
  /** Packets refused by {@link unprotect} (authentication failed). */
  authFailures = 0;

  /**
   * @param masterKey - the master key (or, with `derived`, the session encryption key)
   * @param masterSalt - the master salt (or, with `derived`, the session salt)
   * @param derived - session keys given directly (test vectors): `authKey` for AES-CM
   */
  constructor(profile: SrtpProfileId, masterKey: Uint8Array, masterSalt: Uint8Array, derived?: { authKey?: Uint8Array }) {
    if (profile !== SRTP_AEAD_AES_128_GCM && profile !== SRTP_AES128_CM_HMAC_SHA1_80)
      throw new TypeError(`unsupported SRTP profile ${profile}`);
    this.profile = profile;
    this.overhead = srtpOverhead(profile);
    const gcm = profile === SRTP_AEAD_AES_128_GCM;
    const key = derived ? masterKey : srtpKdf(masterKey, masterSalt, 0, 16);
    this.salt = derived ? Buffer.from(masterSalt) : srtpKdf(masterKey, masterSalt, 2, gcm ? 12 : 14);
    this.aes = ecb(key);
    if (gcm) {
      this.gt = ghashTables(this.aes.update(Buffer.alloc(16)));
    } else {
      const auth = derived ? (derived.authKey ?? new Uint8Array(20)) : srtpKdf(masterKey, masterSalt, 1, 20);
      const ipad = Buffer.alloc(64, 0x36);
      const opad = Buffer.alloc(64, 0x5c);
      for (let i = 0; i < 20; i++) {
        ipad[i] = ipad[i]! ^ auth[i]!;
        opad[i] = opad[i]! ^ auth[i]!;
      }
      this.inner = createHash('sha1').update(ipad);
      this.outer = createHash('sha1').update(opad);
    }
  }

  private rocState(ssrc: number): RocState {
    let s = this.rocs.get(ssrc);
    if (!s) {
      s = new RocState();
      this.rocs.set(ssrc, s);
    }
    return s;
  }

  /** The ROC guessed for `seq` (RFC 3711 §3.3.1). */
  private static guessRoc(s: RocState, seq: number): number {
    if (s.lastSeq < 0) return s.roc;
    if (s.lastSeq < 32768) return seq - s.lastSeq > 32768 ? (s.roc - 1) >>> 0 : s.roc;
    return s.lastSeq - 32768 > seq ? (s.roc + 1) >>> 0 : s.roc;
  }

  private static commit(s: RocState, roc: number, seq: number): void {
    if (s.lastSeq < 0 || roc === (s.roc + 1) >>> 0) {
      s.roc = roc;
      s.lastSeq = seq;
    } else if (roc === s.roc && seq > s.lastSeq) s.lastSeq = seq;
  }

  /**
   * The keystream for `n` payload bytes (block 0: GCM's J0 block for the tag). IV: GCM
   * 00 00 || SSRC || ROC || SEQ XOR salt (RFC 7714 §8.1); CM (salt << 16) XOR (SSRC << 64) XOR
   * (index << 16) (RFC 3711 §4.1.1).
   */
  private keystream(ssrc: number, roc: number, seq: number, n: number): Buffer {
    const iv = this.iv;
    const salt = this.salt;
    const ctr = this.ctr;
    iv.fill(0);
    if (this.gt) {
      iv.writeUInt32BE(ssrc, 2);
      iv.writeUInt32BE(roc, 6);
      iv.writeUInt16BE(seq, 10);
      for (let i = 0; i < 12; i++) iv[i] = iv[i]! ^ salt[i]!;
      // J0 = IV || 1; payload from IV || 2 on.
      const blocks = 1 + ((n + 15) >> 4);
      fillCounterBlocks(ctr, iv, 12, blocks, 1);
      return this.aes.update(ctr.subarray(0, blocks * 16));
    }
    iv.writeUInt32BE(ssrc, 4);
    iv.writeUInt32BE(roc, 8);
    iv.writeUInt16BE(seq, 12);
    for (let i = 0; i < 14; i++) iv[i] = iv[i]! ^ salt[i]!;
    const blocks = (n + 15) >> 4;
    fillCounterBlocks(ctr, iv, 14, blocks, 0);
    return this.aes.update(ctr.subarray(0, blocks * 16));
  }

  /**
   * GHASH of AAD `buf[0..aadLen)` and ciphertext `buf[aadLen..aadLen+cLen)`, XORed into
   * `tag` (16 bytes at `tagOff`, pre-filled with E(K, J0)).
   */
  private ghash(buf: Uint8Array, aadLen: number, cLen: number, tag: Uint8Array, tagOff: number): void {
    const t = this.gt!;
    let y0 = 0;
    let y1 = 0;
    let y2 = 0;
    let y3 = 0;
    // Two segments (AAD, ciphertext), each zero-padded to 16 bytes, then the length block.
    for (let seg = 0; seg < 3; seg++) {
      const start = seg === 0 ? 0 : aadLen;
      const len = seg === 0 ? aadLen : seg === 1 ? cLen : 16;
      for (let off = 0; off < len; off += 16) {
        let x0: number;
        let x1: number;
        let x2: number;
        let x3: number;
        if (seg === 2) {
          x0 = 0;
          x1 = (aadLen * 8) >>> 0;
          x2 = Math.floor((cLen * 8) / 0x100000000);
          x3 = (cLen * 8) >>> 0;
        } else if (off + 16 <= len) {
          const p = start + off;
          x0 = (buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!;
          x1 = (buf[p + 4]! << 24) | (buf[p + 5]! << 16) | (buf[p + 6]! << 8) | buf[p + 7]!;
          x2 = (buf[p + 8]! << 24) | (buf[p + 9]! << 16) | (buf[p + 10]! << 8) | buf[p + 11]!;
          x3 = (buf[p + 12]! << 24) | (buf[p + 13]! << 16) | (buf[p + 14]! << 8) | buf[p + 15]!;
        } else {
          // Last partial block: zero padded.
          x0 = x1 = x2 = x3 = 0;
          const p = start + off;
          const rem = len - off;
          for (let i = 0; i < rem; i++) {
            const v = buf[p + i]! << (24 - 8 * (i & 3));
            if (i < 4) x0 |= v;
            else if (i < 8) x1 |= v;
            else if (i < 12) x2 |= v;
            else x3 |= v;
          }
        }
        x0 ^= y0;
        x1 ^= y1;
        x2 ^= y2;
        x3 ^= y3;
        // (Y XOR X) · H by Horner over its bytes, last first (Shoup, 8-bit): Z = Z·x^8 XOR M[X_i].
        // One 4 KB table per key (cache-friendly with many transports) and a shared reduction table.
        let i = 0;
        let r = 0;
        i = (x3 & 0xff) << 2;
        y0 = t[i]!;
        y1 = t[i + 1]!;
        y2 = t[i + 2]!;
        y3 = t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = ((x3 >>> 8) & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = ((x3 >>> 16) & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = ((x3 >>> 24) & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = (x2 & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = ((x2 >>> 8) & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = ((x2 >>> 16) & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = ((x2 >>> 24) & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = (x1 & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = ((x1 >>> 8) & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = ((x1 >>> 16) & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = ((x1 >>> 24) & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = (x0 & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = ((x0 >>> 8) & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = ((x0 >>> 16) & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
        r = y3 & 0xff;
        y3 = (y3 >>> 8) | (y2 << 24);
        y2 = (y2 >>> 8) | (y1 << 24);
        y1 = (y1 >>> 8) | (y0 << 24);
        y0 = (y0 >>> 8) ^ RED[r]!;
        i = ((x0 >>> 24) & 0xff) << 2;
        y0 ^= t[i]!;
        y1 ^= t[i + 1]!;
        y2 ^= t[i + 2]!;
        y3 ^= t[i + 3]!;
      }
    }
    tag[tagOff] = tag[tagOff]! ^ (y0 >>> 24);
    tag[tagOff + 1] = tag[tagOff + 1]! ^ ((y0 >>> 16) & 0xff);
    tag[tagOff + 2] = tag[tagOff + 2]! ^ ((y0 >>> 8) & 0xff);
    tag[tagOff + 3] = tag[tagOff + 3]! ^ (y0 & 0xff);
    tag[tagOff + 4] = tag[tagOff + 4]! ^ (y1 >>> 24);
    tag[tagOff + 5] = tag[tagOff + 5]! ^ ((y1 >>> 16) & 0xff);
    tag[tagOff + 6] = tag[tagOff + 6]! ^ ((y1 >>> 8) & 0xff);
    tag[tagOff + 7] = tag[tagOff + 7]! ^ (y1 & 0xff);
    tag[tagOff + 8] = tag[tagOff + 8]! ^ (y2 >>> 24);
    tag[tagOff + 9] = tag[tagOff + 9]! ^ ((y2 >>> 16) & 0xff);
    tag[tagOff + 10] = tag[tagOff + 10]! ^ ((y2 >>> 8) & 0xff);
    tag[tagOff + 11] = tag[tagOff + 11]! ^ (y2 & 0xff);
    tag[tagOff + 12] = tag[tagOff + 12]! ^ (y3 >>> 24);
    tag[tagOff + 13] = tag[tagOff + 13]! ^ ((y3 >>> 16) & 0xff);
    tag[tagOff + 14] = tag[tagOff + 14]! ^ ((y3 >>> 8) & 0xff);
    tag[tagOff + 15] = tag[tagOff + 15]! ^ (y3 & 0xff);
  }

  /** HMAC-SHA1 of `buf[0..len)` || ROC, first 10 bytes. */
  private hmac(buf: Uint8Array, len: number, roc: number): Buffer {
    this.rocBuf.writeUInt32BE(roc, 0);
    const ih = this.inner!.copy();
    ih.update(buf.subarray(0, len));
    ih.update(this.rocBuf);
    const oh = this.outer!.copy();
    oh.update(ih.digest());
    return oh.digest();
  }

  /**
   * Encrypts the RTP packet `buf[0..len)` in place and appends the tag (`buf` must have
   * {@link overhead} bytes of room after `len`). Returns the SRTP length, or -1 if not RTP.
   */
  protect(buf: Uint8Array, len: number): number {
    const hl = rtpHeaderLength(buf, len);
    if (hl < 0 || len + this.overhead > buf.length || len > MAX_PACKET) return -1;
    const ssrc = ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0;
    const seq = (buf[2]! << 8) | buf[3]!;
    const s = this.rocState(ssrc);
    const roc = SrtpRtpContext.guessRoc(s, seq);
    SrtpRtpContext.commit(s, roc, seq);
    const n = len - hl;
    const ks = this.keystream(ssrc, roc, seq, n);
    if (this.gt) {
      for (let i = 0; i < n; i++) buf[hl + i] = buf[hl + i]! ^ ks[16 + i]!;
      for (let i = 0; i < 16; i++) buf[len + i] = ks[i]!;
      this.ghash(buf, hl, n, buf, len);
      return len + 16;
    }
    for (let i = 0; i < n; i++) buf[hl + i] = buf[hl + i]! ^ ks[i]!;
    const mac = this.hmac(buf, len, roc);
    for (let i = 0; i < 10; i++) buf[len + i] = mac[i]!;
    return len + 10;
  }

  /**
   * Authenticates and decrypts the SRTP packet `buf[0..len)` in place. Returns the RTP length,
   * or -1 (malformed or authentication failed; nothing changed then).
   */
  unprotect(buf: Uint8Array, len: number): number {
    const plainLen = len - this.overhead;
    const hl = rtpHeaderLength(buf, plainLen);
    if (hl < 0 || plainLen > MAX_PACKET) return -1;
    const ssrc = ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0;
    const seq = (buf[2]! << 8) | buf[3]!;
    const s = this.rocState(ssrc);
    const roc = SrtpRtpContext.guessRoc(s, seq);
    const n = plainLen - hl;
    if (this.gt) {
      const ks = this.keystream(ssrc, roc, seq, n);
      // Expected tag = E(K, J0) XOR GHASH(header, ciphertext), compared before decrypting.
      this.ghash(buf, hl, n, ks, 0);
      let diff = 0;
      for (let i = 0; i < 16; i++) diff |= ks[i]! ^ buf[plainLen + i]!;
      if (diff !== 0) {
        this.authFailures++;
        return -1;
      }
      for (let i = 0; i < n; i++) buf[hl + i] = buf[hl + i]! ^ ks[16 + i]!;
    } else {
      const mac = this.hmac(buf, plainLen, roc);
      if (!timingSafeEqual(mac.subarray(0, 10), buf.subarray(plainLen, len))) {
        this.authFailures++;
        return -1;
      }
      const ks = this.keystream(ssrc, roc, seq, n);
      for (let i = 0; i < n; i++) buf[hl + i] = buf[hl + i]! ^ ks[i]!;
    }
    SrtpRtpContext.commit(s, roc, seq);
    return plainLen;
  }
}
