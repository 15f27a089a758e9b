import nacl from 'tweetnacl';
import { toBase64 } from './encoding.js';
import { loadIdentitySeed, type SeedStorage } from './identity-seed.js';

export { IDENTITY_STORAGE_KEY, type SeedStorage } from './identity-seed.js';

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
  static load(store?: SeedStorage): DeviceIdentity {
    const { seed, persisted } = loadIdentitySeed(store, (n) => nacl.randomBytes(n));
    const id = DeviceIdentity.fromSeed(seed, persisted);
    seed.fill(0);
    return id;
  }

  /** The identity of a 32-byte seed (as {@link loadIdentitySeed} keeps it). */
  static fromSeed(seed: Uint8Array, persisted = false): DeviceIdentity {
    if (seed.length !== 32) throw new RangeError('an identity seed is 32 bytes');
    return new DeviceIdentity(nacl.sign.keyPair.fromSeed(seed), persisted);
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

  /** Signs `message` (detached Ed25519 signature, 64 bytes). */
  sign(message: Uint8Array): Uint8Array {
    return nacl.sign.detached(message, this.#pair.secretKey);
  }
}
