/**
 * Resume tickets (ARCHITECTURE §5, §7): an opaque, single-session, single-use secret issued on
 * admission; the only way to reattach after a drop.
 * @packageDocumentation
 */
import { createHash, randomBytes } from 'node:crypto';

/** Random bytes in a ticket (192 bits; the requirement is ≥ 128). */
export const TICKET_BYTES = 24;
const TICKET_RE = /^[A-Za-z0-9_-]{22,128}$/;

/** Options of {@link ResumeTicketStore}. */
export interface ResumeTicketStoreOptions {
  /** How long a ticket stays redeemable after issue, ms. Default 4 h. */
  readonly ttlMs?: number;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Upper bound on live tickets; the oldest is dropped beyond it. Default 100 000. */
  readonly maxTickets?: number;
}

/** Who a ticket reattaches. */
export interface TicketHolder {
  readonly sessionId: string;
  readonly participantId: string;
}

interface Entry extends TicketHolder {
  readonly expiresAt: number;
}

const digest = (ticket: string): string => createHash('sha256').update(ticket).digest('base64url');

/**
 * In-memory store of resume tickets. Tickets are kept only as SHA-256 digests. One live ticket per
 * participant: issuing a new one revokes the previous. {@link ResumeTicketStore.redeem} consumes the
 * ticket; after a successful resume the server issues a fresh one. Tickets do not survive a restart
 * (the client then rejoins with its token and admission runs again).
 * @example
 * ```ts
 * const tickets = new ResumeTicketStore();
 * const t = tickets.issue(sessionId, participantId); // send in session.join's result
 * tickets.redeem(t); // → { sessionId, participantId } once, then undefined
 * ```
 */
export class ResumeTicketStore {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #max: number;
  /** digest → entry (insertion-ordered, so the first key is the oldest). */
  readonly #byDigest = new Map<string, Entry>();
  /** `${sid}\n${pid}` → digest of that participant's live ticket. */
  readonly #byParticipant = new Map<string, string>();

  constructor(options: ResumeTicketStoreOptions = {}) {
    this.#ttlMs = options.ttlMs ?? 4 * 60 * 60 * 1000;
    this.#now = options.now ?? Date.now;
    this.#max = options.maxTickets ?? 100_000;
  }

  /** Live tickets held. */
  get size(): number {
    return this.#byDigest.size;
  }

  /** Issues a ticket (base64url, 192 random bits) for this participant, revoking its previous one. */
  issue(sessionId: string, participantId: string): string {
    this.revokeParticipant(sessionId, participantId);
    const ticket = randomBytes(TICKET_BYTES).toString('base64url');
    const d = digest(ticket);
    this.#byDigest.set(d, { sessionId, participantId, expiresAt: this.#now() + this.#ttlMs });
    this.#byParticipant.set(`${sessionId}\n${participantId}`, d);
    while (this.#byDigest.size > this.#max) {
      const oldest = this.#byDigest.keys().next().value as string;
      this.#drop(oldest);
    }
    return ticket;
  }

  /** Consumes a ticket: its holder, or `undefined` for an unknown, used, revoked or expired ticket. */
  redeem(ticket: string): TicketHolder | undefined {
    if (typeof ticket !== 'string' || !TICKET_RE.test(ticket)) return undefined;
    const d = digest(ticket);
    const entry = this.#byDigest.get(d);
    if (!entry) return undefined;
    this.#drop(d);
    if (entry.expiresAt <= this.#now()) return undefined;
    return { sessionId: entry.sessionId, participantId: entry.participantId };
  }

  /**
   * The holder of a live ticket without consuming it (`undefined` for an unknown, revoked or expired
   * ticket). The server looks before it decides whether a resume may take over.
   */
  peek(ticket: string): TicketHolder | undefined {
    if (typeof ticket !== 'string' || !TICKET_RE.test(ticket)) return undefined;
    const entry = this.#byDigest.get(digest(ticket));
    if (!entry || entry.expiresAt <= this.#now()) return undefined;
    return { sessionId: entry.sessionId, participantId: entry.participantId };
  }

  /** Revokes this participant's ticket (removal, denial, leave). */
  revokeParticipant(sessionId: string, participantId: string): void {
    const d = this.#byParticipant.get(`${sessionId}\n${participantId}`);
    if (d) this.#drop(d);
  }

  /** Revokes every ticket of a session (session ended). */
  revokeSession(sessionId: string): void {
    for (const [d, e] of [...this.#byDigest]) if (e.sessionId === sessionId) this.#drop(d);
  }

  /** Drops expired tickets (call now and then; `redeem` also checks expiry). */
  sweep(): void {
    const t = this.#now();
    for (const [d, e] of [...this.#byDigest]) if (e.expiresAt <= t) this.#drop(d);
  }

  #drop(d: string): void {
    const e = this.#byDigest.get(d);
    if (!e) return;
    this.#byDigest.delete(d);
    const k = `${e.sessionId}\n${e.participantId}`;
    if (this.#byParticipant.get(k) === d) this.#byParticipant.delete(k);
  }
}
