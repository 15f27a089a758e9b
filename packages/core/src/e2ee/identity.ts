import nacl from 'tweetnacl';
import { toBase64 } from './encoding.js';
import { loadIdentitySeed, type SeedStorage } from './identity-seed.js';
import { type IdentitySigner, identitySigner } from './identity-signer.js';
import type { DeviceKey } from './identity-store.js';

export { IDENTITY_STORAGE_KEY, type SeedStorage } from './identity-seed.js';

/**
 * This device's long-term Ed25519 identity (E2EE.md §3), on the page: it signs the sealed
 * checklist channel's handshakes and the consent receipt, so a verified security code and a signed
 * consent both name the same device. Built from the session's device identity
 * ({@link DeviceIdentity.fromKey}): a non-extractable WebCrypto key signs asynchronously and its
 * private bytes are never in script; a seed (the fallback) signs with tweetnacl. Never log either.
 */
export class DeviceIdentity {
  readonly #signer: IdentitySigner;
  /** Whether the identity came from (or was written to) persistent storage. */
  readonly persisted: boolean;

  private constructor(signer: IdentitySigner, persisted: boolean) {
    this.#signer = signer;
    this.persisted = persisted;
  }

  /**
   * Loads a seed-based identity from `store`, or creates one (and saves it when `store` is given).
   * A store that throws (private browsing, quota) is treated as absent. Sessions use the
   * `IdentityStore` seam instead.
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
    return new DeviceIdentity(identitySigner({ seed }), persisted);
  }

  /** The identity the session resolved: a WebCrypto key pair or a seed. */
  static fromKey(key: DeviceKey): DeviceIdentity {
    return new DeviceIdentity(identitySigner(key), false);
  }

  /** A fresh identity for this page only. */
  static ephemeral(): DeviceIdentity {
    return new DeviceIdentity(identitySigner(), false);
  }

  /** The Ed25519 public key. */
  get publicKey(): Uint8Array {
    return this.#signer.publicKey.slice();
  }

  /** The public key, base64 (as `e2ee.publishKey` and the consent receipt carry it). */
  get identityKey(): string {
    return toBase64(this.#signer.publicKey);
  }

  /** What signs the pair handshakes in this thread. Internal. */
  get signer(): IdentitySigner {
    return this.#signer;
  }

  /** Signs `message` (detached Ed25519 signature, 64 bytes); asynchronously with a WebCrypto key. */
  sign(message: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(this.#signer.sign(message));
  }
}
