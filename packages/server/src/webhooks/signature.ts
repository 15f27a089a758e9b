/**
 * Webhook signatures: `Alcove-Signature: t=<unix seconds>,v1=<hex HMAC-SHA-256(secret, t + "." + body)>`
 * (several `v1=` entries are allowed, e.g. while a secret rotates), and their verification.
 * @packageDocumentation
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookVerificationError } from './errors.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEvent } from './types.js';

/**
 * Computes the `Alcove-Signature` header value for a body at time `t` (unix seconds): one `v1=`
 * entry per secret (several while a secret rotates).
 */
export function signWebhook(body: string, secret: string | readonly string[], t: number): string {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return `t=${t},${secrets.map((s) => `v1=${createHmac('sha256', s).update(`${t}.${body}`).digest('hex')}`).join(',')}`;
}

/** Input of {@link verifyWebhook}. */
export interface VerifyWebhookInput {
  /** The raw request body exactly as received (string or bytes; do not re-serialise parsed JSON). */
  readonly body: string | Uint8Array;
  /** The `Alcove-Signature` header value. */
  readonly header: string | null | undefined;
  /** The endpoint's secret, or several (rotation). */
  readonly secret: string | readonly string[];
  /** Largest accepted age (and future skew) of `t`, seconds. Default 300. */
  readonly toleranceS?: number;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
}

const EVENT_TYPES = new Set<string>(WEBHOOK_EVENT_TYPES);

/**
 * Verifies a webhook delivery and returns its parsed event. Use the event's `id` (also the
 * `Alcove-Webhook-Id` header) to drop duplicates: delivery is at least once.
 * @throws {@link WebhookVerificationError} `INVALID_SIGNATURE`, `TIMESTAMP_OUT_OF_TOLERANCE` or
 *   `MALFORMED_WEBHOOK`.
 * @example
 * ```ts
 * const event = verifyWebhook({ body: rawBody, header: req.headers['alcove-signature'], secret });
 * if (await seen(event.id)) return; // idempotency
 * ```
 */
export function verifyWebhook(input: VerifyWebhookInput): WebhookEvent {
  const { header } = input;
  const tolerance = input.toleranceS ?? 300;
  if (typeof header !== 'string' || header.length > 2048)
    throw new WebhookVerificationError('INVALID_SIGNATURE', 'Missing or oversized signature header.');
  let t: number | undefined;
  const sigs: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) t = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/.test(v)) sigs.push(Buffer.from(v, 'hex'));
  }
  if (t === undefined || sigs.length === 0) throw new WebhookVerificationError('INVALID_SIGNATURE', 'Malformed signature header.');
  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : Buffer.from(input.body);
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  let match = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(`${t}.`).update(body).digest();
    for (const sig of sigs) if (timingSafeEqual(expected, sig)) match = true;
  }
  if (!match) throw new WebhookVerificationError('INVALID_SIGNATURE', 'The signature does not match.');
  const nowS = Math.floor((input.now ?? Date.now)() / 1000);
  if (Math.abs(nowS - t) > tolerance)
    throw new WebhookVerificationError('TIMESTAMP_OUT_OF_TOLERANCE', 'The signature timestamp is outside the tolerance.');
  let event: unknown;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch {
    throw new WebhookVerificationError('MALFORMED_WEBHOOK', 'The body is not JSON.');
  }
  const e = event as Partial<WebhookEvent>;
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof e.id !== 'string' ||
    typeof e.type !== 'string' ||
    !EVENT_TYPES.has(e.type) ||
    typeof e.createdAt !== 'string' ||
    typeof e.data !== 'object' ||
    e.data === null
  ) {
    throw new WebhookVerificationError('MALFORMED_WEBHOOK', 'The body is not a webhook event.');
  }
  return e as WebhookEvent;
}
