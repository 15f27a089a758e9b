import type { ChatMessage } from './types.js';

/** One received `chat.message`, opened: id and seq are the sealed (authenticated) ones. */
export interface InboundChat {
  readonly id: string;
  readonly from: string;
  readonly seq: number;
  readonly at: number;
  readonly text: string;
  readonly to?: readonly string[];
}

interface SenderState {
  /** Next sequence number to deliver; undefined until the first message fixes the baseline. */
  next: number | undefined;
  readonly held: Map<number, InboundChat>;
  readonly seenIds: Set<string>;
  /** Gap timer while messages are held. */
  timer: unknown;
}

/** Options of {@link ChatInbox}. */
export interface ChatInboxOptions {
  readonly deliver: (m: ChatMessage) => void;
  /** Most out-of-order messages held per sender before the gap is skipped. Default 256. */
  readonly maxHeld?: number;
  /** Ids remembered per sender for de-duplication. Default 4096. */
  readonly maxIds?: number;
  /**
   * A gap that does not fill within this many ms is skipped (the missing message was refused by
   * the server or is lost for good). Default 15 000. Needs `timers`.
   */
  readonly gapTimeoutMs?: number;
  readonly timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(h: unknown): void };
}

/**
 * The receiver side of chat: delivers each message exactly once, in per-sender `seq` order.
 * Duplicates (same id, or a `seq` already delivered) are dropped; a message that arrives early is
 * held until the gap before it fills. The first message from a sender fixes its baseline (a late
 * joiner does not wait for what was said before it came in).
 */
export class ChatInbox {
  readonly #o: ChatInboxOptions;
  readonly #senders = new Map<string, SenderState>();

  constructor(options: ChatInboxOptions) {
    this.#o = options;
  }

  /** Messages held back waiting for a gap to fill (all senders). */
  get held(): number {
    let n = 0;
    for (const s of this.#senders.values()) n += s.held.size;
    return n;
  }

  /** Handles one received message. */
  receive(m: InboundChat): void {
    // A sender's stream is (participant, epoch): the epoch prefixes the client-generated id.
    const dash = m.id.indexOf('-');
    const key = `${m.from}/${dash > 0 ? m.id.slice(0, dash) : ''}`;
    let s = this.#senders.get(key);
    if (!s) {
      s = { next: undefined, held: new Map(), seenIds: new Set(), timer: undefined };
      this.#senders.set(key, s);
    }
    if (s.seenIds.has(m.id)) return;
    if (s.next === undefined) s.next = m.seq;
    if (m.seq < s.next || s.held.has(m.seq)) return;
    s.held.set(m.seq, m);
    this.#flush(s);
    if (s.held.size > (this.#o.maxHeld ?? 256)) this.#skipGap(s);
    this.#armGapTimer(s);
  }

  /** Clears every gap timer. Idempotent. */
  close(): void {
    for (const s of this.#senders.values()) this.#clearTimer(s);
  }

  /** A gap that never fills (lost for good): skip to the lowest held message. */
  #skipGap(s: SenderState): void {
    if (s.held.size === 0) return;
    s.next = Math.min(...s.held.keys());
    this.#flush(s);
  }

  #armGapTimer(s: SenderState): void {
    const timers = this.#o.timers;
    if (!timers) return;
    if (s.held.size === 0) {
      this.#clearTimer(s);
      return;
    }
    if (s.timer !== undefined) return;
    s.timer = timers.setTimeout(() => {
      s.timer = undefined;
      this.#skipGap(s);
      this.#armGapTimer(s);
    }, this.#o.gapTimeoutMs ?? 15_000);
  }

  #clearTimer(s: SenderState): void {
    if (s.timer !== undefined) this.#o.timers?.clearTimeout(s.timer);
    s.timer = undefined;
  }

  /** Forgets a sender (it left for good). */
  forget(participantId: string): void {
    for (const [key, s] of [...this.#senders]) {
      if (!key.startsWith(`${participantId}/`)) continue;
      this.#clearTimer(s);
      this.#senders.delete(key);
    }
  }

  #flush(s: SenderState): void {
    for (;;) {
      const next = s.next;
      if (next === undefined) return;
      const m = s.held.get(next);
      if (!m) return;
      s.held.delete(next);
      s.next = next + 1;
      this.#remember(s, m.id);
      this.#o.deliver({ id: m.id, from: m.from, seq: m.seq, at: m.at, text: m.text, ...(m.to ? { to: m.to } : {}) });
    }
  }

  #remember(s: SenderState, id: string): void {
    s.seenIds.add(id);
    if (s.seenIds.size > (this.#o.maxIds ?? 4096)) {
      const first = s.seenIds.values().next().value;
      if (first !== undefined) s.seenIds.delete(first);
    }
  }
}
