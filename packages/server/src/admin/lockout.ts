/**
 * The admin API's failed-authentication limit, and the client address it is keyed by.
 *
 * A valid key is never refused: the key is checked first, and only failures count. Failures are
 * counted per (client address, first characters of the presented credential), so a stream of bad
 * keys from one address — or from every integrator behind one proxy — cannot lock out anyone who
 * presents a valid key. Past the limit, a bad key is answered 429 `RATE_LIMITED` instead of 401.
 * @packageDocumentation
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** Characters of the presented credential the limit is keyed by. */
export const KEY_PREFIX_LENGTH = 8;
const WINDOW_MS = 60_000;
const MAX_ENTRIES = 10_000;

/** Counts failed authentications per (address, key prefix) in one-minute windows. */
export class AuthFailureLimiter {
  readonly #limit: number;
  readonly #now: () => number;
  readonly #windows = new Map<string, { start: number; count: number }>();

  /** @param perMinute failures allowed per (address, prefix) per minute. */
  constructor(perMinute: number, now: () => number = Date.now) {
    this.#limit = perMinute;
    this.#now = now;
  }

  /** Whether this (address, prefix) has used up its failures for the current minute. */
  limited(address: string, presented: string | undefined): boolean {
    const w = this.#windows.get(keyOf(address, presented));
    return w !== undefined && this.#now() - w.start < WINDOW_MS && w.count >= this.#limit;
  }

  /** Records one failure. */
  record(address: string, presented: string | undefined): void {
    const t = this.#now();
    const k = keyOf(address, presented);
    let w = this.#windows.get(k);
    if (!w || t - w.start >= WINDOW_MS) {
      if (this.#windows.size >= MAX_ENTRIES) {
        for (const [key, v] of this.#windows) if (t - v.start >= WINDOW_MS) this.#windows.delete(key);
        if (this.#windows.size >= MAX_ENTRIES) this.#windows.clear();
      }
      w = { start: t, count: 0 };
      this.#windows.set(k, w);
    }
    w.count++;
  }
}

const keyOf = (address: string, presented: string | undefined): string => `${address}\n${(presented ?? '').slice(0, KEY_PREFIX_LENGTH)}`;

/** `::ffff:1.2.3.4` → `1.2.3.4`. */
export function normalizeAddress(address: string): string {
  const a = address.trim().toLowerCase();
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}

/**
 * The client address of a request: the socket's peer, or — when that peer is one of
 * `trustedProxies` — the right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
 * Forwarded headers from anyone else are ignored (a client cannot choose its own address).
 */
export function clientAddress(req: IncomingMessage, trustedProxies: ReadonlySet<string>): string {
  const peer = normalizeAddress(req.socket.remoteAddress ?? 'unknown');
  if (!trustedProxies.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const list = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => normalizeAddress(s))
    .filter((s) => s.length > 0);
  for (let i = list.length - 1; i >= 0; i--) {
    const a = list[i] as string;
    if (isIP(a) === 0) return peer;
    if (!trustedProxies.has(a)) return a;
  }
  return peer;
}
