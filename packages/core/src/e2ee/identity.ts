import nacl from 'tweetnacl';
import { fromBase64, toBase64 } from './encoding.js';

/** Where a device identity may be kept: a string key-value store (e.g. `localStorage`). */
export interface IdentityStore {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

/** The storage key of the device identity. */
export const IDENTITY_STORAGE_KEY = 'alcove.identity.v1';

/**
 * This device's long-term Ed25519 identity (E2EE.md §3): it signs the pair handshakes (media and
 * the sealed checklist channel) and the consent receipt, so a verified security code and a signed
 * consent both name the same device. Kept in the app's persistent storage when one is given, so the
 * same device keeps the same key across sessions; otherwise it lives for this page only.
 *
 * The secret key never leaves this object except as a copy handed to the E2EE worker; never log it.
 */
export class DeviceIdentity {
  readonly #pair: nacl.SignKeyPair;
  /** Whether the identity came from (or was written to) persistent storage. */
  readonly persisted: boolean;

  private constructor(pair: nacl.SignKeyPair, persisted: boolean) {
    this.#pair = pair;
    this.persisted = persisted;
  }

  /**
   * Loads the device identity from `store`, or creates one (and saves it when `store` is given).
   * A store that throws (private browsing, quota) is treated as absent.
   * @example
   * const id = DeviceIdentity.load(platform.persistentStorage);
   */
  static load(store?: IdentityStore): DeviceIdentity {
    if (store) {
      try {
        const saved = store.get(IDENTITY_STORAGE_KEY);
        const sk = saved ? fromBase64(saved) : undefined;
        if (sk && sk.length === 64) {
          const pair = nacl.sign.keyPair.fromSecretKey(sk);
          // A stored key whose public half does not match its seed is corrupt: replace it.
          const check = nacl.sign.keyPair.fromSeed(sk.subarray(0, 32));
          if (check.publicKey.every((b, i) => b === pair.publicKey[i])) return new DeviceIdentity(pair, true);
        }
      } catch {
        // Unreadable storage: fall through to a fresh identity.
      }
    }
    const pair = nacl.sign.keyPair();
    let persisted = false;
    if (store) {
      try {
        store.set(IDENTITY_STORAGE_KEY, toBase64(pair.secretKey));
        persisted = true;
      } catch {
        persisted = false;
      }
    }
    return new DeviceIdentity(pair, persisted);
  }

  /** A fresh identity for this page only. */
  static ephemeral(): DeviceIdentity {
    return new DeviceIdentity(nacl.sign.keyPair(), false);
  }

  /** The Ed25519 public key. */
  get publicKey(): Uint8Array {
    return this.#pair.publicKey.slice();
  }

  /** The public key, base64 (as `e2ee.publishKey` and the consent receipt carry it). */
  get identityKey(): string {
    return toBase64(this.#pair.publicKey);
  }

  /** The key pair, for the pair handshakes in this thread. Internal. */
  get keyPair(): nacl.SignKeyPair {
    return this.#pair;
  }

  /** A copy of the 64-byte secret key for the E2EE worker. Internal; never log it. */
  secretKeyCopy(): Uint8Array {
    return this.#pair.secretKey.slice();
  }

  /** Signs `message` (detached Ed25519 signature, 64 bytes). */
  sign(message: Uint8Array): Uint8Array {
    return nacl.sign.detached(message, this.#pair.secretKey);
  }
}
