import type { Platform } from '../platform/platform.js';
import { AlcoveError, ConnectionError } from '../session/errors.js';
import { type ChatContent, encodeContent, MAX_CONTENT_BYTES } from './chat-seal.js';
import type { ChatMessage, SendChatOptions } from './types.js';

/** A sealed message as `chat.send` carries it: one body, the message key wrapped per recipient. */
export interface SealedChat {
  readonly body: string;
  readonly keys: readonly { readonly to: string; readonly key: string }[];
}

/** How the outbox sends one message (the session's current signalling connection). */
export type ChatTransport = (data: { id: string; seq: number } & SealedChat) => Promise<{ id: string; at: number }>;

/** Who can receive, and the sealing, as the outbox sees them (the session's pair channels). */
export interface ChatSealer {
  /** The peers admitted now; undefined before this participant is admitted (not known yet). */
  peers(): readonly string[] | undefined;
  /** Whether a message can be wrapped for `peer` now (its pair channel is confirmed). */
  ready(peer: string): boolean;
  /** Seals `content` for `recipients` (each ready). A fresh message key per call. */
  seal(content: ChatContent, recipients: readonly string[]): SealedChat;
}

interface Entry {
  readonly id: string;
  readonly seq: number;
  readonly text: string;
  readonly to?: string[];
  /**
   * Who was admitted (and chosen) when the message was written, or when first sent if written
   * before admission: nobody who joins later gets it.
   */
  recipients: readonly string[] | undefined;
  readonly createdAt: number;
  inFlight: boolean;
  /** Connection generation the message was last sent on. */
  gen: number;
  readonly resolve: (m: ChatMessage) => void;
  readonly reject: (e: Error) => void;
}

/** Options of {@link ChatOutbox}. */
export interface ChatOutboxOptions {
  readonly platform: Platform;
  readonly send: ChatTransport;
  readonly sealer: ChatSealer;
  /**
   * How long a message waits for the pair channel of a recipient that is still being set up, ms,
   * counted from when it was written or the connection came back; then it goes to the recipients
   * that are ready (the others never get it). Default 10 000.
   */
  readonly channelWaitMs?: number;
  /** A message went out without some recipients whose pair channel was not ready in time. */
  readonly onSkipped?: (id: string, peers: readonly string[]) => void;
  /** The local participant id (known after join). */
  readonly selfId: () => string;
  /** Messages in flight at once (flow control, keeps under server rate limits). Default 8. */
  readonly window?: number;
  readonly onAcked?: (m: ChatMessage) => void;
}

const isConnectionFailure = (e: unknown): boolean =>
  e instanceof ConnectionError ||
  (e instanceof AlcoveError &&
    (e.code === 'REQUEST_TIMEOUT' || e.code === 'ABORTED' || e.code === 'RATE_LIMITED' || e.code === 'SHUTTING_DOWN'));

/**
 * The sender side of chat: client-generated ids and sequence numbers, a window of messages in
 * flight, a queue kept while disconnected and re-sent in order after resume. A message leaves the
 * queue only when the server acknowledges it (the server acknowledges a re-sent id once and
 * delivers it once; receivers de-duplicate anyway).
 */
export class ChatOutbox {
  readonly #o: ChatOutboxOptions;
  readonly #queue: Entry[] = [];
  #seq = 0;
  #online = false;
  #closed = false;
  #gen = 0;
  #resumedAt = 0;
  #waitTimer: unknown;

  readonly #epoch: string;

  constructor(options: ChatOutboxOptions) {
    this.#o = options;
    let e = '';
    for (const b of options.platform.randomBytes(6)) e += b.toString(16).padStart(2, '0');
    this.#epoch = e;
  }

  /** Messages not yet acknowledged. */
  get pending(): number {
    return this.#queue.length;
  }

  /**
   * Queues `text` for the peers admitted now (or those of them in `options.to`); resolves once the
   * server acknowledged it. Rejects with `PAYLOAD_TOO_LARGE` when the sealed message would exceed
   * the per-recipient limit, before it takes a sequence number.
   */
  send(text: string, options: SendChatOptions = {}): Promise<ChatMessage> {
    if (this.#closed) return Promise.reject(new ConnectionError('ABORTED', 'chat closed'));
    // `<epoch>-<seq>-<random>`: the epoch names this sender instance's sequence, so a receiver
    // keeps per-sender order even if the same participant comes back from a reloaded page.
    const seq = this.#seq + 1;
    let rnd = '';
    for (const b of this.#o.platform.randomBytes(6)) rnd += b.toString(16).padStart(2, '0');
    const id = `${this.#epoch}-${seq.toString(36)}-${rnd}`;
    const to = options.to ? [...options.to] : undefined;
    // Refuse what the server would refuse before it takes a sequence number (a refused number
    // would leave a gap that receivers wait out). The text itself is never in the error.
    const size = encodeContent({ id, seq, text, ...(to ? { to } : {}) }).length;
    if (size > MAX_CONTENT_BYTES) {
      return Promise.reject(
        new AlcoveError('PAYLOAD_TOO_LARGE', `a chat message holds at most ${MAX_CONTENT_BYTES} bytes once encoded (this one: ${size})`),
      );
    }
    this.#seq = seq;
    const recipients = this.#recipients(to);
    return new Promise<ChatMessage>((resolve, reject) => {
      this.#queue.push({
        id,
        seq,
        text,
        ...(to ? { to } : {}),
        recipients,
        createdAt: this.#o.platform.timers.now(),
        inFlight: false,
        gen: 0,
        resolve,
        reject,
      });
      this.#pump();
    });
  }

  #recipients(to: readonly string[] | undefined): readonly string[] | undefined {
    const chosen = to ? new Set(to) : undefined;
    return this.#o.sealer.peers()?.filter((p) => !chosen || chosen.has(p));
  }

  /** A pair channel became ready (or the roster changed): send what waited for it. */
  kick(): void {
    this.#pump();
  }

  /** The connection is usable: (re)send everything not acknowledged, in order. */
  resume(): void {
    if (this.#closed) return;
    this.#online = true;
    this.#resumedAt = this.#o.platform.timers.now();
    this.#gen++;
    for (const e of this.#queue) e.inFlight = false;
    this.#pump();
  }

  /** The connection is gone: keep the queue, stop sending. */
  suspend(): void {
    this.#online = false;
  }

  /** Rejects everything still queued. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#online = false;
    this.#clearWait();
    const left = this.#queue.splice(0);
    for (const e of left) e.reject(new ConnectionError('ABORTED', 'session closed before the message was acknowledged'));
  }

  #pump(): void {
    if (!this.#online || this.#closed) return;
    this.#clearWait();
    const windowSize = this.#o.window ?? 8;
    const { sealer } = this.#o;
    const now = this.#o.platform.timers.now();
    let inFlight = this.#queue.filter((e) => e.inFlight).length;
    let current: Set<string> | undefined;
    for (const e of [...this.#queue]) {
      if (inFlight >= windowSize) break;
      if (e.inFlight) continue;
      e.recipients ??= this.#recipients(e.to);
      const all = sealer.peers();
      if (!e.recipients || !all) break;
      current ??= new Set(all);
      // Sealed afresh on every attempt, for the recipients still here: someone removed meanwhile
      // never gets a key for it.
      const present = e.recipients.filter((p) => current?.has(p));
      const waiting = present.filter((p) => !sealer.ready(p));
      const deadline = Math.max(e.createdAt, this.#resumedAt) + (this.#o.channelWaitMs ?? 10_000);
      if (waiting.length > 0 && now < deadline) {
        // In order: nothing after this message goes before it.
        this.#waitTimer = this.#o.platform.timers.setTimeout(() => {
          this.#waitTimer = undefined;
          this.#pump();
        }, deadline - now);
        break;
      }
      if (waiting.length > 0) this.#o.onSkipped?.(e.id, waiting);
      let sealed: SealedChat;
      try {
        sealed = sealer.seal(
          { id: e.id, seq: e.seq, text: e.text, ...(e.to ? { to: e.to } : {}) },
          present.filter((p) => sealer.ready(p)),
        );
      } catch (err) {
        this.#queue.splice(this.#queue.indexOf(e), 1);
        e.reject(err instanceof Error ? err : new Error(String(err)));
        continue;
      }
      e.inFlight = true;
      e.gen = this.#gen;
      inFlight++;
      this.#o
        .send({ id: e.id, seq: e.seq, body: sealed.body, keys: sealed.keys })
        .then((ack) => this.#acked(e, ack.at))
        .catch((err: unknown) => this.#failed(e, err));
    }
  }

  #clearWait(): void {
    if (this.#waitTimer !== undefined) this.#o.platform.timers.clearTimeout(this.#waitTimer);
    this.#waitTimer = undefined;
  }

  #acked(e: Entry, at: number): void {
    const i = this.#queue.indexOf(e);
    if (i < 0) return;
    this.#queue.splice(i, 1);
    const message: ChatMessage = { id: e.id, from: this.#o.selfId(), seq: e.seq, at, text: e.text, ...(e.to ? { to: e.to } : {}) };
    this.#o.onAcked?.(message);
    e.resolve(message);
    this.#pump();
  }

  #failed(e: Entry, err: unknown): void {
    if (!this.#queue.includes(e)) return;
    if (isConnectionFailure(err)) {
      if (e.gen !== this.#gen) return; // a stale failure from an older connection
      // Stays queued; re-sent after resume (the send that failed may still have reached the server).
      e.inFlight = false;
      if (err instanceof AlcoveError && (err.code === 'REQUEST_TIMEOUT' || err.code === 'RATE_LIMITED') && this.#online) {
        this.#o.platform.timers.setTimeout(() => this.#pump(), 500);
      }
      return;
    }
    this.#queue.splice(this.#queue.indexOf(e), 1);
    e.reject(err instanceof Error ? err : new Error(String(err)));
    this.#pump();
  }
}
