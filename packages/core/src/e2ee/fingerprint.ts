import { sha512 } from './hkdf.js';

/**
 * The fingerprint of an Ed25519 identity public key: the first 16 bytes of its SHA-512, in hex
 * (32 characters). What a device remembers about a verified peer; public, safe to show and store.
 */
export function identityFingerprint(identityKey: Uint8Array): string {
  let s = '';
  for (const b of sha512(identityKey).subarray(0, 16)) s += b.toString(16).padStart(2, '0');
  return s;
}
