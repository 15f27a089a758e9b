import type { KeyValueStorage } from '../platform/platform.js';
import { fromBase64, toBase64 } from './encoding.js';
import { IDENTITY_STORAGE_KEY } from './identity-seed.js';

/**
 * Where this device's E2EE identity and the peers it verified are kept (see `docs/e2ee-identity.md`).
 *
 * The session reads the identity once, before it connects, and writes a verified peer when the
 * user confirms a security code. Every method may answer synchronously or with a promise, so an
 * app can keep the identity in its own storage (a native key store behind a bridge, an encrypted
 * app database…): pass its implementation as `SessionOptions.identityStore`.
 *
 * A new identity is a non-extractable WebCrypto Ed25519 key when the store can keep `CryptoKey`
 * objects (it implements {@link IdentityStore.loadKeyPair} and {@link IdentityStore.saveKeyPair})
 * and the browser has Ed25519 in WebCrypto; otherwise a 32-byte seed. A seed saved earlier stays
 * the device's identity (same key, same fingerprint: peers who verified it stay verified); it is
 * never replaced by a new key behind the user's back.
 *
 * A seed is the device's long-term secret: an implementation must never log it or send it
 * anywhere, and should keep it where only this origin (or this app) can read it.
 */
export interface IdentityStore {
  /** The 32-byte identity seed saved earlier, or `undefined` on a device that has none yet. */
  loadSeed(): Uint8Array | undefined | Promise<Uint8Array | undefined>;
  /** Saves a new seed (called once, when no identity was found and no WebCrypto key can be made). May throw: the identity then lasts for this page. */
  saveSeed(seed: Uint8Array): void | Promise<void>;
  /** Optional: the WebCrypto identity key saved earlier, or `undefined`. */
  loadKeyPair?(): IdentityKeyPair | undefined | Promise<IdentityKeyPair | undefined>;
  /**
   * Optional: saves a new identity key (the private key a non-extractable `CryptoKey`: keep the
   * object, e.g. in IndexedDB, which stores it by structured clone). Called only on a device with
   * no identity yet. May throw: the identity then lasts for this page.
   */
  saveKeyPair?(pair: IdentityKeyPair): void | Promise<void>;
  /** The peers whose security code this device confirmed, by identity fingerprint. */
  verifiedPeers(): readonly VerifiedPeer[] | Promise<readonly VerifiedPeer[]>;
  /** Remembers a confirmed peer; replaces an earlier record of the same `participantId`. */
  rememberVerified(peer: VerifiedPeer): void | Promise<void>;
}

/**
 * A device identity held by WebCrypto: the Ed25519 private key, created (or imported)
 * non-extractable, so its bytes never reach script; it can only be used to sign. The public key is
 * kept as its 32 raw bytes (what is published and fingerprinted).
 */
export interface IdentityKeyPair {
  /** The Ed25519 private key: a `CryptoKey` with `extractable: false` and the `sign` usage. */
  readonly privateKey: CryptoKey;
  /** The Ed25519 public key, 32 raw bytes (exported once, when the key was made). */
  readonly publicKey: Uint8Array;
}

/** A peer whose security code this device confirmed. */
export interface VerifiedPeer {
  /**
   * The participant id the peer had (the `pid` of its join token). Apps that give each person a
   * stable id across sessions get identity-change warnings; with per-session ids a remembered
   * fingerprint still counts as verified but a changed one cannot be told from a new person.
   */
  readonly participantId: string;
  /** The peer's identity fingerprint (as `SasInfo.fingerprint` shows it). */
  readonly fingerprint: string;
  /** When it was confirmed, Unix ms. */
  readonly verifiedAt: number;
}

/** How many verified peers a store keeps (oldest forgotten first). */
export const MAX_VERIFIED_PEERS = 500;

function addVerified(list: readonly VerifiedPeer[], peer: VerifiedPeer): VerifiedPeer[] {
  const next = list.filter((p) => p.participantId !== peer.participantId);
  next.push({ participantId: peer.participantId, fingerprint: peer.fingerprint, verifiedAt: peer.verifiedAt });
  return next.slice(-MAX_VERIFIED_PEERS);
}

function parseVerified(raw: unknown): VerifiedPeer[] {
  if (!Array.isArray(raw)) return [];
  const out: VerifiedPeer[] = [];
  for (const r of raw as unknown[]) {
    if (!r || typeof r !== 'object') continue;
    const { participantId, fingerprint, verifiedAt } = r as Record<string, unknown>;
    if (typeof participantId !== 'string' || typeof fingerprint !== 'string' || typeof verifiedAt !== 'number') continue;
    if (participantId.length > 256 || fingerprint.length > 128) continue;
    out.push({ participantId, fingerprint, verifiedAt });
  }
  return out.slice(-MAX_VERIFIED_PEERS);
}

/** An identity kept in memory only: a new one per store (the `identity: 'ephemeral'` case, tests). */
export class MemoryIdentityStore implements IdentityStore {
  #seed: Uint8Array | undefined;
  #verified: VerifiedPeer[] = [];
  /** The seed saved in this store, if any. */
  loadSeed(): Uint8Array | undefined {
    return this.#seed?.slice();
  }
  /** Keeps a copy of the seed (in memory). */
  saveSeed(seed: Uint8Array): void {
    this.#seed = seed.slice();
  }
  /** The remembered peers. */
  verifiedPeers(): readonly VerifiedPeer[] {
    return [...this.#verified];
  }
  /** Adds (or replaces) a peer's record. */
  rememberVerified(peer: VerifiedPeer): void {
    this.#verified = addVerified(this.#verified, peer);
  }
}

/** Storage key of the verified peers in a {@link KeyValueIdentityStore}. */
export const VERIFIED_PEERS_STORAGE_KEY = 'alcove.identity.verified.v1';

/**
 * The identity in a string key-value store (`platform.persistentStorage`, i.e. `localStorage`):
 * the fallback where IndexedDB or WebCrypto is missing. The seed is stored in plain base64, so any
 * script of the origin can read it; prefer {@link IndexedDbIdentityStore}.
 */
export class KeyValueIdentityStore implements IdentityStore {
  readonly #kv: KeyValueStorage;
  constructor(kv: KeyValueStorage) {
    this.#kv = kv;
  }
  /** The seed from base64 under `alcove.identity.v1`. */
  loadSeed(): Uint8Array | undefined {
    const saved = this.#kv.get(IDENTITY_STORAGE_KEY);
    const seed = saved ? fromBase64(saved) : undefined;
    return seed?.length === 32 ? seed : undefined;
  }
  /** Stores the seed in base64 under `alcove.identity.v1`. */
  saveSeed(seed: Uint8Array): void {
    this.#kv.set(IDENTITY_STORAGE_KEY, toBase64(seed));
  }
  /** The remembered peers (JSON under `alcove.identity.verified.v1`). */
  verifiedPeers(): readonly VerifiedPeer[] {
    try {
      return parseVerified(JSON.parse(this.#kv.get(VERIFIED_PEERS_STORAGE_KEY) ?? '[]'));
    } catch {
      return [];
    }
  }
  /** Adds (or replaces) a peer's record. */
  rememberVerified(peer: VerifiedPeer): void {
    this.#kv.set(VERIFIED_PEERS_STORAGE_KEY, JSON.stringify(addVerified(this.verifiedPeers(), peer)));
  }
}

/** Name of the IndexedDB database {@link IndexedDbIdentityStore} uses (one per origin). */
export const IDENTITY_DB_NAME = 'alcove-identity';
const OBJECT_STORE = 'identity';
const WRAP_KEY = 'wrap';
const SEED = 'seed';
const PAIR = 'pair';
const VERIFIED = 'verified';

/** The slice of `globalThis` {@link IndexedDbIdentityStore} needs. */
export interface IndexedDbScope {
  /** Where the database lives. */
  readonly indexedDB: IDBFactory;
  /** WebCrypto (the sealing key and its random IVs). */
  readonly crypto: Crypto;
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

/**
 * The default store in browsers: one IndexedDB database per origin. A new identity is a WebCrypto
 * Ed25519 key created non-extractable and stored as a `CryptoKey` object (with its raw public
 * key): the private key's bytes never reach script, this page's included; it can only ask the
 * browser to sign. Where the browser has no Ed25519 in WebCrypto, and for an identity an earlier
 * version created, the identity is a seed kept encrypted (AES-GCM) under a non-extractable AES key
 * stored beside it, so its bytes never sit in script-readable storage in the clear (the page
 * decrypts it to sign). A seed an older version kept in `persistentStorage` is moved here on
 * first use (then removed there).
 */
export class IndexedDbIdentityStore implements IdentityStore {
  readonly #scope: IndexedDbScope;
  readonly #legacy: KeyValueStorage | undefined;
  #db: Promise<IDBDatabase> | undefined;

  /**
   * @param legacy where an older version kept the seed in base64 (`platform.persistentStorage`): moved here once.
   * @param scope `globalThis` (tests may pass another).
   */
  constructor(legacy?: KeyValueStorage, scope: IndexedDbScope = globalThis as unknown as IndexedDbScope) {
    this.#scope = scope;
    this.#legacy = legacy;
  }

  /** Whether `scope` has IndexedDB and WebCrypto (this store's requirements). */
  static available(scope: Partial<IndexedDbScope> = globalThis as unknown as Partial<IndexedDbScope>): boolean {
    return typeof scope.indexedDB?.open === 'function' && typeof scope.crypto?.subtle?.encrypt === 'function';
  }

  /** The seed, decrypted; or the one an older version kept in `persistentStorage` (moved here). */
  async loadSeed(): Promise<Uint8Array | undefined> {
    const saved = (await this.#get(SEED)) as { iv: Uint8Array; data: ArrayBuffer } | undefined;
    const key = (await this.#get(WRAP_KEY)) as CryptoKey | undefined;
    if (saved && key) {
      try {
        const seed = new Uint8Array(
          await this.#scope.crypto.subtle.decrypt({ name: 'AES-GCM', iv: saved.iv as BufferSource }, key, saved.data),
        );
        if (seed.length === 32) return seed;
      } catch {
        // Unreadable (another browser's copy of the database, corruption): a new identity.
      }
    }
    const legacy = this.#legacy?.get(IDENTITY_STORAGE_KEY);
    const old = legacy ? fromBase64(legacy) : undefined;
    if (old?.length === 32) {
      await this.saveSeed(old);
      this.#legacy?.remove(IDENTITY_STORAGE_KEY);
      return old;
    }
    return undefined;
  }

  /** Encrypts the seed under a new non-extractable AES-GCM key and stores both. */
  async saveSeed(seed: Uint8Array): Promise<void> {
    const subtle = this.#scope.crypto.subtle;
    const key = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const iv = this.#scope.crypto.getRandomValues(new Uint8Array(12));
    const data = await subtle.encrypt({ name: 'AES-GCM', iv }, key, seed as BufferSource);
    await this.#write((store) => {
      store.put(key, WRAP_KEY);
      store.put({ iv, data }, SEED);
    });
  }

  /** The identity key (the private key as the `CryptoKey` object saved), or `undefined`. */
  loadKeyPair(): Promise<IdentityKeyPair | undefined> {
    return this.#get(PAIR) as Promise<IdentityKeyPair | undefined>;
  }

  /** Stores the identity key (the `CryptoKey` by structured clone). */
  saveKeyPair(pair: IdentityKeyPair): Promise<void> {
    return this.#write((store) => store.put(pair, PAIR));
  }

  /** The remembered peers. */
  async verifiedPeers(): Promise<readonly VerifiedPeer[]> {
    return parseVerified(await this.#get(VERIFIED));
  }

  /** Adds (or replaces) a peer's record. */
  async rememberVerified(peer: VerifiedPeer): Promise<void> {
    const next = addVerified(await this.verifiedPeers(), peer);
    await this.#write((store) => store.put(next, VERIFIED));
  }

  /** Closes the database connection (a later call opens it again). */
  close(): void {
    const db = this.#db;
    this.#db = undefined;
    void db?.then((d) => d.close()).catch(() => undefined);
  }

  async #write(f: (store: IDBObjectStore) => void): Promise<void> {
    const tx = (await this.#open()).transaction(OBJECT_STORE, 'readwrite');
    f(tx.objectStore(OBJECT_STORE));
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write failed'));
    });
  }

  async #get(key: string): Promise<unknown> {
    const db = await this.#open();
    return request(db.transaction(OBJECT_STORE, 'readonly').objectStore(OBJECT_STORE).get(key));
  }

  #open(): Promise<IDBDatabase> {
    if (!this.#db) {
      const open = this.#scope.indexedDB.open(IDENTITY_DB_NAME, 1);
      open.onupgradeneeded = () => {
        if (!open.result.objectStoreNames.contains(OBJECT_STORE)) open.result.createObjectStore(OBJECT_STORE);
      };
      this.#db = request(open);
      this.#db.catch(() => {
        this.#db = undefined;
      });
    }
    return this.#db;
  }
}

/**
 * The store a session uses when the app gives none: IndexedDB where the browser has it (and
 * WebCrypto), else `persistentStorage`, else memory (a new identity per page).
 */
export function defaultIdentityStore(persistentStorage: KeyValueStorage | undefined): IdentityStore {
  if (IndexedDbIdentityStore.available()) return new IndexedDbIdentityStore(persistentStorage);
  if (persistentStorage) return new KeyValueIdentityStore(persistentStorage);
  return new MemoryIdentityStore();
}

/**
 * The device identity as the session hands it to what signs (the E2EE worker, the checklist, sealed
 * chat): a WebCrypto key (see {@link IdentityKeyPair}) or, where the platform has no Ed25519 in
 * WebCrypto, the 32-byte seed. Never log either.
 */
export type DeviceKey = IdentityKeyPair | { readonly seed: Uint8Array };

/** A device identity as a session starts with it. */
export interface ResolvedIdentity {
  /** The identity. Never log it. */
  readonly key: DeviceKey;
  /** Whether it is (or was saved) in the store, i.e. the device keeps it across sessions. */
  readonly persisted: boolean;
  readonly verified: readonly VerifiedPeer[];
}

type MaybePromise<T> = T | Promise<T>;
const isPromise = <T>(v: MaybePromise<T>): v is Promise<T> => typeof (v as { then?: unknown } | undefined)?.then === 'function';
/** Chains `f` after `v`, synchronously when `v` is not a promise (a synchronous store keeps the session synchronous). */
function then<T, U>(v: MaybePromise<T>, f: (t: T) => MaybePromise<U>): MaybePromise<U> {
  return isPromise(v) ? v.then(f) : f(v);
}
function attempt<T>(f: () => MaybePromise<T>, fallback: T): MaybePromise<T> {
  try {
    const v = f();
    return isPromise(v) ? v.catch(() => fallback) : v;
  } catch {
    return fallback;
  }
}

/**
 * Loads the device identity and the verified peers from `store`, creating (and saving) an
 * identity when there is none: with `subtle` and a store that keeps WebCrypto keys, a
 * non-extractable WebCrypto Ed25519 key; without them, or where WebCrypto has no Ed25519, a seed.
 * A seed saved earlier stays the identity. A store that fails (private browsing,
 * quota, a broken app store) is treated as empty: the identity then lasts for this page only
 * (`persisted: false`). Synchronous when the store is and keeps no WebCrypto keys.
 */
export function resolveIdentity(
  store: IdentityStore,
  randomBytes: (n: number) => Uint8Array,
  subtle?: SubtleCrypto,
): MaybePromise<ResolvedIdentity> {
  const done = (key: DeviceKey, persisted: boolean) =>
    then(
      attempt<readonly VerifiedPeer[]>(() => store.verifiedPeers(), []),
      (verified) => ({ key, persisted, verified }),
    );
  const fromSeed = (saved: Uint8Array | undefined) => {
    const seed = saved?.length === 32 ? saved : randomBytes(32);
    return then(saved?.length === 32 || attempt(() => then(store.saveSeed(seed), () => true), false), (p) => done({ seed }, p));
  };
  const create = async (subtle: SubtleCrypto): Promise<ResolvedIdentity> => {
    const pair = (await subtle.generateKey('Ed25519', false, ['sign', 'verify'])) as CryptoKeyPair;
    const key = { privateKey: pair.privateKey, publicKey: new Uint8Array(await subtle.exportKey('raw', pair.publicKey)) };
    return done(key, await attempt(() => then(store.saveKeyPair?.(key), () => true), false));
  };
  return then(
    attempt(() => store.loadKeyPair?.(), undefined),
    (loaded): MaybePromise<ResolvedIdentity> =>
      loaded?.publicKey?.length === 32
        ? done(loaded, true)
        : then(
            attempt(() => store.loadSeed(), undefined),
            // A seed saved earlier stays the identity (never a new fingerprint behind the user's back).
            // No Ed25519 in this browser's WebCrypto: a seed, as before.
            (saved) =>
              saved?.length !== 32 && subtle && store.saveKeyPair ? create(subtle).catch(() => fromSeed(undefined)) : fromSeed(saved),
          ),
  );
}
