import type { NotificationData } from '@alcove/protocol';
import { fromBase64, toBase64 } from '../e2ee/encoding.js';
import { type IdentitySigner, identitySigner } from '../e2ee/identity-signer.js';
import type { DeviceKey } from '../e2ee/identity-store.js';
import type { ChatSessionHost, SessionChatLike } from '../session/chat-plugin.js';
import { ChatChannels } from './chat-channels.js';
import { ChatInbox } from './chat-inbox.js';
import { ChatOutbox, type SealedChat } from './chat-outbox.js';
import { bodyHash, type ChatContent, decodeContent, encodeContent, openBody, sealBody } from './chat-seal.js';
import type { ChatMessage, SendChatOptions } from './types.js';

/** Pair-channel refusals that happen in ordinary races (repaired by the retry), not attacks. */
const QUIET_REFUSALS = new Set(['OUT_OF_ORDER', 'COMMITMENT_MISMATCH', 'UNKNOWN_PEER', 'SEALED_REJECTED']);

/** What {@link SessionChat} needs from the session (the chat plug-in's host). */
export type SessionChatHost = ChatSessionHost;

/**
 * Sealed chat for one session: pair channels with every admitted peer, an outbox that seals each
 * message under a fresh message key wrapped for each recipient admitted when it was written, and an
 * inbox that opens, authenticates and orders what arrives. The server relays opaque bytes.
 * Internal: `Session.sendChat` and the `chatMessage` event are the API; `chatSupport()` plugs it in.
 */
export class SessionChat implements SessionChatLike {
  readonly #host: SessionChatHost;
  readonly #deviceKey: () => DeviceKey | undefined;
  #identity: IdentitySigner | undefined;
  readonly #outbox: ChatOutbox;
  readonly #inbox: ChatInbox;
  /** Admitted peers and the identity key the server published for each, when known. */
  readonly #peers = new Map<string, string | undefined>();
  #channels: ChatChannels | undefined;
  /** Pair messages that arrived before chat started (a peer quicker than our own admission). */
  readonly #early: NotificationData<'chat.control'>[] = [];
  #self = { sessionId: '', participantId: '' };
  #closed = false;

  /**
   * `identity`: the device identity, read when chat starts (after join, once the identity store
   * answered); the pair handshakes are signed with it, as media's are (a fresh one for this page
   * if there is none).
   */
  constructor(host: SessionChatHost, identity: () => DeviceKey | undefined) {
    this.#host = host;
    this.#deviceKey = identity;
    const platform = host.platform;
    this.#outbox = new ChatOutbox({
      platform,
      selfId: host.selfId,
      send: (d) => host.request('chat.send', { id: d.id, seq: d.seq, body: d.body, keys: d.keys.map((k) => ({ to: k.to, key: k.key })) }),
      sealer: {
        peers: () => (this.#channels ? [...this.#peers.keys()] : undefined),
        ready: (peer) => this.#channels?.isReady(peer) ?? false,
        seal: (content, recipients) => this.#seal(content, recipients),
      },
      ...(host.channelWaitMs !== undefined ? { channelWaitMs: host.channelWaitMs } : {}),
      onAcked: (m) => host.acked(m),
      // Counted and logged at debug (ids only): a recipient whose pair was not ready in time.
      onSkipped: (_id, peers) => host.swallowed('chat.skipped', new Error(`sent without ${peers.length} recipient(s) not ready in time`)),
    });
    this.#inbox = new ChatInbox({ deliver: (m) => host.message(m), timers: platform.timers });
  }

  /** Messages not yet acknowledged. */
  get pending(): number {
    return this.#outbox.pending;
  }

  /** Peers whose pair channel is ready (for tests and diagnostics). */
  get readyPeers(): readonly string[] {
    return [...this.#peers.keys()].filter((p) => this.#channels?.isReady(p));
  }

  /**
   * Admitted (after join, resume or admission): pair with every peer. The same session and
   * participant keep their pairs (a resume); another starts over.
   */
  start(sessionId: string, participantId: string, role: string): void {
    if (this.#closed) return;
    if (this.#channels && this.#self.sessionId === sessionId && this.#self.participantId === participantId) return;
    this.#channels?.close();
    this.#self = { sessionId, participantId };
    if (!this.#identity) {
      const key = this.#deviceKey();
      this.#identity = identitySigner(key);
    }
    this.#channels = new ChatChannels(
      {
        sessionId,
        selfId: participantId,
        role,
        identity: this.#identity,
        timers: this.#host.platform.timers,
        randomBytes: (n) => this.#host.platform.randomBytes(n),
        ...(this.#host.retryMs !== undefined ? { retryMs: this.#host.retryMs } : {}),
      },
      {
        // A relay lost to a reconnect is repaired by the pair's retry.
        relay: (to, type, payload) =>
          void this.#host.request('chat.relay', { to, type, payload }).catch((e: unknown) => this.#host.swallowed('chat.relay', e)),
        ready: () => this.#outbox.kick(),
        refused: (peer, reason) => this.#refused(peer, reason),
      },
    );
    for (const [id, key] of this.#peers) this.#channels.add(id, key);
    for (const d of this.#early.splice(0)) this.#channels.receive(d.from, d.type, d.payload);
  }

  /** A peer is admitted, or its published identity key changed. */
  peer(id: string, identityKey?: string): void {
    if (this.#closed || id === this.#self.participantId) return;
    this.#peers.set(id, identityKey ?? this.#peers.get(id));
    this.#channels?.add(id, identityKey);
  }

  /** A peer left or was removed: nothing more is sealed for it, its pair keys are wiped. */
  peerLeft(id: string): void {
    this.#peers.delete(id);
    this.#channels?.remove(id);
    this.#inbox.forget(id);
    this.#outbox.kick();
  }

  /** `chat.control`. */
  control(d: NotificationData<'chat.control'>): void {
    if (this.#channels) this.#channels.receive(d.from, d.type, d.payload);
    else if (!this.#closed && this.#early.length < 64) this.#early.push(d);
  }

  /** `chat.message`: opened, checked and handed to the inbox; refused when anything does not match. */
  message(d: NotificationData<'chat.message'>): void {
    const wrapped = fromBase64(d.key);
    const body = fromBase64(d.body);
    const k = wrapped && body ? this.#channels?.unwrap(d.from, wrapped) : undefined;
    if (!k || !body) return this.#host.problem(d.from, 'CHAT_UNREADABLE');
    const plain = openBody(body, k.key, k.hash);
    k.key.fill(0);
    if (!plain) return this.#host.problem(d.from, 'CHAT_UNREADABLE');
    const c = decodeContent(plain);
    plain.fill(0);
    // The sealed id and sequence number are the ones trusted; the server's copy must agree.
    if (!c || c.id !== d.id || c.seq !== d.seq) return this.#host.problem(d.from, 'CHAT_MALFORMED');
    this.#inbox.receive({ id: c.id, from: d.from, seq: c.seq, at: d.at, text: c.text, ...(c.to ? { to: c.to } : {}) });
  }

  /** See `Session.sendChat`. */
  send(text: string, options?: SendChatOptions): Promise<ChatMessage> {
    return this.#outbox.send(text, options);
  }

  /** The connection is usable: re-send what is not acknowledged. */
  resume(): void {
    this.#outbox.resume();
  }

  /** The connection is gone: keep the queue. */
  suspend(): void {
    this.#outbox.suspend();
  }

  /** Rejects what is queued and wipes every key. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#outbox.close();
    this.#inbox.close();
    this.#channels?.close();
    this.#channels = undefined;
    this.#identity = undefined;
  }

  /**
   * Handshake messages that cross (both sides restarting, a stale reveal or confirmation) are
   * repaired by the pair's retry: counted, not shown. A wrong signature or identity is reported.
   */
  #refused(peer: string, reason: string): void {
    if (QUIET_REFUSALS.has(reason)) this.#host.swallowed('chat.pair', new Error(`chat pair message refused: ${reason}`));
    else this.#host.problem(peer, reason);
  }

  #seal(content: ChatContent, recipients: readonly string[]): SealedChat {
    const encoded = encodeContent(content);
    const { body, key } = sealBody(encoded, (n) => this.#host.platform.randomBytes(n));
    encoded.fill(0);
    const hash = bodyHash(body);
    const keys: { to: string; key: string }[] = [];
    for (const to of recipients) {
      const w = this.#channels?.wrap(to, key, hash);
      if (w) keys.push({ to, key: toBase64(w) });
    }
    key.fill(0);
    return { body: toBase64(body), keys };
  }
}
