import { fromBase64, toBase64 } from './encoding.js';

/**
 * A string key-value store (e.g. `localStorage`) holding the seed in base64: the synchronous form
 * {@link DeviceIdentity.load} reads. Sessions use the `IdentityStore` seam of `identity-store.ts`.
 */
export interface SeedStorage {
  get(key: string): string | null;
  set(key: string, value: string): void;
}

/** The storage key of the device identity's seed. */
export const IDENTITY_STORAGE_KEY = 'alcove.identity.v1';

/**
 * The 32-byte seed of this device's Ed25519 identity (E2EE.md §3), from `store` or new (and then
 * saved to `store`). Kept apart from the Ed25519 code so a session that never signs on the main
 * thread does not carry it: the E2EE worker and the checklist derive the key pair from the seed.
 * A store that throws (private browsing, quota) is treated as absent. Never log the seed.
 */
export function loadIdentitySeed(
  store: SeedStorage | undefined,
  randomBytes: (n: number) => Uint8Array,
): { seed: Uint8Array; persisted: boolean } {
  if (store) {
    try {
      const saved = store.get(IDENTITY_STORAGE_KEY);
      const seed = saved ? fromBase64(saved) : undefined;
      if (seed && seed.length === 32) return { seed, persisted: true };
    } catch {
      // Unreadable storage: a fresh identity.
    }
  }
  const seed = randomBytes(32);
  let persisted = false;
  if (store) {
    try {
      store.set(IDENTITY_STORAGE_KEY, toBase64(seed));
      persisted = true;
    } catch {
      persisted = false;
    }
  }
  return { seed, persisted };
}
