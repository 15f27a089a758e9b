/** Byte helpers for the E2EE handshake: unambiguous concatenation and base64. */

const utf8 = /* @__PURE__ */ new TextEncoder();

/**
 * Length-prefixed concatenation: each field is written as a 2-byte big-endian length followed by
 * its bytes, so that `("ab","c")` and `("a","bc")` never encode alike (the design's `‖`).
 */
export function encodeFields(...fields: readonly (Uint8Array | string)[]): Uint8Array {
  const parts = fields.map((f) => (typeof f === 'string' ? utf8.encode(f) : f));
  let n = 0;
  for (const p of parts) {
    if (p.length > 0xffff) throw new RangeError('field too long');
    n += 2 + p.length;
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out[o] = p.length >> 8;
    out[o + 1] = p.length & 0xff;
    out.set(p, o + 2);
    o += 2 + p.length;
  }
  return out;
}

/** Standard base64 of bytes (works in browsers, workers and Node). */
export function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Bytes of a base64 string, or undefined when it is not valid base64. */
export function fromBase64(s: string): Uint8Array | undefined {
  try {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

/** Constant-time comparison of two byte arrays (length leaks, content does not). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return d === 0;
}
