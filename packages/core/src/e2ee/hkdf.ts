import nacl from 'tweetnacl';

const BLOCK = 128; // SHA-512 block size
const HASH = 64; // SHA-512 output size

/** Concatenates byte arrays. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const utf8 = /* @__PURE__ */ new TextEncoder();
/** UTF-8 bytes of a label. */
export const bytes = (s: string): Uint8Array => utf8.encode(s);

/** SHA-512 (tweetnacl). */
export const sha512 = (data: Uint8Array): Uint8Array => nacl.hash(data);

/** HMAC-SHA-512 (RFC 2104) on tweetnacl's SHA-512. */
export function hmacSha512(key: Uint8Array, data: Uint8Array): Uint8Array {
  const k = key.length > BLOCK ? sha512(key) : key;
  const ipad = new Uint8Array(BLOCK + data.length);
  const opad = new Uint8Array(BLOCK + HASH);
  for (let i = 0; i < BLOCK; i++) {
    const b = k[i] ?? 0;
    ipad[i] = b ^ 0x36;
    opad[i] = b ^ 0x5c;
  }
  ipad.set(data, BLOCK);
  opad.set(sha512(ipad), BLOCK);
  const out = sha512(opad);
  ipad.fill(0);
  opad.fill(0);
  return out;
}

/** HKDF-Extract (RFC 5869) with SHA-512. An empty salt means 64 zero bytes. */
export function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Uint8Array {
  return hmacSha512(salt.length ? salt : new Uint8Array(HASH), ikm);
}

/** HKDF-Expand (RFC 5869) with SHA-512: `length` ≤ 255 × 64 bytes. */
export function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 255 * HASH) throw new RangeError('HKDF length out of range');
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  let o = 0;
  for (let i = 1; o < length; i++) {
    t = hmacSha512(prk, concatBytes(t, info, Uint8Array.of(i)));
    out.set(t.subarray(0, Math.min(HASH, length - o)), o);
    o += HASH;
  }
  return out;
}

/** HKDF (extract then expand) with SHA-512. */
export function hkdf(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return hkdfExpand(hkdfExtract(salt, ikm), info, length);
}
