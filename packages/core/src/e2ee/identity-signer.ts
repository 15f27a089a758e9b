import nacl from 'tweetnacl';
import type { DeviceKey } from './identity-store.js';

/** A value now, or once a promise settles (a WebCrypto signature). */
export type MaybePromise<T> = T | Promise<T>;

/** Chains `f` after `v`, synchronously when `v` is not a promise. */
export const after = <T, U>(v: MaybePromise<T>, f: (t: T) => U): MaybePromise<U> => (v instanceof Promise ? v.then(f) : f(v));

/**
 * Signs with the device identity (Ed25519). `sign` answers synchronously with a seed (tweetnacl)
 * and with a promise for a non-extractable WebCrypto key; callers handle both (see
 * {@link relayQueue}). Never exposes the private key.
 */
export interface IdentitySigner {
  /** The Ed25519 public key (32 bytes). */
  readonly publicKey: Uint8Array;
  /** Detached Ed25519 signature (64 bytes) of `message`. */
  sign(message: Uint8Array): MaybePromise<Uint8Array>;
}

/**
 * The signer of a device identity: WebCrypto `sign('Ed25519')` with the non-extractable private
 * key (the private key's bytes are never in script), or tweetnacl with the seed where the platform
 * has no Ed25519 in WebCrypto (see `docs/e2ee-identity.md`). Without a key: a fresh identity.
 */
export function identitySigner(key: DeviceKey = { seed: nacl.randomBytes(32) }): IdentitySigner {
  if ('seed' in key) {
    const pair = nacl.sign.keyPair.fromSeed(key.seed);
    return { publicKey: pair.publicKey, sign: (m) => nacl.sign.detached(m, pair.secretKey) };
  }
  const { privateKey, publicKey } = key;
  return { publicKey, sign: (m) => crypto.subtle.sign('Ed25519', privateKey, m as BufferSource).then((s) => new Uint8Array(s)) };
}

/** Queues a message: sent once its payload is signed, never before one queued earlier. See {@link relayQueue}. */
export type RelayQueue = (payload: MaybePromise<string>, send: (payload: string) => void) => void;

/**
 * Sends messages in the order they were queued, waiting for any whose payload is still being
 * signed: a handshake's state changes when a message is made, only its signature may come later,
 * and nothing queued after it (a sealed key, the next handshake message) may overtake it.
 * Synchronous while nothing waits. `failed`: a signature failed (that message is not sent); never
 * carries key material.
 */
export function relayQueue(failed: (e: unknown) => void): RelayQueue {
  let waiting = 0;
  let tail: Promise<unknown> = Promise.resolve();
  return (payload, send) => {
    if (!waiting && !(payload instanceof Promise)) return send(payload);
    waiting++;
    tail = tail
      .then(() => payload)
      .then(send)
      .catch(failed)
      .finally(() => waiting--);
  };
}
