import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../test/fake-platform.js';
import { DeviceIdentity } from './identity.js';
import {
  IndexedDbIdentityStore,
  KeyValueIdentityStore,
  MAX_VERIFIED_PEERS,
  MemoryIdentityStore,
  resolveIdentity,
  type IdentityStore,
  type VerifiedPeer,
} from './identity-store.js';
import { toBase64 } from './encoding.js';

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const peer = (participantId: string, fingerprint: string, verifiedAt = 1): VerifiedPeer => ({ participantId, fingerprint, verifiedAt });

describe('IdentityStore', () => {
  it('persists the identity: a second session on the same device gets the same seed', () => {
    const kv = new MemoryStorage();
    const first = resolveIdentity(new KeyValueIdentityStore(kv), random);
    const second = resolveIdentity(new KeyValueIdentityStore(kv), random);
    if (first instanceof Promise || second instanceof Promise) throw new Error('a synchronous store answers synchronously');
    expect(first.persisted).toBe(true);
    expect(second.persisted).toBe(true);
    expect(toBase64(second.seed)).toBe(toBase64(first.seed));
    // Another device (another store) gets another identity.
    const other = resolveIdentity(new KeyValueIdentityStore(new MemoryStorage()), random) as { seed: Uint8Array };
    expect(toBase64(other.seed)).not.toBe(toBase64(first.seed));
  });

  it('reads the seed an earlier version kept (DeviceIdentity.load) as the same identity', () => {
    const kv = new MemoryStorage();
    const before = DeviceIdentity.load(kv);
    const r = resolveIdentity(new KeyValueIdentityStore(kv), random) as { seed: Uint8Array };
    expect(DeviceIdentity.fromSeed(r.seed).identityKey).toBe(before.identityKey);
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
    expect(r.seed).toHaveLength(32);
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
    expect(toBase64(b.seed)).toBe(toBase64(a.seed));
    expect(b.verified).toEqual([peer('h', 'f')]);
  });

  it('IndexedDB store needs IndexedDB and WebCrypto (else the session falls back to persistentStorage)', () => {
    expect(IndexedDbIdentityStore.available({})).toBe(false);
    expect(IndexedDbIdentityStore.available({ indexedDB: {} as IDBFactory })).toBe(false);
  });
});
