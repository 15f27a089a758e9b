import nacl from 'tweetnacl';
import { equalBytes, fromBase64, toBase64 } from '../e2ee/encoding.js';
import { decodeCommit, decodeReveal, encodeCommit, encodeReveal } from '../e2ee/handshake-codec.js';
import { HandshakeError, PairHandshake } from '../e2ee/handshake.js';
import { after, type IdentitySigner, type MaybePromise, relayQueue } from '../e2ee/identity-signer.js';
import type { PlatformTimers } from '../platform/platform.js';

/** Message types of the chat pair channel (as `chat.relay` carries them). */
export type ChatControlType = 'commit' | 'reveal' | 'confirm';

/** What {@link ChatChannels} needs from the session. */
export interface ChatChannelsHost {
  /** Sends one opaque pair-channel message through the server (`chat.relay`). */
  relay(to: string, type: ChatControlType, payload: string): void;
  /** Both sides of the pair with `peer` hold the keys: messages can be wrapped for it. */
  ready(peer: string): void;
  /** A pair message was refused (bad signature, changed identity…). Never carries key material. */
  refused(peer: string, reason: string): void;
}

/** Options of {@link ChatChannels}. */
export interface ChatChannelsOptions {
  readonly sessionId: string;
  readonly selfId: string;
  readonly role: string;
  /** The device identity (Ed25519) that signs the handshakes, the same that signs media's. */
  readonly identity: IdentitySigner;
  readonly timers: PlatformTimers;
  /** First retry of a pair not ready, ms (doubles up to 30 s). Default 3 000. */
  readonly retryMs?: number;
  readonly randomBytes?: (n: number) => Uint8Array;
}

interface Peer {
  handshake: PairHandshake;
  gotCommit: boolean;
  /** The commitment of the peer's commit this handshake took (a repeat of it is not a restart). */
  peerCommitment?: Uint8Array;
  send?: Uint8Array | undefined;
  recv?: Uint8Array | undefined;
  counter: number;
  /** The peer proved it holds the pair keys (its confirmation opened). */
  confirmed: boolean;
  /** The identity key the server published for the peer; a handshake under another is refused. */
  expectedKey?: Uint8Array;
  /** The identity key the peer signed its handshake with. */
  peerKey?: Uint8Array;
  retryTimer?: unknown;
  retryMs: number;
}

/** Label appended to the session id: chat handshakes can never be taken for media or checklist ones. */
const DOMAIN = '/chat';
/** Plaintext tags inside the pair channel. */
const TAG_CONFIRM = 1;
const TAG_KEY = 2;
/** Confirmation flag: "I hold the keys and have (1) / have not (0) seen your confirmation". */
const SEEN = 1;
/** Pair-box overhead: 8-byte counter + Poly1305 tag. */
export const PAIR_BOX_OVERHEAD = 8 + nacl.secretbox.overheadLength;

/**
 * The chat pair channels: with every admitted peer, the same signed commit/reveal handshake as the
 * media keys (by the same device identity, under a session id of its own), then a key confirmation
 * both ways, so a message is only ever wrapped for a peer that can open it. Wrapped keys are
 * `secretbox` under the per-direction pair key with a counter nonce; replays are refused one level up
 * (the message id and sequence number are sealed and de-duplicated by the inbox).
 *
 * Keys live in this object only and are wiped when a peer leaves or the session closes.
 */
export class ChatChannels {
  readonly #o: ChatChannelsOptions;
  readonly #host: ChatChannelsHost;
  readonly #peers = new Map<string, Peer>();
  readonly #sid: string;
  readonly #random: (n: number) => Uint8Array;
  /** Every relay goes through it: a message waiting for its signature is not overtaken. */
  readonly #out = relayQueue(() => this.#host.refused(this.#o.selfId, 'SIGN_FAILED'));
  #closed = false;

  constructor(options: ChatChannelsOptions, host: ChatChannelsHost) {
    this.#o = options;
    this.#host = host;
    this.#sid = `${options.sessionId}${DOMAIN}`;
    this.#random = options.randomBytes ?? nacl.randomBytes;
  }

  /** Whether messages can be wrapped for `peer` now. */
  isReady(peer: string): boolean {
    const p = this.#peers.get(peer);
    return !!p?.send && p.confirmed;
  }

  /** Peers with a pair (ready or not). */
  get peers(): readonly string[] {
    return [...this.#peers.keys()];
  }

  /**
   * An admitted peer: pair with it. `identityKey` (base64) is the key the server published for it,
   * when known; a pair made under another key is dropped and made again under this one.
   */
  add(peer: string, identityKey?: string): void {
    if (this.#closed || peer === this.#o.selfId) return;
    const expected = identityKey !== undefined ? fromBase64(identityKey) : undefined;
    const p = this.#peers.get(peer);
    if (p) {
      if (!expected || (p.expectedKey && equalBytes(p.expectedKey, expected))) return;
      // Published while the handshake runs: checked when the peer's reveal arrives.
      if (!p.peerKey || equalBytes(p.peerKey, expected)) {
        p.expectedKey = expected;
        return;
      }
      this.#host.refused(peer, 'IDENTITY_CHANGED');
      this.remove(peer);
    }
    this.#start(peer, expected);
  }

  /** The peer left or was removed: its pair keys are wiped; nothing more is wrapped for it. */
  remove(peer: string): void {
    const p = this.#peers.get(peer);
    if (!p) return;
    this.#wipe(p);
    this.#peers.delete(peer);
  }

  /** Seals `plaintext` (a message key and body hash) for `peer`; undefined unless ready. */
  wrap(peer: string, messageKey: Uint8Array, bodyHash: Uint8Array): Uint8Array | undefined {
    const p = this.#peers.get(peer);
    if (this.#closed || !p?.send || !p.confirmed) return undefined;
    const plain = new Uint8Array(1 + messageKey.length + bodyHash.length);
    plain[0] = TAG_KEY;
    plain.set(messageKey, 1);
    plain.set(bodyHash, 1 + messageKey.length);
    const out = this.#seal(p, plain);
    plain.fill(0);
    return out;
  }

  /** Opens a wrapped key from `peer`: `{ key, hash }`, or undefined (no pair, forged, wrong keys). */
  unwrap(peer: string, sealed: Uint8Array): { key: Uint8Array; hash: Uint8Array } | undefined {
    const p = this.#peers.get(peer);
    if (this.#closed || !p?.recv) return undefined;
    const plain = open(p.recv, sealed);
    if (plain?.length !== 65 || plain[0] !== TAG_KEY) return undefined;
    return { key: plain.slice(1, 33), hash: plain.slice(33, 65) };
  }

  /** Handles a `chat.control` message. Never throws; refusals are reported. */
  receive(from: string, type: ChatControlType, payload: string): void {
    if (this.#closed || from === this.#o.selfId) return;
    let p = this.#peers.get(from);
    try {
      if (type === 'commit') {
        const commit = decodeCommit(payload);
        // The peer repeating the commit this handshake already took: nothing to do.
        if (p?.peerCommitment && equalBytes(p.peerCommitment, commit.commitment)) return;
        let fresh = false;
        if (!p || p.gotCommit) {
          // A peer we have not seen join yet, or one that started over (reload, retry): a fresh pair.
          const expected = p?.expectedKey;
          if (p) this.remove(from);
          p = this.#start(from, expected);
          fresh = true;
        }
        const reveal = p.handshake.onCommit(commit);
        p.gotCommit = true;
        p.peerCommitment = commit.commitment;
        // Our commit once more (a peer that restarted its side lost the one we sent before), then the reveal.
        if (!fresh) this.#relay(from, 'commit', after(p.handshake.commit(), encodeCommit));
        if (reveal) this.#relay(from, 'reveal', after(reveal, encodeReveal));
        return;
      }
      if (!p) return this.#host.refused(from, 'UNKNOWN_PEER');
      if (type === 'reveal') {
        const secrets = p.handshake.onReveal(decodeReveal(payload));
        if (p.expectedKey && !equalBytes(p.expectedKey, secrets.peerIdentityKey)) {
          // Signed by another key than the one published for this participant: never used.
          secrets.sendKey.fill(0);
          secrets.recvKey.fill(0);
          const expected = p.expectedKey;
          this.remove(from);
          this.#start(from, expected);
          return this.#host.refused(from, 'IDENTITY_CHANGED');
        }
        p.send = secrets.sendKey.slice();
        p.recv = secrets.recvKey.slice();
        p.peerKey = secrets.peerIdentityKey.slice();
        secrets.sendKey.fill(0);
        secrets.recvKey.fill(0);
        this.#confirm(from, p, false);
        return;
      }
      // confirm
      const bytes = fromBase64(payload);
      const plain = bytes && p.recv ? open(p.recv, bytes) : undefined;
      if (plain?.length !== 2 || plain[0] !== TAG_CONFIRM) return this.#host.refused(from, 'SEALED_REJECTED');
      if (plain[1] !== SEEN) this.#confirm(from, p, true);
      if (!p.confirmed) {
        p.confirmed = true;
        if (p.retryTimer !== undefined) this.#o.timers.clearTimeout(p.retryTimer);
        p.retryTimer = undefined;
        this.#host.ready(from);
      }
    } catch (e) {
      this.#host.refused(from, e instanceof HandshakeError ? e.reason : 'MALFORMED');
    }
  }

  /** Wipes every key and stops retries. Idempotent. */
  close(): void {
    if (this.#closed) return;
    for (const id of [...this.#peers.keys()]) this.remove(id);
    this.#closed = true;
  }

  #start(peerId: string, expected: Uint8Array | undefined, retryMs = this.#o.retryMs ?? 3000): Peer {
    const handshake = new PairHandshake({
      sessionId: this.#sid,
      self: { id: this.#o.selfId, role: this.#o.role, identity: this.#o.identity },
      peerId,
      ...(expected ? { expectedPeerIdentityKey: expected } : {}),
      randomBytes: this.#random,
    });
    const p: Peer = { handshake, gotCommit: false, counter: 0, confirmed: false, retryMs, ...(expected ? { expectedKey: expected } : {}) };
    this.#peers.set(peerId, p);
    this.#relay(peerId, 'commit', after(handshake.commit(), encodeCommit));
    this.#armRetry(peerId, p);
    return p;
  }

  #relay(to: string, type: ChatControlType, payload: MaybePromise<string>): void {
    this.#out(payload, (m) => this.#host.relay(to, type, m));
  }

  /** A pair not ready in time (a message lost to a reconnect) is started again, backing off. */
  #armRetry(peerId: string, p: Peer): void {
    // Jitter, so two sides that retry at once do not keep crossing.
    const jitter = 0.75 + ((this.#random(1)[0] ?? 0) / 255) * 0.5;
    p.retryTimer = this.#o.timers.setTimeout(
      () => {
        p.retryTimer = undefined;
        if (this.#closed || this.#peers.get(peerId) !== p || p.confirmed) return;
        this.#wipe(p);
        this.#peers.delete(peerId);
        this.#start(peerId, p.expectedKey, Math.min(p.retryMs * 2, 30_000));
      },
      Math.round(p.retryMs * jitter),
    );
  }

  #confirm(to: string, p: Peer, seen: boolean): void {
    this.#relay(to, 'confirm', toBase64(this.#seal(p, Uint8Array.of(TAG_CONFIRM, seen ? SEEN : 0))));
  }

  #seal(p: Peer, plain: Uint8Array): Uint8Array {
    const counter = p.counter++;
    const nonce = nonceOf(counter);
    const box = nacl.secretbox(plain, nonce, p.send as Uint8Array);
    const out = new Uint8Array(8 + box.length);
    out.set(nonce.subarray(16), 0);
    out.set(box, 8);
    return out;
  }

  #wipe(p: Peer): void {
    if (p.retryTimer !== undefined) this.#o.timers.clearTimeout(p.retryTimer);
    p.retryTimer = undefined;
    p.send?.fill(0);
    p.recv?.fill(0);
    p.send = undefined;
    p.recv = undefined;
    p.confirmed = false;
  }
}

function open(key: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
  if (sealed.length < PAIR_BOX_OVERHEAD) return undefined;
  const nonce = new Uint8Array(24);
  nonce.set(sealed.subarray(0, 8), 16);
  return nacl.secretbox.open(sealed.subarray(8), nonce, key) ?? undefined;
}

function nonceOf(counter: number): Uint8Array {
  const n = new Uint8Array(24);
  let v = counter;
  for (let i = 23; i >= 16; i--) {
    n[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return n;
}
