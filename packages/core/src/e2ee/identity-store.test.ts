import { IDBFactory } from 'fake-indexeddb';
import nacl from 'tweetnacl';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../test/fake-platform.js';
import { DeviceIdentity } from './identity.js';
import { IDENTITY_STORAGE_KEY } from './identity-seed.js';
import { identitySigner } from './identity-signer.js';
import {
  type DeviceKey,
  type IdentityKeyPair,
  IndexedDbIdentityStore,
  KeyValueIdentityStore,
  MAX_VERIFIED_PEERS,
  MemoryIdentityStore,
  resolveIdentity,
  type IdentityStore,
  type ResolvedIdentity,
  type VerifiedPeer,
} from './identity-store.js';
import { toBase64 } from './encoding.js';

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
/** The seed of a seed-based identity (fails the test for a WebCrypto one). */
const seedOf = (r: ResolvedIdentity | Promise<ResolvedIdentity>): Uint8Array => {
  if (r instanceof Promise || !('seed' in r.key)) throw new Error('expected a seed-based identity');
  return r.key.seed;
};
const webCryptoKey = (key: DeviceKey): IdentityKeyPair => {
  if ('seed' in key) throw new Error('expected a WebCrypto identity');
  return key;
};
/** The identity's public key, whatever holds it. */
const publicKeyOf = (key: DeviceKey): string => toBase64(identitySigner(key).publicKey);
const peer = (participantId: string, fingerprint: string, verifiedAt = 1): VerifiedPeer => ({ participantId, fingerprint, verifiedAt });

describe('IdentityStore', () => {
  it('persists the identity: a second session on the same device gets the same seed', () => {
    const kv = new MemoryStorage();
    const first = resolveIdentity(new KeyValueIdentityStore(kv), random);
    const second = resolveIdentity(new KeyValueIdentityStore(kv), random);
    if (first instanceof Promise || second instanceof Promise) throw new Error('a synchronous store answers synchronously');
    expect(first.persisted).toBe(true);
    expect(second.persisted).toBe(true);
    expect(toBase64(seedOf(second))).toBe(toBase64(seedOf(first)));
    // Another device (another store) gets another identity.
    const other = resolveIdentity(new KeyValueIdentityStore(new MemoryStorage()), random);
    expect(toBase64(seedOf(other))).not.toBe(toBase64(seedOf(first)));
  });

  it('reads the seed an earlier version kept (DeviceIdentity.load) as the same identity', () => {
    const kv = new MemoryStorage();
    const before = DeviceIdentity.load(kv);
    const r = resolveIdentity(new KeyValueIdentityStore(kv), random);
    expect(DeviceIdentity.fromSeed(seedOf(r)).identityKey).toBe(before.identityKey);
  });

  it('remembers verified peers across sessions, one record per participant (the latest), bounded', () => {
    const kv = new MemoryStorage();
    const a = new KeyValueIdentityStore(kv);
    a.rememberVerified(peer('therapist', 'f1'));
    a.rememberVerified(peer('client', 'f2'));
    a.rememberVerified(peer('therapist', 'f3', 2));
    expect(new KeyValueIdentityStore(kv).verifiedPeers()).toEqual([peer('client', 'f2'), peer('therapist', 'f3', 2)]);
    const r = resolveIdentity(new KeyValueIdentityStore(kv), random) as { verified: readonly VerifiedPeer[] };
    expect(r.verified.map((v) => v.fingerprint)).toEqual(['f2', 'f3']);
    const m = new MemoryIdentityStore();
    for (let i = 0; i < MAX_VERIFIED_PEERS + 5; i++) m.rememberVerified(peer(`p${i}`, `f${i}`));
    expect(m.verifiedPeers()).toHaveLength(MAX_VERIFIED_PEERS);
    expect(m.verifiedPeers()[0]?.participantId).toBe('p5');
  });

  it('ignores malformed verified records (storage is untrusted input)', () => {
    const kv = new MemoryStorage();
    kv.set('alcove.identity.verified.v1', JSON.stringify([{ participantId: 'x' }, 5, peer('ok', 'f')]));
    expect(new KeyValueIdentityStore(kv).verifiedPeers()).toEqual([peer('ok', 'f')]);
    kv.set('alcove.identity.verified.v1', '{not json');
    expect(new KeyValueIdentityStore(kv).verifiedPeers()).toEqual([]);
  });

  it('a failing store gives an identity for this page only (persisted: false), never an error', async () => {
    const broken: IdentityStore = {
      loadSeed: () => {
        throw new Error('SecurityError');
      },
      saveSeed: () => Promise.reject(new Error('QuotaExceededError')),
      verifiedPeers: () => Promise.reject(new Error('closed')),
      rememberVerified: () => undefined,
    };
    const r = await resolveIdentity(broken, random);
    expect(seedOf(r)).toHaveLength(32);
    expect(r.persisted).toBe(false);
    expect(r.verified).toEqual([]);
  });

  it('an asynchronous store (an app keeping the identity elsewhere) is awaited', async () => {
    const saved: Uint8Array[] = [];
    const store: IdentityStore = {
      loadSeed: async () => saved[0],
      saveSeed: async (s) => {
        saved.push(s.slice());
      },
      verifiedPeers: async () => [peer('h', 'f')],
      rememberVerified: async () => undefined,
    };
    const first = resolveIdentity(store, random);
    expect(first).toBeInstanceOf(Promise);
    const a = await first;
    const b = await resolveIdentity(store, random);
    expect(toBase64(seedOf(b))).toBe(toBase64(seedOf(a)));
    expect(b.verified).toEqual([peer('h', 'f')]);
  });

  it('a store that keeps no WebCrypto keys (app stores, localStorage) stays seed-based and synchronous', () => {
    const r = resolveIdentity(new KeyValueIdentityStore(new MemoryStorage()), random, crypto.subtle);
    expect(r).not.toBeInstanceOf(Promise);
    expect(seedOf(r)).toHaveLength(32);
  });

  it('IndexedDB store needs IndexedDB and WebCrypto (else the session falls back to persistentStorage)', () => {
    expect(IndexedDbIdentityStore.available({})).toBe(false);
    expect(IndexedDbIdentityStore.available({ indexedDB: {} as IDBFactory })).toBe(false);
  });
});

describe('IndexedDbIdentityStore (fake-indexeddb, WebCrypto of Node)', () => {
  /** One "browser profile": the same IndexedDB across store instances (page loads). */
  const profile = () => ({ indexedDB: new IDBFactory(), crypto: globalThis.crypto });

  it('creates a non-extractable Ed25519 key: the same identity for every later store instance', async () => {
    const scope = profile();
    const first = await resolveIdentity(new IndexedDbIdentityStore(undefined, scope), random, crypto.subtle);
    const key = webCryptoKey(first.key);
    expect(first.persisted).toBe(true);
    expect(key.privateKey).toBeInstanceOf(CryptoKey);
    expect(key.privateKey.extractable).toBe(false);
    expect(key.privateKey.algorithm.name).toBe('Ed25519');
    expect(key.publicKey).toHaveLength(32);
    // The page cannot read the private key: every export is refused.
    for (const format of ['pkcs8', 'jwk', 'raw'] as const) {
      await expect(crypto.subtle.exportKey(format, key.privateKey)).rejects.toThrow();
    }
    // A later page load (a new store on the same database) has the same identity, still a CryptoKey.
    const second = await resolveIdentity(new IndexedDbIdentityStore(undefined, scope), random, crypto.subtle);
    const again = webCryptoKey(second.key);
    expect(toBase64(again.publicKey)).toBe(toBase64(key.publicKey));
    expect(again.privateKey.extractable).toBe(false);
    // Another profile, another identity.
    const other = await resolveIdentity(new IndexedDbIdentityStore(undefined, profile()), random, crypto.subtle);
    expect(toBase64(webCryptoKey(other.key).publicKey)).not.toBe(toBase64(key.publicKey));
  });

  it('signs through WebCrypto (asynchronously); the signature verifies as Ed25519 under the published key', async () => {
    const r = await resolveIdentity(new IndexedDbIdentityStore(undefined, profile()), random, crypto.subtle);
    const signer = identitySigner(r.key);
    const message = new TextEncoder().encode('alcove-consent v1 …');
    const sig = signer.sign(message);
    expect(sig).toBeInstanceOf(Promise);
    const bytes = await sig;
    expect(nacl.sign.detached.verify(message, bytes, signer.publicKey)).toBe(true);
    expect(nacl.sign.detached.verify(new TextEncoder().encode('another message'), bytes, signer.publicKey)).toBe(false);
  });

  it('a seed an earlier version sealed stays the identity (same public key, same fingerprint), on every load', async () => {
    const scope = profile();
    const seed = random(32);
    await new IndexedDbIdentityStore(undefined, scope).saveSeed(seed.slice()); // what an earlier version did
    const expected = toBase64(nacl.sign.keyPair.fromSeed(seed).publicKey);
    for (let load = 0; load < 2; load++) {
      const r = await resolveIdentity(new IndexedDbIdentityStore(undefined, scope), random, crypto.subtle);
      expect(toBase64(seedOf(r))).toBe(toBase64(seed));
      expect(publicKeyOf(r.key)).toBe(expected);
      expect(r.persisted).toBe(true);
    }
    // …and so does one an older version kept in localStorage (moved into IndexedDB, removed there).
    const kv = new MemoryStorage();
    const before = DeviceIdentity.load(kv);
    const moved = await resolveIdentity(new IndexedDbIdentityStore(kv, profile()), random, crypto.subtle);
    expect(publicKeyOf(moved.key)).toBe(before.identityKey);
    expect(kv.get(IDENTITY_STORAGE_KEY)).toBeNull();
  });

  it('without Ed25519 in WebCrypto: a seed, sealed under a non-extractable AES key (the fallback), kept across loads', async () => {
    const scope = profile();
    // A browser whose WebCrypto knows AES-GCM but not Ed25519.
    const noEd25519 = new Proxy(crypto.subtle, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop !== 'generateKey') return typeof value === 'function' ? value.bind(target) : value;
        return (algorithm: AlgorithmIdentifier, ...rest: unknown[]) =>
          (typeof algorithm === 'string' ? algorithm : algorithm.name) === 'Ed25519'
            ? Promise.reject(new DOMException('Algorithm: Unrecognized name', 'NotSupportedError'))
            : (target.generateKey as (...a: unknown[]) => Promise<unknown>)(algorithm, ...rest);
      },
    });
    const first = await resolveIdentity(new IndexedDbIdentityStore(undefined, scope), random, noEd25519);
    expect(first.persisted).toBe(true);
    const second = await resolveIdentity(new IndexedDbIdentityStore(undefined, scope), random, noEd25519);
    expect(toBase64(seedOf(second))).toBe(toBase64(seedOf(first)));
    // At rest: ciphertext and an opaque AES key, never the seed.
    const db = await new Promise<IDBDatabase>((resolve) => {
      const open = scope.indexedDB.open('alcove-identity', 1);
      open.onsuccess = () => resolve(open.result);
    });
    const read = (k: string) =>
      new Promise<unknown>((resolve) => {
        const g = db.transaction('identity').objectStore('identity').get(k);
        g.onsuccess = () => resolve(g.result);
      });
    const sealed = (await read('seed')) as { data: ArrayBuffer };
    expect(toBase64(new Uint8Array(sealed.data))).not.toContain(toBase64(seedOf(first)));
    expect(((await read('wrap')) as CryptoKey).extractable).toBe(false);
    expect(await read('pair')).toBeUndefined();
    db.close();
  });

  it('a key that cannot be saved lasts for this page only (persisted: false)', async () => {
    const saved: IdentityKeyPair[] = [];
    const store: IdentityStore = {
      loadSeed: () => undefined,
      saveSeed: () => undefined,
      loadKeyPair: () => saved[0],
      saveKeyPair: () => Promise.reject(new DOMException('quota', 'QuotaExceededError')),
      verifiedPeers: () => [],
      rememberVerified: () => undefined,
    };
    const r = await resolveIdentity(store, random, crypto.subtle);
    expect(webCryptoKey(r.key).privateKey.extractable).toBe(false);
    expect(r.persisted).toBe(false);
  });
});
