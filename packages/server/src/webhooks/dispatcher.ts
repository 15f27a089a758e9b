/**
 * Webhook delivery: signed, at least once, retried with exponential backoff and jitter, with an
 * idempotency key that is stable across retries.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { silentLogger, type Logger } from '../logger.js';
import { isBlockedAddress, isBlockedHostname } from './address-policy.js';
import { WebhookConfigError } from './errors.js';
import { RefusedAddressError, createGuardedFetch } from './guarded-fetch.js';
import { WebhookOutbox } from './outbox.js';
import { signWebhook } from './signature.js';
import {
  WEBHOOK_ATTEMPT_HEADER,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookEvent,
  type WebhookEventMap,
  type WebhookEventType,
} from './types.js';

/** One receiver. */
export interface WebhookEndpoint {
  /** `https://…`, or `http://` to a loopback host (or any host with `allowInsecureHttp`). */
  readonly url: string;
  /**
   * HMAC secret shared with the receiver (≥ 16 characters), or several while it rotates: every
   * delivery then carries one `v1=` signature per secret, so a receiver holding either accepts it.
   */
  readonly secret: string | readonly string[];
  /** Only these event types (default: all). */
  readonly events?: readonly WebhookEventType[];
}

/** Retry policy. */
export interface WebhookRetryOptions {
  /** First retry delay, ms. Default 1 000. Delay n = min(maxDelayMs, baseMs · 2^(n-1)) · (0.5 … 1.0). */
  readonly baseMs?: number;
  /** Attempts in total, including the first. Default 8. */
  readonly maxAttempts?: number;
  /** Largest delay between attempts, ms. Default 5 min. */
  readonly maxDelayMs?: number;
}

/** The outcome of one delivery (all attempts to one endpoint). */
export interface WebhookDeliveryReport {
  readonly eventId: string;
  readonly type: WebhookEventType;
  readonly endpointIndex: number;
  readonly delivered: boolean;
  readonly attempts: number;
  /** Last HTTP status, if any response was received. */
  readonly status?: number;
}

/** One attempt of a delivery, as the delivery log keeps it. */
export interface WebhookAttemptRecord {
  /** Unix ms the attempt started. */
  readonly at: number;
  /** HTTP status, when a response came. */
  readonly status?: number;
  /** Why no response came: a timeout, a network error, or a destination address that is not allowed. */
  readonly error?: 'timeout' | 'network' | 'refused-address';
  readonly durationMs: number;
}

/** One delivery (an event to one endpoint) in the delivery log. */
export interface WebhookDeliveryRecord {
  readonly eventId: string;
  readonly type: WebhookEventType;
  /** The event's session, when it has one. */
  readonly sessionId?: string;
  readonly endpointIndex: number;
  /** `refused`: the endpoint's address is not allowed (see `allowPrivateNetworks`). */
  readonly outcome: 'pending' | 'delivered' | 'failed' | 'refused';
  readonly attempts: readonly WebhookAttemptRecord[];
  /** Unix ms the delivery was queued. */
  readonly createdAt: number;
  /** Unix ms it finished. */
  readonly finishedAt?: number;
}

type MutableDelivery = { -readonly [K in keyof WebhookDeliveryRecord]: WebhookDeliveryRecord[K] } & { attempts: WebhookAttemptRecord[] };

/** Options of {@link WebhookDispatcher}. */
export interface WebhookDispatcherOptions {
  readonly endpoints: readonly WebhookEndpoint[];
  /** `fetch` implementation. Default the global `fetch`. */
  readonly fetch?: typeof fetch;
  readonly retry?: WebhookRetryOptions;
  /** Per-attempt timeout, ms. Default 10 000. */
  readonly timeoutMs?: number;
  /** Allow `http://` to non-loopback hosts. Default false. */
  readonly allowInsecureHttp?: boolean;
  /**
   * Allow endpoints on loopback, private, link-local (cloud metadata), carrier-grade NAT and other
   * non-public addresses. Default false: such a URL is refused at construction, and a host name that
   * resolves to such an address is refused at delivery (outcome `refused`, no retry).
   */
  readonly allowPrivateNetworks?: boolean;
  /**
   * Resolves an endpoint's host name to its addresses before each attempt (the private-network
   * check). Default: DNS (`dns.lookup`). Without a custom `fetch`, deliveries connect to exactly the
   * address that was checked (no DNS rebinding in between). With a custom `fetch`, the check runs
   * only when `resolveHost` is given, and the transport decides where the request goes.
   */
  readonly resolveHost?: (hostname: string) => Promise<readonly string[]>;
  /** Deliveries kept in the delivery log (newest first). Default 1 000. */
  readonly deliveryLogSize?: number;
  /** Most deliveries in flight or waiting to retry; beyond it new events are dropped (and logged). Default 10 000. */
  readonly maxPending?: number;
  readonly logger?: Logger;
  /** Called after each delivery finishes (delivered or given up). */
  readonly onDelivery?: (report: WebhookDeliveryReport) => void;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Jitter source in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * Sends webhook events to the configured endpoints. Delivery is at least once: while the process runs
 * with `new WebhookDispatcher(…)`, and across crashes and restarts with {@link WebhookDispatcher.open}
 * (a durable outbox). 2xx is success; 408, 429, 5xx, timeouts and network errors are
 * retried with exponential backoff and jitter; other statuses give up. Every attempt carries the same
 * `Alcove-Webhook-Id` (the event id) and a fresh `Alcove-Signature` over the same body.
 * @example
 * ```ts
 * const hooks = new WebhookDispatcher({ endpoints: [{ url: 'https://ehr.example/alcove', secret }] });
 * hooks.emit('participant.admitted', { sessionId, participantId, role: 'client' });
 * await hooks.close(); // waits for deliveries (bounded)
 * ```
 */
export class WebhookDispatcher {
  readonly #endpoints: readonly WebhookEndpoint[];
  readonly #fetch: typeof fetch;
  readonly #baseMs: number;
  readonly #maxAttempts: number;
  readonly #maxDelayMs: number;
  readonly #timeoutMs: number;
  readonly #maxPending: number;
  readonly #log: Logger;
  readonly #onDelivery: ((r: WebhookDeliveryReport) => void) | undefined;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #pending = new Set<Promise<void>>();
  readonly #abort = new AbortController();
  #outbox: WebhookOutbox | undefined;
  #closed = false;
  readonly #allowPrivate: boolean;
  readonly #resolveHost: ((hostname: string) => Promise<readonly string[]>) | undefined;
  readonly #logSize: number;
  /** The delivery log, oldest first. */
  readonly #deliveries: MutableDelivery[] = [];

  /** @throws {@link WebhookConfigError} for an invalid endpoint. */
  constructor(options: WebhookDispatcherOptions) {
    this.#allowPrivate = options.allowPrivateNetworks ?? false;
    for (const ep of options.endpoints) validateEndpoint(ep, options.allowInsecureHttp ?? false, this.#allowPrivate);
    // The default transport resolves, checks and connects in one step; a custom fetch is checked first.
    this.#resolveHost = options.fetch !== undefined ? options.resolveHost : undefined;
    this.#logSize = Math.max(0, options.deliveryLogSize ?? 1_000);
    this.#endpoints = options.endpoints.map((e) => ({ ...e }));
    this.#fetch =
      options.fetch ??
      createGuardedFetch({
        allowPrivateNetworks: this.#allowPrivate,
        ...(options.resolveHost ? { resolveHost: options.resolveHost } : {}),
      });
    this.#baseMs = options.retry?.baseMs ?? 1_000;
    this.#maxAttempts = Math.max(1, options.retry?.maxAttempts ?? 8);
    this.#maxDelayMs = options.retry?.maxDelayMs ?? 5 * 60_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#maxPending = options.maxPending ?? 10_000;
    this.#log = options.logger ?? silentLogger;
    this.#onDelivery = options.onDelivery;
    this.#now = options.now ?? Date.now;
    this.#random = options.random ?? Math.random;
  }

  /**
   * Creates a dispatcher with a durable outbox at `outboxFile` (in the data folder, mode 0600), so
   * delivery is at least once across crashes and restarts: deliveries left unfinished last time are
   * resumed now, with their original id, body and idempotency key. Deliveries to an endpoint no
   * longer configured are dropped (and logged).
   * @throws {@link WebhookConfigError} for an invalid endpoint.
   */
  static async open(options: WebhookDispatcherOptions & { readonly outboxFile: string }): Promise<WebhookDispatcher> {
    const d = new WebhookDispatcher(options);
    const { outbox, pending } = await WebhookOutbox.open(options.outboxFile, () => d.#log.error('webhook.outboxWriteFailed', {}));
    d.#outbox = outbox;
    for (const entry of pending) {
      let event: WebhookEvent;
      try {
        event = JSON.parse(entry.body) as WebhookEvent;
      } catch {
        for (const url of entry.urls) outbox.done(entry.id, url);
        continue;
      }
      for (const url of entry.urls) {
        const index = d.#endpoints.findIndex((ep) => ep.url === url);
        if (index === -1) {
          d.#log.warn('webhook.replayDropped', { eventId: entry.id, type: event.type });
          outbox.done(entry.id, url);
          continue;
        }
        d.#start(event, entry.body, d.#endpoints[index] as WebhookEndpoint, index);
      }
      d.#log.info('webhook.replayed', { eventId: entry.id, type: event.type });
    }
    return d;
  }

  /** Deliveries in flight or waiting to retry. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * Queues an event for every endpoint subscribed to its type and returns its id (the idempotency
   * key). After {@link WebhookDispatcher.close} events are dropped and `undefined` is returned.
   */
  emit<T extends WebhookEventType>(type: T, data: WebhookEventMap[T]): string | undefined {
    if (this.#closed) {
      this.#log.warn('webhook.droppedAfterClose', { type });
      return undefined;
    }
    const event: WebhookEvent<T> = {
      id: `evt_${randomBytes(16).toString('base64url')}`,
      type,
      createdAt: new Date(this.#now()).toISOString(),
      data,
    };
    const body = JSON.stringify(event);
    const targets: number[] = [];
    this.#endpoints.forEach((ep, index) => {
      if (ep.events && !ep.events.includes(type)) return;
      if (this.#pending.size + targets.length >= this.#maxPending) {
        this.#log.error('webhook.queueFull', { type, eventId: event.id, endpointIndex: index });
        return;
      }
      targets.push(index);
    });
    this.#outbox?.add(
      event.id,
      type,
      body,
      targets.map((i) => (this.#endpoints[i] as WebhookEndpoint).url),
    );
    for (const index of targets) this.#start(event, body, this.#endpoints[index] as WebhookEndpoint, index);
    return event.id;
  }

  #start(event: WebhookEvent, body: string, ep: WebhookEndpoint, index: number): void {
    const p: Promise<void> = this.#deliver(event, body, ep, index).finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  /** The delivery log: recent deliveries (each event to each endpoint), newest first, with every attempt. */
  deliveries(): readonly WebhookDeliveryRecord[] {
    return this.#deliveries.map((r) => ({ ...r, attempts: [...r.attempts] })).reverse();
  }

  /** Resolves when no delivery is in flight or waiting to retry. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /**
   * Stops accepting events and waits for pending deliveries (retries included) up to `timeoutMs`
   * (default 10 000), then aborts what is left. Idempotent.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.#closed = true;
    const timeoutMs = options.timeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.idle(), deadline]);
    clearTimeout(timer);
    if (this.#pending.size > 0) {
      this.#log.warn('webhook.abortedOnClose', { pending: this.#pending.size, durable: this.#outbox !== undefined });
      this.#abort.abort();
      await this.idle();
    }
    await this.#outbox?.close();
  }

  async #deliver(event: WebhookEvent, body: string, ep: WebhookEndpoint, index: number): Promise<void> {
    let attempt = 0;
    let status: number | undefined;
    let delivered = false;
    let refused = false;
    const sessionId = (event.data as { sessionId?: unknown }).sessionId;
    const record: MutableDelivery = {
      eventId: event.id,
      type: event.type,
      ...(typeof sessionId === 'string' ? { sessionId } : {}),
      endpointIndex: index,
      outcome: 'pending',
      attempts: [],
      createdAt: this.#now(),
    };
    if (this.#logSize > 0) {
      this.#deliveries.push(record);
      if (this.#deliveries.length > this.#logSize) this.#deliveries.splice(0, this.#deliveries.length - this.#logSize);
    }
    while (attempt < this.#maxAttempts && !this.#abort.signal.aborted) {
      attempt++;
      let retry = false;
      const started = this.#now();
      const note = (a: Omit<WebhookAttemptRecord, 'at' | 'durationMs'>): void => {
        record.attempts.push({ at: started, ...a, durationMs: Math.max(0, this.#now() - started) });
      };
      if (!this.#allowPrivate && this.#resolveHost && !(await this.#addressAllowed(ep.url))) {
        refused = true;
        note({ error: 'refused-address' });
        this.#log.warn('webhook.refusedAddress', { type: event.type, eventId: event.id, endpointIndex: index });
        break;
      }
      try {
        const t = Math.floor(this.#now() / 1000);
        const res = await this.#fetch(ep.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [WEBHOOK_ID_HEADER]: event.id,
            [WEBHOOK_SIGNATURE_HEADER]: signWebhook(body, ep.secret, t),
            [WEBHOOK_ATTEMPT_HEADER]: String(attempt),
            'user-agent': 'alcove-server-webhooks',
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#timeoutMs)]),
        });
        status = res.status;
        await res.body?.cancel().catch(() => {});
        note({ status });
        if (status >= 200 && status < 300) delivered = true;
        else retry = status >= 500 || status === 408 || status === 429;
      } catch (error) {
        if (error instanceof RefusedAddressError) {
          refused = true;
          note({ error: 'refused-address' });
          this.#log.warn('webhook.refusedAddress', { type: event.type, eventId: event.id, endpointIndex: index });
          break;
        }
        note({ error: (error as { name?: string })?.name === 'TimeoutError' ? 'timeout' : 'network' });
        retry = true;
      }
      if (delivered || !retry) break;
      if (attempt < this.#maxAttempts) await this.#sleep(this.#delay(attempt));
    }
    // Finished (delivered or given up) unless cut short by close(): then it stays in the outbox.
    if (delivered || !this.#abort.signal.aborted) {
      this.#outbox?.done(event.id, ep.url);
      record.outcome = delivered ? 'delivered' : refused ? 'refused' : 'failed';
      record.finishedAt = this.#now();
    }
    const report: WebhookDeliveryReport = {
      eventId: event.id,
      type: event.type,
      endpointIndex: index,
      delivered,
      attempts: attempt,
      ...(status !== undefined ? { status } : {}),
    };
    if (delivered) this.#log.debug('webhook.delivered', { type: event.type, eventId: event.id, attempts: attempt });
    else this.#log.warn('webhook.failed', { type: event.type, eventId: event.id, attempts: attempt, status });
    try {
      this.#onDelivery?.(report);
    } catch {
      // A listener cannot break delivery.
    }
  }

  /** Whether every address the endpoint's host resolves to may be reached (a failed lookup: yes, fetch fails). */
  async #addressAllowed(url: string): Promise<boolean> {
    const host = new URL(url).hostname;
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    if (isBlockedHostname(host)) return false;
    let addresses: readonly string[];
    try {
      addresses = await (this.#resolveHost as (h: string) => Promise<readonly string[]>)(bare);
    } catch {
      return true;
    }
    return !addresses.some((a) => isBlockedAddress(a));
  }

  #delay(attempt: number): number {
    const exp = Math.min(this.#maxDelayMs, this.#baseMs * 2 ** (attempt - 1));
    return Math.round(exp * (0.5 + this.#random() * 0.5));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.#abort.signal;
      if (signal.aborted) return resolve();
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function validateEndpoint(ep: WebhookEndpoint, allowInsecure: boolean, allowPrivate: boolean): void {
  let url: URL;
  try {
    url = new URL(ep.url);
  } catch {
    throw new WebhookConfigError('A webhook URL is not a valid URL.');
  }
  if (url.username || url.password) throw new WebhookConfigError('A webhook URL must not carry credentials.');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (allowInsecure || LOOPBACK.has(url.hostname)))) {
    throw new WebhookConfigError('A webhook URL must use https (http only to loopback).');
  }
  if (!allowPrivate && isBlockedHostname(url.hostname)) {
    throw new WebhookConfigError(
      'A webhook URL points at a loopback, private, link-local or metadata address; allow private networks explicitly to use it.',
    );
  }
  const secrets = typeof ep.secret === 'string' ? [ep.secret] : Array.isArray(ep.secret) ? ep.secret : [];
  if (secrets.length === 0 || secrets.some((x) => typeof x !== 'string' || x.length < 16))
    throw new WebhookConfigError('A webhook secret must be at least 16 characters.');
}
