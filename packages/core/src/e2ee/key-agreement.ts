import { E2EE_RATCHET_INTERVAL_MS, E2EE_SUITES } from '@alcove/protocol';
import nacl from 'tweetnacl';
import { ControlChannel } from './control-channel.js';
import { fromBase64, toBase64 } from './encoding.js';
import { identityFingerprint } from './fingerprint.js';
import { HandshakeError, PairHandshake, type HandshakeFailure, type PairSecrets } from './handshake.js';
import { decodeCommit, decodeReveal, encodeCommit, encodeReveal } from './handshake-codec.js';
import { after, type IdentitySigner, identitySigner, type MaybePromise, relayQueue } from './identity-signer.js';
import { ReceiverKeyRing, SenderKeyState } from './key-ring.js';

/** Relay message types (as in `e2ee.relay`). */
export type RelayType = 'commit' | 'reveal' | 'sealed' | 'roster';

/** What {@link KeyAgreement} needs from its host (the E2EE worker). */
export interface KeyAgreementHost {
  /** Send an opaque payload to one peer through the server. */
  relay(to: string, type: RelayType, payload: string): void;
  /** A pair handshake completed: show `sas` to compare aloud. `peerIdentityKey` is public (remembered by fingerprint once verified). */
  sasReady(peer: string, sas: Uint8Array, peerRole: string, peerIdentityKey: Uint8Array): void;
  /** A peer's media key arrived: its frames can be opened now. */
  peerKeyed(peer: string): void;
  /** A message was refused (bad signature, replay…). Never carries key material. */
  refused(peer: string, reason: string): void;
  /** Our sender key changed (new generation or ratchet step on a join): senders should send a key frame. */
  senderKeyChanged?(): void;
  /** The first frame of `peer` under a new key generation opened (it switched keys): receivers may ask it for a key frame. */
  peerKeySwitched?(peer: string): void;
  /** Something {@link KeyAgreement.status} reports changed (a key arrived, a pair completed, a first frame of a new key opened). */
  statusChanged?(): void;
  /** Milliseconds clock and a one-shot timer (the worker's). */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of {@link KeyAgreement}. */
export interface KeyAgreementOptions {
  readonly sessionId: string;
  readonly selfId: string;
  readonly role: string;
  /** Device identity (signs the handshakes); default a fresh one for this session. */
  readonly identity?: IdentitySigner;
  /** How long a rotation waits for acknowledgements before switching anyway, ms. Default 2 000. */
  readonly rotationWaitMs?: number;
  /** Periodic ratchet of the sender key (no messages: receivers derive the step), ms. Default 5 min. */
  readonly ratchetIntervalMs?: number;
  readonly randomBytes?: (n: number) => Uint8Array;
  /**
   * Accept a peer's handshake only with the identity key it published (`e2ee.publishKey`, given
   * through {@link KeyAgreement.setPublishedKey}); messages wait until that key is known. The
   * session sets it; default false (tests, apps with their own key distribution).
   */
  readonly requirePublishedKey?: boolean;
}

/** One peer as {@link KeyAgreement.status} reports it. Public data only. */
export interface PeerKeyStatus {
  readonly peer: string;
  /** The pair handshake completed (a SAS exists). */
  readonly paired: boolean;
  /** We hold a media key of this peer. */
  readonly keyed: boolean;
  /** The newest generation of its keys we hold, or -1. */
  readonly generation: number;
  /** A frame of this peer opened under that newest key. */
  readonly decryptedInEpoch: boolean;
  /** Frames opened in the grace windows (previous ratchet step or previous generation after a switch). */
  readonly graceOpened: number;
  /** Fingerprint of the identity key the pair was made with. */
  readonly fingerprint?: string;
  /** Its handshake waits for the identity key it published. */
  readonly awaitingPublishedKey: boolean;
}

/** Key state of this participant (no key material). */
export interface AgreementStatus {
  /** Our sender key is set: frames are sealed (without it they are dropped). */
  readonly localKeyed: boolean;
  /** Our sender key's generation, or -1. */
  readonly generation: number;
  readonly peers: readonly PeerKeyStatus[];
  /** Refused handshake and control messages by reason, since the start. */
  readonly refused: Readonly<Record<string, number>>;
}

type Control = { t: 'key'; g: number; s: number; k: string } | { t: 'ack'; g: number; s: number } | { t: 'keyRequest' };

interface Peer {
  handshake: PairHandshake;
  committed: boolean;
  /** The peer's commit arrived (a second one means the peer restarted: handshake again). */
  gotCommit?: boolean;
  channel?: ControlChannel;
  secrets?: PairSecrets;
  /** The (g, s) we last sent this peer. */
  sent?: { g: number; s: number };
  /** When this pair's handshake started (host clock), to restart one whose messages were lost. */
  startedAt: number;
  /** Messages that wait for the identity key the peer published (at most {@link MAX_HELD}). */
  held?: { type: RelayType; payload: string }[] | undefined;
}

/** Messages of one peer kept while its published identity key is unknown. */
const MAX_HELD = 8;

/** A handshake with no result after this long is started again on the next key request, ms. */
const HANDSHAKE_RETRY_MS = 3000;

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Per-session key management of one participant (E2EE.md §3–4), run inside the E2EE worker: pair
 * handshakes with every peer, the sealed control channels, and the sender key's distribution,
 * ratchet on join and replacement on leave. Pure logic; transport and timers come from the host.
 */
export class KeyAgreement {
  readonly sender = new SenderKeyState(E2EE_SUITES.AES_128_GCM);
  readonly receivers = new Map<string, ReceiverKeyRing>();
  readonly #o: KeyAgreementOptions;
  readonly #host: KeyAgreementHost;
  readonly #identity: IdentitySigner;
  /** Every relay goes through it: a message waiting for its signature is not overtaken. */
  readonly #out = relayQueue(() => this.#refuse(this.#o.selfId, 'SIGN_FAILED'));
  readonly #random: (n: number) => Uint8Array;
  readonly #peers = new Map<string, Peer>();
  /** Identity keys peers published (`e2ee.publishKey`), base64. */
  readonly #published = new Map<string, string>();
  readonly #refusals = new Map<string, number>();
  #base: { g: number; s: number; key: Uint8Array } | undefined;
  #pending: { g: number; key: Uint8Array; waiting: Set<string>; timer: unknown } | undefined;
  #ratchetTimer: unknown;

  constructor(options: KeyAgreementOptions, host: KeyAgreementHost) {
    this.#o = options;
    this.#host = host;
    this.#random = options.randomBytes ?? nacl.randomBytes;
    this.#identity = options.identity ?? identitySigner();
  }

  /** This device's identity public key (base64), for `e2ee.publishKey`. */
  get identityKey(): string {
    return toBase64(this.#identity.publicKey);
  }

  /** Creates this participant's first sender key `B[0][0]`. Frames flow once it is set. */
  start(): void {
    if (this.#base) return;
    const key = this.#random(32);
    this.#base = { g: 0, s: 0, key };
    this.sender.setKey(0, key);
    this.#scheduleRatchet();
  }

  /** Every few minutes: ratchet forward, so a later memory compromise reveals at most that window. */
  #scheduleRatchet(): void {
    this.#ratchetTimer = this.#host.setTimeout(() => {
      if (!this.#base) return;
      if (!this.#pending) {
        const r = this.sender.ratchet();
        this.#base.key.fill(0);
        this.#base = { g: r.generation, s: r.step, key: r.base };
      }
      this.#scheduleRatchet();
    }, this.#o.ratchetIntervalMs ?? E2EE_RATCHET_INTERVAL_MS);
  }

  /** A peer is in the room (admitted): run the handshake with it. */
  addPeer(peerId: string): void {
    if (peerId === this.#o.selfId || this.#peers.has(peerId)) return;
    const handshake = new PairHandshake({
      sessionId: this.#o.sessionId,
      self: { id: this.#o.selfId, role: this.#o.role, identity: this.#identity },
      peerId,
      randomBytes: this.#random,
    });
    const peer: Peer = { handshake, committed: true, startedAt: this.#host.now() };
    this.#peers.set(peerId, peer);
    this.#relay(peerId, 'commit', after(handshake.commit(), encodeCommit));
  }

  #relay(to: string, type: RelayType, payload: MaybePromise<string>): void {
    this.#out(payload, (p) => this.#host.relay(to, type, p));
  }

  /** A peer left or was removed: forget it and replace our key so it cannot read what follows. */
  removePeer(peerId: string): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    this.#forget(peerId, peer);
    this.#published.delete(peerId);
    this.#rotate();
    this.#host.statusChanged?.();
  }

  /**
   * The identity key `peerId` published with `e2ee.publishKey` (base64), or undefined if none yet.
   * With `requirePublishedKey`, held handshake messages are processed now; a pair made with
   * another identity key is dropped (refused `IDENTITY_MISMATCH`) and the handshake starts again.
   */
  setPublishedKey(peerId: string, identityKey: string | undefined): void {
    if (peerId === this.#o.selfId) return;
    if (identityKey === undefined) {
      this.#published.delete(peerId);
      return;
    }
    if (this.#published.get(peerId) === identityKey) return;
    this.#published.set(peerId, identityKey);
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    if (peer.secrets && toBase64(peer.secrets.peerIdentityKey) !== identityKey) {
      this.#refuse(peerId, 'IDENTITY_MISMATCH');
      this.#resetPair(peerId, peer);
      return;
    }
    const held = peer.held ?? [];
    peer.held = undefined;
    for (const m of held) this.receive(peerId, m.type, m.payload);
  }

  /** Key state without key material: what the session shows as "encrypted" or "waiting for keys". */
  status(): AgreementStatus {
    const peers: PeerKeyStatus[] = [];
    for (const [id, p] of this.#peers) {
      const ring = this.receivers.get(id);
      peers.push({
        peer: id,
        paired: p.secrets !== undefined,
        keyed: ring?.hasKey ?? false,
        generation: ring?.newestGeneration ?? -1,
        decryptedInEpoch: ring?.decryptedInEpoch ?? false,
        graceOpened: ring?.graceOpened ?? 0,
        ...(p.secrets ? { fingerprint: identityFingerprint(p.secrets.peerIdentityKey) } : {}),
        awaitingPublishedKey: (p.held?.length ?? 0) > 0,
      });
    }
    return {
      localKeyed: this.sender.hasKey,
      generation: this.sender.position?.generation ?? -1,
      peers,
      refused: Object.fromEntries(this.#refusals),
    };
  }

  /**
   * Frames of `peerId` arrive under a key we do not hold (E2EE.md §6: "after ~1 s without it send
   * KEY_REQUEST"): ask the peer for its current key over the control channel; if the pair never
   * completed (a handshake message was lost while someone reconnected), start the handshake again.
   */
  requestKey(peerId: string): void {
    const peer = this.#peers.get(peerId);
    if (!peer) return;
    if (peer.channel) {
      this.#send(peerId, peer, { t: 'keyRequest' });
    } else if (this.#host.now() - peer.startedAt >= HANDSHAKE_RETRY_MS) {
      this.#peers.delete(peerId);
      this.addPeer(peerId);
    }
  }

  /** Handles a relayed message from `from`. Never throws; refusals are reported. */
  receive(from: string, type: RelayType, payload: string): void {
    let peer = this.#peers.get(from);
    if (!peer) {
      // A peer that commits before we saw it join: accept it as joining.
      if (type !== 'commit' || from === this.#o.selfId) return this.#refuse(from, 'UNKNOWN_PEER');
      this.addPeer(from);
      const added = this.#peers.get(from);
      if (!added) return this.#refuse(from, 'UNKNOWN_PEER');
      return this.receive(from, type, payload);
    }
    if (this.#o.requirePublishedKey && !this.#published.has(from)) {
      // Its published identity key has not reached us yet (it comes with the participant's info).
      peer.held = [...(peer.held ?? []), { type, payload }].slice(-MAX_HELD);
      return;
    }
    try {
      if (type === 'commit') {
        const commit = decodeCommit(payload);
        const published = this.#published.get(from);
        if (published !== undefined && toBase64(commit.identityKey) !== published) throw new HandshakeError('IDENTITY_MISMATCH');
        if (peer.gotCommit) {
          // The peer started over (page reload, new device worker): forget the pair, handshake again.
          this.#resetPair(from, peer);
          peer = this.#peers.get(from)!;
        }
        const reveal = peer.handshake.onCommit(commit);
        peer.gotCommit = true;
        if (reveal) this.#relay(from, 'reveal', after(reveal, encodeReveal));
      } else if (type === 'reveal') {
        const secrets = peer.handshake.onReveal(decodeReveal(payload));
        peer.secrets = secrets;
        peer.channel = new ControlChannel(secrets.sendKey, secrets.recvKey);
        this.#host.sasReady(from, secrets.sas, secrets.peerRole, secrets.peerIdentityKey.slice());
        this.#sendKeyTo(from, peer, true);
        this.#host.statusChanged?.();
      } else if (type === 'sealed') {
        this.#onControl(from, peer, payload);
      }
    } catch (e) {
      this.#refuse(from, e instanceof HandshakeError ? e.reason : 'MALFORMED');
    }
  }

  #refuse(peer: string, reason: HandshakeFailure | 'UNKNOWN_PEER' | 'SEALED_REJECTED' | 'SIGN_FAILED'): void {
    this.#refusals.set(reason, (this.#refusals.get(reason) ?? 0) + 1);
    this.#host.refused(peer, reason);
  }

  /** Forgets a pair (its channel and the peer's keys) and starts the handshake again. */
  #resetPair(peerId: string, peer: Peer): void {
    this.#forget(peerId, peer);
    this.addPeer(peerId);
    this.#host.statusChanged?.();
  }

  /** Drops a pair: its control channel and the peer's media keys. */
  #forget(peerId: string, peer: Peer): void {
    peer.channel?.destroy();
    this.#peers.delete(peerId);
    this.receivers.get(peerId)?.destroy();
    this.receivers.delete(peerId);
  }

  /** Wipes every key. */
  destroy(): void {
    if (this.#pending) this.#host.clearTimeout(this.#pending.timer);
    if (this.#ratchetTimer !== undefined) this.#host.clearTimeout(this.#ratchetTimer);
    this.sender.destroy();
    for (const r of this.receivers.values()) r.destroy();
    for (const p of this.#peers.values()) p.channel?.destroy();
    this.#base?.key.fill(0);
    this.#base = undefined;
  }

  #send(to: string, peer: Peer, message: Control): void {
    if (!peer.channel) return;
    this.#relay(to, 'sealed', toBase64(peer.channel.seal(enc.encode(JSON.stringify(message)))));
  }

  /** Sends our current key to a newly keyed peer; on a join, ratchet first so it cannot read the past. */
  #sendKeyTo(to: string, peer: Peer, joining: boolean): void {
    if (!this.#base) this.start();
    const others = [...this.#peers.entries()].some(([id, p]) => id !== to && p.sent);
    if (joining && others) {
      const r = this.sender.ratchet();
      this.#base!.key.fill(0);
      this.#base = { g: r.generation, s: r.step, key: r.base };
      this.#host.senderKeyChanged?.();
    }
    const b = this.#base!;
    peer.sent = { g: b.g, s: b.s };
    this.#send(to, peer, { t: 'key', g: b.g, s: b.s, k: toBase64(b.key) });
  }

  #onControl(from: string, peer: Peer, payload: string): void {
    const bytes = fromBase64(payload);
    const plain = bytes && peer.channel?.open(bytes);
    if (!plain) return this.#refuse(from, 'SEALED_REJECTED');
    const m = JSON.parse(dec.decode(plain)) as Control;
    if (m.t === 'key') {
      const key = fromBase64(m.k);
      if (key?.length !== 32 || !Number.isInteger(m.g) || !Number.isInteger(m.s) || m.g < 0 || m.s < 0) {
        return this.#refuse(from, 'MALFORMED');
      }
      let ring = this.receivers.get(from);
      if (!ring) {
        ring = new ReceiverKeyRing(E2EE_SUITES.AES_128_GCM, () => this.#host.now());
        ring.onEpochOpened((_g, previous) => {
          if (previous >= 0) this.#host.peerKeySwitched?.(from);
          this.#host.statusChanged?.();
        });
        this.receivers.set(from, ring);
      }
      ring.setKey(m.g, m.s, key);
      key.fill(0);
      this.#send(from, peer, { t: 'ack', g: m.g, s: m.s });
      this.#host.peerKeyed(from);
      this.#host.statusChanged?.();
    } else if (m.t === 'ack') {
      const p = this.#pending;
      if (p && m.g === p.g) {
        p.waiting.delete(from);
        if (p.waiting.size === 0) this.#switch();
      }
    } else if (m.t === 'keyRequest') {
      if (peer.sent) this.#sendKeyTo(from, peer, false);
    }
  }

  /** Leave: a fresh generation to every remaining keyed peer; switch on all acks or after the wait. */
  #rotate(): void {
    if (!this.#base) return;
    if (this.#pending) {
      // Coalesce: the pending key is also unknown to whoever just left.
      for (const id of [...this.#pending.waiting]) if (!this.#peers.has(id)) this.#pending.waiting.delete(id);
      if (this.#pending.waiting.size === 0) this.#switch();
      return;
    }
    const g = Math.max(this.#base.g, this.sender.position?.generation ?? 0) + 1;
    const key = this.#random(32);
    const waiting = new Set<string>();
    for (const [id, peer] of this.#peers) {
      if (!peer.channel) continue;
      waiting.add(id);
      peer.sent = { g, s: 0 };
      this.#send(id, peer, { t: 'key', g, s: 0, k: toBase64(key) });
    }
    const timer = this.#host.setTimeout(() => this.#switch(), this.#o.rotationWaitMs ?? 2000);
    this.#pending = { g, key, waiting, timer };
    if (waiting.size === 0) this.#switch();
  }

  #switch(): void {
    const p = this.#pending;
    if (!p) return;
    this.#host.clearTimeout(p.timer);
    this.#pending = undefined;
    this.sender.setKey(p.g, p.key);
    this.#base?.key.fill(0);
    this.#base = { g: p.g, s: 0, key: p.key };
    this.#host.senderKeyChanged?.();
    this.#host.statusChanged?.();
  }
}
