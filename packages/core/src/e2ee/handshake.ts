import { E2EE_LABELS } from '@alcove/protocol';
import nacl from 'tweetnacl';
import { equalBytes, encodeFields } from './encoding.js';
import { bytes, concatBytes, hkdfExpand, hkdfExtract, sha512 } from './hkdf.js';
import { after, type IdentitySigner, type MaybePromise } from './identity-signer.js';

/**
 * The pairwise commit/reveal handshake of E2EE.md §3. Each pair of participants runs it once per
 * session (and again when a device key changes). Messages travel over the server as opaque relays;
 * the commitment makes a key-substituting server fix its own ephemeral keys before it sees either
 * victim's, so the two short authentication strings (SAS) differ unless it guessed 42 bits.
 *
 * Field concatenation uses {@link encodeFields} (length-prefixed), an unambiguous form of the
 * design's `‖`.
 */

/** Why a handshake message was refused. */
export type HandshakeFailure =
  | 'WRONG_SESSION'
  | 'WRONG_PARTIES'
  | 'BAD_SIGNATURE'
  | 'OUT_OF_ORDER'
  | 'COMMITMENT_MISMATCH'
  | 'IDENTITY_CHANGED'
  /** The identity key in the handshake is not the one the peer published with `e2ee.publishKey`. */
  | 'IDENTITY_MISMATCH'
  | 'WEAK_KEY'
  | 'MALFORMED';

/** Raised by {@link PairHandshake} for a refused message; the handshake state is unchanged. */
export class HandshakeError extends Error {
  override readonly name = 'HandshakeError';
  constructor(readonly reason: HandshakeFailure) {
    super(`E2EE handshake message refused: ${reason}`);
  }
}

/** COMMIT A→B. */
export interface CommitMessage {
  readonly v: 1;
  readonly type: 'commit';
  readonly sid: string;
  readonly from: string;
  readonly to: string;
  readonly role: string;
  /** Ed25519 identity public key of `from`. */
  readonly identityKey: Uint8Array;
  /** SHA-512(label ‖ sid ‖ A ‖ B ‖ EK_A)[0..32]. */
  readonly commitment: Uint8Array;
  readonly sig: Uint8Array;
}

/** REVEAL A→B, sent only after the peer's COMMIT arrived. */
export interface RevealMessage {
  readonly v: 1;
  readonly type: 'reveal';
  readonly sid: string;
  readonly from: string;
  readonly to: string;
  /** X25519 ephemeral public key of `from`, fresh for this pair and handshake. */
  readonly ephemeralKey: Uint8Array;
  readonly sig: Uint8Array;
}

/** What a completed handshake yields. Keys stay in the worker; never log them. */
export interface PairSecrets {
  readonly peer: string;
  readonly peerRole: string;
  readonly peerIdentityKey: Uint8Array;
  /** Key for control messages this side sends to the peer. */
  readonly sendKey: Uint8Array;
  /** Key for control messages from the peer. */
  readonly recvKey: Uint8Array;
  /** 6 bytes to render as emoji or digits and compare aloud. */
  readonly sas: Uint8Array;
  /** SHA-512 transcript hash both sides agree on. */
  readonly transcript: Uint8Array;
}

/** Options of one side of a pair handshake. */
export interface PairHandshakeOptions {
  readonly sessionId: string;
  /** `identity` signs the commit and the reveal (see {@link IdentitySigner}: possibly asynchronously). */
  readonly self: { readonly id: string; readonly role: string; readonly identity: IdentitySigner };
  readonly peerId: string;
  /** A previously verified identity key for the peer (TOFU); a different key is refused. */
  readonly expectedPeerIdentityKey?: Uint8Array;
  /** Randomness source (tests); default tweetnacl's CSPRNG. */
  readonly randomBytes?: (n: number) => Uint8Array;
}

const commitHash = (sid: string, a: string, b: string, ek: Uint8Array): Uint8Array =>
  sha512(encodeFields(E2EE_LABELS.commit, sid, a, b, ek)).subarray(0, 32);
const commitSigned = (sid: string, a: string, b: string, role: string, c: Uint8Array): Uint8Array =>
  encodeFields(E2EE_LABELS.commit, sid, a, b, role, c);
const revealSigned = (sid: string, a: string, b: string, ek: Uint8Array): Uint8Array => encodeFields(E2EE_LABELS.reveal, sid, a, b, ek);

/**
 * One side of the handshake with one peer. Its state changes when a message is made; only the
 * message's signature may come later (a WebCrypto key signs asynchronously), so {@link commit},
 * {@link onCommit} and {@link reveal} return the message or a promise of it: send them in order
 * (see `RelayQueue`). Peers' signatures are verified synchronously.
 */
export class PairHandshake {
  readonly #o: PairHandshakeOptions;
  readonly #eph: nacl.BoxKeyPair;
  #sentCommit = false;
  #peerCommit: CommitMessage | undefined;
  #secrets: PairSecrets | undefined;

  constructor(options: PairHandshakeOptions) {
    if (options.self.id === options.peerId) throw new RangeError('a participant cannot pair with itself');
    this.#o = options;
    const seed = options.randomBytes?.(32) ?? nacl.randomBytes(32);
    this.#eph = nacl.box.keyPair.fromSecretKey(seed);
  }

  /** The result once the peer's reveal has been checked. */
  get secrets(): PairSecrets | undefined {
    return this.#secrets;
  }

  /** Our COMMIT. Call once; the peer may send theirs at any time. */
  commit(): MaybePromise<CommitMessage> {
    const { sessionId: sid, self, peerId } = this.#o;
    const commitment = commitHash(sid, self.id, peerId, this.#eph.publicKey);
    this.#sentCommit = true;
    return after(self.identity.sign(commitSigned(sid, self.id, peerId, self.role, commitment)), (sig) => ({
      v: 1 as const,
      type: 'commit' as const,
      sid,
      from: self.id,
      to: peerId,
      role: self.role,
      identityKey: self.identity.publicKey,
      commitment,
      sig,
    }));
  }

  /**
   * Takes the peer's COMMIT. Returns our REVEAL when we have also committed (send it), else
   * undefined (call {@link commit}, then {@link reveal}).
   * @throws {HandshakeError} for a commit of another session, pair, identity, or a bad signature.
   */
  onCommit(msg: CommitMessage): MaybePromise<RevealMessage> | undefined {
    const { sessionId: sid, self, peerId } = this.#o;
    if (msg.sid !== sid) throw new HandshakeError('WRONG_SESSION');
    if (msg.from !== peerId || msg.to !== self.id) throw new HandshakeError('WRONG_PARTIES');
    if (this.#peerCommit) throw new HandshakeError('OUT_OF_ORDER');
    if (msg.identityKey.length !== 32 || msg.commitment.length !== 32 || msg.sig.length !== 64) throw new HandshakeError('MALFORMED');
    const expected = this.#o.expectedPeerIdentityKey;
    if (expected && !equalBytes(expected, msg.identityKey)) throw new HandshakeError('IDENTITY_CHANGED');
    if (!nacl.sign.detached.verify(commitSigned(sid, msg.from, msg.to, msg.role, msg.commitment), msg.sig, msg.identityKey)) {
      throw new HandshakeError('BAD_SIGNATURE');
    }
    this.#peerCommit = msg;
    return this.#sentCommit ? this.reveal() : undefined;
  }

  /**
   * Our REVEAL: only once we hold the peer's commitment (the property the SAS relies on).
   * @throws {HandshakeError} OUT_OF_ORDER before the peer's commit arrived or before our commit.
   */
  reveal(): MaybePromise<RevealMessage> {
    if (!this.#peerCommit || !this.#sentCommit) throw new HandshakeError('OUT_OF_ORDER');
    const { sessionId: sid, self, peerId } = this.#o;
    const ephemeralKey = this.#eph.publicKey;
    return after(self.identity.sign(revealSigned(sid, self.id, peerId, ephemeralKey)), (sig) => ({
      v: 1 as const,
      type: 'reveal' as const,
      sid,
      from: self.id,
      to: peerId,
      ephemeralKey,
      sig,
    }));
  }

  /**
   * Takes the peer's REVEAL, checks it against their commitment and derives the pair secrets.
   * @throws {HandshakeError} for a reveal before the commit, a mismatch, a bad signature or a weak key.
   */
  onReveal(msg: RevealMessage): PairSecrets {
    const { sessionId: sid, self, peerId } = this.#o;
    const commit = this.#peerCommit;
    if (msg.sid !== sid) throw new HandshakeError('WRONG_SESSION');
    if (msg.from !== peerId || msg.to !== self.id) throw new HandshakeError('WRONG_PARTIES');
    if (!commit || !this.#sentCommit || this.#secrets) throw new HandshakeError('OUT_OF_ORDER');
    if (msg.ephemeralKey.length !== 32 || msg.sig.length !== 64) throw new HandshakeError('MALFORMED');
    if (!nacl.sign.detached.verify(revealSigned(sid, msg.from, msg.to, msg.ephemeralKey), msg.sig, commit.identityKey)) {
      throw new HandshakeError('BAD_SIGNATURE');
    }
    if (!equalBytes(commitHash(sid, msg.from, msg.to, msg.ephemeralKey), commit.commitment)) {
      throw new HandshakeError('COMMITMENT_MISMATCH');
    }
    const dh = nacl.scalarMult(this.#eph.secretKey, msg.ephemeralKey);
    if (dh.every((b) => b === 0)) throw new HandshakeError('WEAK_KEY');

    const me = { id: self.id, role: self.role, ik: self.identity.publicKey, ek: this.#eph.publicKey };
    const them = { id: peerId, role: commit.role, ik: commit.identityKey, ek: msg.ephemeralKey };
    const [first, second] = me.id < them.id ? [me, them] : [them, me];
    const transcript = sha512(encodeFields(sid, first.id, first.role, first.ik, first.ek, second.id, second.role, second.ik, second.ek));
    const prk = hkdfExtract(bytes(sid), dh);
    const okm = hkdfExpand(prk, concatBytes(bytes(E2EE_LABELS.pair), transcript), 96);
    const firstToSecond = okm.slice(0, 32);
    const secondToFirst = okm.slice(32, 64);
    const kSas = okm.slice(64, 96);
    const sas = hkdfExpand(kSas, concatBytes(bytes(E2EE_LABELS.sas), transcript), 6);
    dh.fill(0);
    prk.fill(0);
    okm.fill(0);
    kSas.fill(0);
    this.#eph.secretKey.fill(0);
    const iAmFirst = first === me;
    this.#secrets = {
      peer: peerId,
      peerRole: commit.role,
      peerIdentityKey: commit.identityKey,
      sendKey: iAmFirst ? firstToSecond : secondToFirst,
      recvKey: iAmFirst ? secondToFirst : firstToSecond,
      sas,
      transcript,
    };
    return this.#secrets;
  }
}
