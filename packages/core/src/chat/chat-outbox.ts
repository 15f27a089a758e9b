import type { Platform } from '../platform/platform.js';
import { AlcoveError, ConnectionError } from '../session/errors.js';
import { encodeChatPayload } from './chat-codec.js';
import type { ChatMessage, SendChatOptions } from './types.js';

/** Largest payload `chat.send` accepts (protocol: 16 KiB string). */
const MAX_PAYLOAD_CHARS = 16_384;

/** How the outbox sends one message (the session's current signalling connection). */
export type ChatTransport = (data: { id: string; seq: number; payload: string; to?: string[] }) => Promise<{ id: string; at: number }>;

interface Entry {
  readonly id: string;
  readonly seq: number;
  readonly text: string;
  readonly payload: string;
  readonly to?: string[];
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

  /** Queues `text`; resolves once the server acknowledged it. */
  send(text: string, options: SendChatOptions = {}): Promise<ChatMessage> {
    if (this.#closed) return Promise.reject(new ConnectionError('ABORTED', 'chat closed'));
    const payload = encodeChatPayload(text);
    // Refuse what the server would refuse before it takes a sequence number (a refused number
    // would leave a gap that receivers wait out).
    if (payload.length > MAX_PAYLOAD_CHARS) return Promise.reject(new AlcoveError('INVALID_ARGUMENT', 'message too long'));
    const seq = ++this.#seq;
    // `<epoch>-<seq>-<random>`: the epoch names this sender instance's sequence, so a receiver
    // keeps per-sender order even if the same participant comes back from a reloaded page.
    let rnd = '';
    for (const b of this.#o.platform.randomBytes(6)) rnd += b.toString(16).padStart(2, '0');
    const id = `${this.#epoch}-${seq.toString(36)}-${rnd}`;
    return new Promise<ChatMessage>((resolve, reject) => {
      this.#queue.push({
        id,
        seq,
        text,
        payload,
        ...(options.to ? { to: [...options.to] } : {}),
        inFlight: false,
        gen: 0,
        resolve,
        reject,
      });
      this.#pump();
    });
  }

  /** The connection is usable: (re)send everything not acknowledged, in order. */
  resume(): void {
    if (this.#closed) return;
    this.#online = true;
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
    const left = this.#queue.splice(0);
    for (const e of left) e.reject(new ConnectionError('ABORTED', 'session closed before the message was acknowledged'));
  }

  #pump(): void {
    if (!this.#online || this.#closed) return;
    const windowSize = this.#o.window ?? 8;
    let inFlight = this.#queue.filter((e) => e.inFlight).length;
    for (const e of this.#queue) {
      if (inFlight >= windowSize) break;
      if (e.inFlight) continue;
      e.inFlight = true;
      e.gen = this.#gen;
      inFlight++;
      this.#o
        .send({ id: e.id, seq: e.seq, payload: e.payload, ...(e.to ? { to: e.to } : {}) })
        .then((ack) => this.#acked(e, ack.at))
        .catch((err: unknown) => this.#failed(e, err));
    }
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
