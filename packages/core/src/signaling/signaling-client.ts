import {
  createRequest,
  parseServerMessage,
  type Notification,
  type RequestData,
  type RequestMethod,
  type ResponseData,
} from '@alcove/protocol';
import { ConnectionError, SignalingError } from '../session/errors.js';
import type { Platform, WebSocketLike } from '../platform/platform.js';

/** Signalling options (`Session.create({ signaling })`). */
export interface SignalingOptions {
  /** Request timeout in ms. Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** Ping interval in ms. Default 500 (capped at half the server's `heartbeatMs`). */
  readonly heartbeatIntervalMs?: number;
  /** The connection counts as lost when nothing arrived for this long. Default 1 500 ms. */
  readonly heartbeatTimeoutMs?: number;
  /** How long opening the socket may take. Default 5 000 ms. */
  readonly connectTimeoutMs?: number;
}

/** Why a {@link SignalingClient} lost its connection. */
export type SignalingLossReason = 'closed' | 'heartbeat';

/** Callbacks of {@link SignalingClient} (internal wiring does not use public emitters). */
export interface SignalingCallbacks {
  onNotification(n: Notification): void;
  /** The socket closed or stopped answering heartbeats; not called after `close()`. */
  onLost(reason: SignalingLossReason, code?: number): void;
  /** An error caught on purpose (an unanswered ping, closing a dead socket): counted and logged by the session. */
  onSwallowedError?(site: string, error: unknown): void;
}

interface Pending {
  readonly method: RequestMethod;
  resolve(data: unknown): void;
  reject(error: Error): void;
  timer: unknown;
  cleanup?: () => void;
}

/**
 * One signalling connection: requests with ids and timeouts, notifications, heartbeats via
 * `session.ping`. A lost connection is reported once through `onLost`; a new connection is a new
 * client. Internal: `Session` owns it.
 */
export class SignalingClient {
  readonly #platform: Platform;
  readonly #callbacks: SignalingCallbacks;
  readonly #requestTimeoutMs: number;
  readonly #heartbeatTimeoutMs: number;
  readonly #connectTimeoutMs: number;
  #heartbeatIntervalMs: number;
  #ws: WebSocketLike | undefined;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();
  #heartbeat: unknown;
  #lastInbound = 0;
  #state: 'new' | 'connecting' | 'open' | 'closed' = 'new';

  constructor(platform: Platform, callbacks: SignalingCallbacks, options: SignalingOptions = {}) {
    this.#platform = platform;
    this.#callbacks = callbacks;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#heartbeatIntervalMs = options.heartbeatIntervalMs ?? 500;
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 1_500;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  }

  /** Whether the socket is open and not known to be lost. */
  get open(): boolean {
    return this.#state === 'open';
  }

  /** Number of requests waiting for an answer (for leak checks). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Opens the socket. Rejects with `ConnectionError('CONNECTION_FAILED')`. */
  connect(url: string, signal?: AbortSignal): Promise<void> {
    if (this.#state !== 'new') return Promise.reject(new ConnectionError('CONNECTION_FAILED', 'signalling client already used'));
    this.#state = 'connecting';
    const t = this.#platform.timers;
    return new Promise<void>((resolve, reject) => {
      let ws: WebSocketLike;
      try {
        ws = this.#platform.createWebSocket(url);
      } catch (cause) {
        this.#state = 'closed';
        reject(new ConnectionError('CONNECTION_FAILED', 'could not open the signalling socket', { cause }));
        return;
      }
      this.#ws = ws;
      const fail = (why: string, cause?: unknown): void => {
        t.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (this.#state !== 'connecting') return;
        this.#teardown();
        reject(new ConnectionError(why === 'aborted' ? 'ABORTED' : 'CONNECTION_FAILED', `signalling socket: ${why}`, { cause }));
      };
      const onAbort = (): void => fail('aborted');
      const timer = t.setTimeout(() => fail('connect timeout'), this.#connectTimeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      ws.onopen = () => {
        t.clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (this.#state !== 'connecting') return;
        this.#state = 'open';
        this.#lastInbound = t.now();
        resolve();
      };
      ws.onerror = () => {
        if (this.#state === 'connecting') fail('error');
      };
      ws.onclose = (ev) => {
        if (this.#state === 'connecting') fail(`closed (${ev.code})`);
        else this.#lost('closed', ev.code);
      };
      ws.onmessage = (ev) => this.#onMessage(ev.data);
    });
  }

  /**
   * Sends a request and resolves with its response data. Rejects with `SignalingError` (the wire
   * code, or `REQUEST_TIMEOUT`) or `ConnectionError('CONNECTION_LOST')`.
   */
  request<M extends RequestMethod>(
    method: M,
    data: RequestData<M>,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<ResponseData<M>> {
    const ws = this.#ws;
    if (this.#state !== 'open' || !ws) return Promise.reject(new ConnectionError('CONNECTION_LOST', `${method}: not connected`));
    if (options.signal?.aborted) return Promise.reject(new SignalingError('ABORTED', `${method}: aborted`));
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 2 ** 31 - 2 ? 1 : this.#nextId + 1;
    const t = this.#platform.timers;
    return new Promise<ResponseData<M>>((resolve, reject) => {
      const entry: Pending = {
        method,
        resolve: resolve as (d: unknown) => void,
        reject,
        timer: t.setTimeout(
          () => this.#settle(id, new SignalingError('REQUEST_TIMEOUT', `${method}: no answer in time`)),
          options.timeoutMs ?? this.#requestTimeoutMs,
        ),
      };
      const signal = options.signal;
      if (signal) {
        const onAbort = (): void => this.#settle(id, new SignalingError('ABORTED', `${method}: aborted`));
        signal.addEventListener('abort', onAbort, { once: true });
        entry.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      this.#pending.set(id, entry);
      try {
        ws.send(JSON.stringify(createRequest(id, method, data)));
      } catch (cause) {
        this.#settle(id, new ConnectionError('CONNECTION_LOST', `${method}: send failed`, { cause }));
      }
    });
  }

  /** Starts heartbeats. `serverHeartbeatMs` is what the server expects (from the join result). */
  startHeartbeat(serverHeartbeatMs?: number): void {
    if (this.#state !== 'open') return;
    this.#stopHeartbeat();
    if (serverHeartbeatMs && serverHeartbeatMs > 0)
      this.#heartbeatIntervalMs = Math.min(this.#heartbeatIntervalMs, Math.floor(serverHeartbeatMs / 2));
    const t = this.#platform.timers;
    this.#lastInbound = t.now();
    this.#heartbeat = t.setInterval(() => {
      if (this.#state !== 'open') return;
      if (t.now() - this.#lastInbound >= this.#heartbeatTimeoutMs) {
        this.#lost('heartbeat');
        return;
      }
      this.request('session.ping', {}, { timeoutMs: this.#heartbeatTimeoutMs * 2 }).catch((e: unknown) =>
        this.#callbacks.onSwallowedError?.('signaling.ping', e),
      );
    }, this.#heartbeatIntervalMs);
  }

  /** Closes the socket and rejects pending requests with `ABORTED`. Idempotent; no `onLost`. */
  close(): void {
    if (this.#state === 'closed') return;
    this.#teardown();
  }

  #onMessage(raw: unknown): void {
    if (this.#state !== 'open') return;
    this.#lastInbound = this.#platform.timers.now();
    if (typeof raw !== 'string') return;
    const parsed = parseServerMessage(raw, { methodOf: (id) => this.#pending.get(id)?.method });
    if (!parsed.ok) {
      const id = parsed.error.id;
      if (id !== undefined && this.#pending.has(id)) {
        this.#settle(id, new SignalingError('PROTOCOL_ERROR', `response: ${parsed.error.message}`));
      }
      return;
    }
    const m = parsed.message;
    if ('ok' in m) {
      if (m.ok) this.#settle(m.id, undefined, m.data);
      else this.#settle(m.id, new SignalingError(m.error.code, m.error.message));
      return;
    }
    this.#callbacks.onNotification(m);
  }

  #settle(id: number, error: Error | undefined, data?: unknown): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    this.#platform.timers.clearTimeout(p.timer);
    p.cleanup?.();
    if (error) p.reject(error);
    else p.resolve(data);
  }

  #lost(reason: SignalingLossReason, code?: number): void {
    if (this.#state !== 'open') return;
    this.#teardown(new ConnectionError('CONNECTION_LOST', `signalling ${reason}`));
    this.#callbacks.onLost(reason, code);
  }

  #stopHeartbeat(): void {
    if (this.#heartbeat !== undefined) this.#platform.timers.clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  #teardown(error: Error = new SignalingError('ABORTED', 'signalling closed')): void {
    this.#state = 'closed';
    this.#stopHeartbeat();
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws) {
      ws.onopen = null;
      ws.onmessage = null;
      ws.onclose = null;
      ws.onerror = null;
      try {
        ws.close(1000);
      } catch (e) {
        // already closed
        this.#callbacks.onSwallowedError?.('signaling.close', e);
      }
    }
    for (const id of [...this.#pending.keys()]) this.#settle(id, error);
  }
}
