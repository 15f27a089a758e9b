/**
 * The integrator's side of webhooks: verify the signature, refuse stale or future timestamps, and
 * drop duplicates by event id (delivery is at least once: a retry, or a replay after a server restart,
 * carries the same id).
 * @packageDocumentation
 */
import { verifyWebhook } from './signature.js';
import { WEBHOOK_SIGNATURE_HEADER, type WebhookEvent } from './types.js';

/** Where seen event ids are kept. The default is in memory; use a shared store when several processes receive. */
export interface WebhookIdStore {
  /** Records `id` and returns true if it was new; false if it was seen already. Must be atomic. */
  add(id: string, ttlMs: number): boolean | Promise<boolean>;
  /** Forgets `id` (the handler failed, so the next retry must be processed). */
  delete?(id: string): void | Promise<void>;
}

/** Options of {@link createWebhookReceiver}. */
export interface WebhookReceiverOptions {
  /** The endpoint's secret, or several while it rotates. */
  readonly secret: string | readonly string[];
  /** Largest accepted age (and future skew) of the signature timestamp, seconds. Default 300. */
  readonly toleranceS?: number;
  /** How long an event id is remembered, ms. Default 24 hours (retries and restarts fall inside it). */
  readonly rememberMs?: number;
  /** Default: in memory, at most `maxRemembered` ids. */
  readonly store?: WebhookIdStore;
  /** Most ids the in-memory store keeps (oldest forgotten first). Default 100 000. */
  readonly maxRemembered?: number;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** The result of {@link WebhookReceiver.receive}. */
export interface WebhookReceipt {
  readonly event: WebhookEvent;
  /** True when this event id was seen before: acknowledge (2xx) and do nothing. */
  readonly duplicate: boolean;
}

/** See {@link createWebhookReceiver}. */
export interface WebhookReceiver {
  /**
   * Verifies one delivery. Answer 2xx for an accepted or duplicate event; 400 when this throws.
   * @throws {@link WebhookVerificationError} `INVALID_SIGNATURE`, `TIMESTAMP_OUT_OF_TOLERANCE` or `MALFORMED_WEBHOOK`.
   */
  receive(input: {
    readonly body: string | Uint8Array;
    /** Request headers (any case), or the `Alcove-Signature` value itself. */
    readonly headers: Record<string, string | readonly string[] | undefined> | Headers;
  }): Promise<WebhookReceipt>;
  /** Forgets an event id so its next delivery is processed again (call when handling failed). */
  forget(eventId: string): Promise<void>;
}

/** A bounded in-memory {@link WebhookIdStore}. */
export function memoryWebhookIdStore(max = 100_000, now: () => number = Date.now): WebhookIdStore {
  const seen = new Map<string, number>();
  return {
    add(id, ttlMs) {
      const t = now();
      const until = seen.get(id);
      if (until !== undefined && until > t) return false;
      seen.delete(id);
      seen.set(id, t + ttlMs);
      while (seen.size > max) {
        const oldest = seen.keys().next().value as string;
        seen.delete(oldest);
      }
      return true;
    },
    delete(id) {
      seen.delete(id);
    },
  };
}

function headerOf(headers: Record<string, string | readonly string[] | undefined> | Headers, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, string | readonly string[] | undefined>)) {
    if (k.toLowerCase() === lower) return Array.isArray(v) ? v.join(',') : (v as string | undefined);
  }
  return undefined;
}

/**
 * Creates a webhook receiver: signature checked (constant time, any of the secrets), timestamp
 * within the tolerance, body shape checked, and each event id processed once.
 * @example
 * ```ts
 * const receiver = createWebhookReceiver({ secret: process.env.ALCOVE_WEBHOOK_SECRET! });
 * app.post('/alcove-webhooks', express.raw({ type: 'application/json' }), async (req, res) => {
 *   try {
 *     const { event, duplicate } = await receiver.receive({ body: req.body, headers: req.headers });
 *     if (!duplicate) await handle(event);
 *     res.sendStatus(204);
 *   } catch {
 *     res.sendStatus(400);
 *   }
 * });
 * ```
 */
export function createWebhookReceiver(options: WebhookReceiverOptions): WebhookReceiver {
  const now = options.now ?? Date.now;
  const store = options.store ?? memoryWebhookIdStore(options.maxRemembered, now);
  const rememberMs = options.rememberMs ?? 24 * 60 * 60 * 1000;
  return {
    async receive({ body, headers }) {
      const event = verifyWebhook({
        body,
        header: headerOf(headers, WEBHOOK_SIGNATURE_HEADER),
        secret: options.secret,
        now,
        ...(options.toleranceS !== undefined ? { toleranceS: options.toleranceS } : {}),
      });
      const fresh = await store.add(event.id, rememberMs);
      return { event, duplicate: !fresh };
    },
    async forget(eventId) {
      await store.delete?.(eventId);
    },
  };
}
