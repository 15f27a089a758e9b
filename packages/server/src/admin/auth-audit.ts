/**
 * Audit lines for failed admin authentications, coalesced per client address: at most one
 * `admin.authFailed` line per address per window (default one minute). The first failure of a quiet
 * address is written at once with `count: 1` and its answer code as `reason`; failures during the window are counted and written as
 * one line (`reason: 'repeated'`, `detail.count`) when the window ends, which opens the next window.
 * A line names the address only by a keyed pseudonym (`detail.source`) and never holds the presented
 * key or any part of it. `close()` (the server closing) writes the pending counts at once, so none
 * is lost with the process; after it every failure is written as it happens.
 * @packageDocumentation
 */
import type { AuditEntry } from '../audit/types.js';

/** Default coalescing window, ms. */
export const AUTH_AUDIT_WINDOW_MS = 60_000;
const MAX_ADDRESSES = 10_000;

interface Window {
  /** Failures since the last line. */
  count: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Options of {@link AuthFailureAudit}. */
export interface AuthFailureAuditOptions {
  /** Appends one entry (errors are the caller's to handle). */
  readonly append: (entry: Omit<AuditEntry, 'actor'>) => void;
  /** The keyed pseudonym of an address (the audit log's). */
  readonly pseudonym: (address: string) => string;
  /** Window per address, ms. Default 60 000. */
  readonly windowMs?: number;
}

/** See the file header. */
export class AuthFailureAudit {
  readonly #o: AuthFailureAuditOptions;
  readonly #windowMs: number;
  readonly #windows = new Map<string, Window>();
  #closed = false;

  constructor(options: AuthFailureAuditOptions) {
    this.#o = options;
    this.#windowMs = options.windowMs ?? AUTH_AUDIT_WINDOW_MS;
  }

  /** Records one failed authentication from `address` with its answer code. */
  record(address: string, code: string): void {
    if (this.#closed) return this.#write(address, 1, code);
    const w = this.#windows.get(address);
    if (w) {
      w.count++;
      return;
    }
    if (this.#windows.size >= MAX_ADDRESSES) this.#flushOldest();
    this.#write(address, 1, code);
    this.#open(address, { count: 0, timer: undefined });
  }

  /** Writes every pending count now and forgets all windows. */
  flush(): void {
    for (const [address, w] of [...this.#windows]) {
      if (w.timer) clearTimeout(w.timer);
      this.#windows.delete(address);
      if (w.count > 0) this.#write(address, w.count, 'repeated');
    }
  }

  /** Writes every pending count now; no window opens again (later failures are written one by one). Idempotent. */
  close(): void {
    this.#closed = true;
    this.flush();
  }

  #open(address: string, w: Window): void {
    this.#windows.set(address, w);
    w.timer = setTimeout(() => this.#end(address, w), this.#windowMs);
    w.timer.unref?.();
  }

  /** A window ends: its count becomes one line, which opens the next window; a quiet one is forgotten. */
  #end(address: string, w: Window): void {
    this.#windows.delete(address);
    if (w.count === 0) return;
    this.#write(address, w.count, 'repeated');
    this.#open(address, { count: 0, timer: undefined });
  }

  #flushOldest(): void {
    const [address, w] = this.#windows.entries().next().value as [string, Window];
    if (w.timer) clearTimeout(w.timer);
    this.#windows.delete(address);
    if (w.count > 0) this.#write(address, w.count, 'repeated');
  }

  #write(address: string, count: number, reason: string): void {
    this.#o.append({
      type: 'admin.authFailed',
      reason,
      detail: { count, source: this.#o.pseudonym(`address:${address}`) },
    });
  }
}
