import { ControlChannel } from '../../e2ee/control-channel.js';
import { fromBase64, toBase64 } from '../../e2ee/encoding.js';
import { decodeCommit, decodeReveal, encodeCommit, encodeReveal } from '../../e2ee/handshake-codec.js';
import { HandshakeError, PairHandshake } from '../../e2ee/handshake.js';
import type { DeviceIdentity } from '../../e2ee/identity.js';
import { after, type MaybePromise, relayQueue } from '../../e2ee/identity-signer.js';
import type { PlatformTimers } from '../../platform/platform.js';

/** Relay types of the sealed checklist channel. */
export type SealedRelayType = 'commit' | 'reveal' | 'sealed';

/** What {@link SealedChannels} needs from the session. */
export interface SealedChannelsHost {
  /** Sends an opaque message through the server (`checklist.relay`). */
  relay(to: string, type: SealedRelayType, payload: string): void;
  /** A pair channel is open: sealed messages can flow both ways. */
  established(peer: string): void;
  /** A sealed message from `peer`, opened and authenticated. */
  opened(peer: string, plaintext: Uint8Array): void;
  /** A message was refused (bad signature, wrong identity, replay…); never carries key material. */
  refused(peer: string, reason: string): void;
}

/** Options of {@link SealedChannels}. */
export interface SealedChannelsOptions {
  readonly sessionId: string;
  readonly selfId: string;
  readonly role: string;
  readonly identity: DeviceIdentity;
  readonly timers: PlatformTimers;
  /** First retry of a handshake without result, ms (doubles up to 30 s). Default 3 000. */
  readonly retryMs?: number;
}

interface Peer {
  handshake: PairHandshake;
  gotCommit: boolean;
  channel?: ControlChannel;
  /** The identity key the server published for this peer; a handshake under another is refused. */
  expectedKey?: Uint8Array;
  /** We asked for this pair (guest → host); accepted pairs are answered but not retried. */
  wanted: boolean;
  retryTimer?: unknown;
  retryMs: number;
}

/** Label appended to the session id so checklist handshakes can never be taken for media ones. */
const DOMAIN = '/checklist';

/**
 * The sealed checklist channel (ARCHITECTURE §8, E2EE.md §3): per pair of guest and host, the same
 * commit/reveal handshake as the media keys — signed by the same device identity, under a session id
 * of its own so the two can never be confused — then `secretbox` messages with per-direction
 * sequence numbers. The server relays the bytes and reads nothing; it may drop intermediate sealed
 * messages (it coalesces them), which the increasing sequence numbers allow.
 *
 * A client whose identity the therapist later verifies by the security code has, by the same key,
 * authenticated this channel too.
 */
export class SealedChannels {
  readonly #o: SealedChannelsOptions;
  readonly #host: SealedChannelsHost;
  readonly #peers = new Map<string, Peer>();
  readonly #sid: string;
  #closed = false;
  /** Every relay goes through it: a message waiting for its signature is not overtaken. */
  readonly #out = relayQueue(() => this.#host.refused(this.#o.selfId, 'SIGN_FAILED'));

  constructor(options: SealedChannelsOptions, host: SealedChannelsHost) {
    this.#o = options;
    this.#host = host;
    this.#sid = `${options.sessionId}${DOMAIN}`;
  }

  /** Peers with an open channel. */
  get openPeers(): readonly string[] {
    return [...this.#peers].filter(([, p]) => p.channel).map(([id]) => id);
  }

  /** Whether the channel with `peer` is open. */
  isOpen(peer: string): boolean {
    return this.#peers.get(peer)?.channel !== undefined;
  }

  /**
   * Opens a channel to `peer` (a guest to each host), whose published identity key is
   * `identityKey` (base64). Idempotent for the same key; a different key starts over.
   */
  connect(peer: string, identityKey?: string): void {
    if (this.#closed || peer === this.#o.selfId) return;
    const expected = identityKey !== undefined ? fromBase64(identityKey) : undefined;
    const existing = this.#peers.get(peer);
    if (existing && sameKey(existing.expectedKey, expected)) {
      existing.wanted = true;
      return;
    }
    if (existing) this.disconnect(peer);
    this.#start(peer, expected, true);
  }

  /** Forgets the pair (the peer left); its keys are wiped. */
  disconnect(peer: string): void {
    const p = this.#peers.get(peer);
    if (!p) return;
    if (p.retryTimer !== undefined) this.#o.timers.clearTimeout(p.retryTimer);
    p.channel?.destroy();
    this.#peers.delete(peer);
  }

  /**
   * Seals `plaintext` to `peer`. Returns false (nothing sent) when the channel is not open yet.
   */
  send(peer: string, plaintext: Uint8Array): boolean {
    const p = this.#peers.get(peer);
    if (this.#closed || !p?.channel) return false;
    this.#relay(peer, 'sealed', toBase64(p.channel.seal(plaintext)));
    return true;
  }

  /** Handles a `checklist.message`. Never throws; refusals are reported. */
  receive(from: string, type: SealedRelayType, payload: string): void {
    if (this.#closed || from === this.#o.selfId) return;
    let peer = this.#peers.get(from);
    try {
      if (type === 'commit') {
        const commit = decodeCommit(payload);
        if (!peer || peer.gotCommit) {
          // A new peer, or one that started over (reload): a fresh pair, answered at once.
          const wanted = peer?.wanted ?? false;
          const expected = peer?.expectedKey;
          if (peer) this.disconnect(from);
          peer = this.#start(from, expected, wanted);
        }
        const reveal = peer.handshake.onCommit(commit);
        peer.gotCommit = true;
        if (reveal) this.#relay(from, 'reveal', after(reveal, encodeReveal));
        return;
      }
      if (!peer) {
        // Sealed data or a reveal for a pair we do not have (we reloaded): start one.
        if (type === 'sealed') this.#start(from, undefined, false);
        return this.#host.refused(from, 'UNKNOWN_PEER');
      }
      if (type === 'reveal') {
        const secrets = peer.handshake.onReveal(decodeReveal(payload));
        peer.channel = new ControlChannel(secrets.sendKey, secrets.recvKey);
        secrets.sendKey.fill(0);
        secrets.recvKey.fill(0);
        if (peer.retryTimer !== undefined) this.#o.timers.clearTimeout(peer.retryTimer);
        peer.retryTimer = undefined;
        this.#host.established(from);
        return;
      }
      const bytes = fromBase64(payload);
      const plain = bytes && peer.channel?.open(bytes);
      if (!plain) return this.#host.refused(from, 'SEALED_REJECTED');
      this.#host.opened(from, plain);
    } catch (e) {
      this.#host.refused(from, e instanceof HandshakeError ? e.reason : 'MALFORMED');
    }
  }

  /** Wipes every key and stops retries. Idempotent. */
  close(): void {
    if (this.#closed) return;
    for (const id of [...this.#peers.keys()]) this.disconnect(id);
    this.#closed = true;
  }

  #start(peerId: string, expected: Uint8Array | undefined, wanted: boolean, retryMs = this.#o.retryMs ?? 3000): Peer {
    const handshake = new PairHandshake({
      sessionId: this.#sid,
      self: { id: this.#o.selfId, role: this.#o.role, identity: this.#o.identity.signer },
      peerId,
      ...(expected ? { expectedPeerIdentityKey: expected } : {}),
    });
    const peer: Peer = { handshake, gotCommit: false, wanted, retryMs, ...(expected ? { expectedKey: expected } : {}) };
    this.#peers.set(peerId, peer);
    this.#relay(peerId, 'commit', after(handshake.commit(), encodeCommit));
    if (wanted) this.#armRetry(peerId, peer);
    return peer;
  }

  #relay(to: string, type: SealedRelayType, payload: MaybePromise<string>): void {
    this.#out(payload, (m) => this.#host.relay(to, type, m));
  }

  /** A handshake whose messages were lost (a reconnect, a coalescing server) is started again. */
  #armRetry(peerId: string, peer: Peer): void {
    peer.retryTimer = this.#o.timers.setTimeout(() => {
      peer.retryTimer = undefined;
      if (this.#closed || this.#peers.get(peerId) !== peer || peer.channel) return;
      this.#peers.delete(peerId);
      this.#start(peerId, peer.expectedKey, true, Math.min(peer.retryMs * 2, 30_000));
    }, peer.retryMs);
  }
}

function sameKey(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
