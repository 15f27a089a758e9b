/**
 * Main-thread end of the message channel to an engine thread: numbered requests with promise
 * replies, fire-and-forget notifications, and events routed to objects by id.
 * @internal
 */
import type { Worker as NodeWorker } from 'node:worker_threads';
import { describeError, type SfuLogger, type SfuLogRecord } from '../common/logger.js';
import { InvalidStateError, SfuError, UnsupportedError } from '../errors.js';
import type {
  ChannelMethod,
  ChannelNotification,
  ChannelNotifications,
  ChannelRequest,
  FromEngine,
  MethodData,
  MethodResult,
  NotificationMethod,
} from './channel-messages.js';

/** The data argument of a request: none for methods without data. */
type DataArgs<M extends ChannelMethod> = MethodData<M> extends undefined ? [] : [data: MethodData<M>];
/** Methods that take no data (those a `close()` cascade sends). */
type NoDataMethod = { [K in ChannelMethod]: MethodData<K> extends undefined ? K : never }[ChannelMethod];

type EventHandler = (event: string, data: unknown) => void;

/** Rebuilds an error that crossed the channel as `{ name, message }` as the same class. */
function errorFromWire(wire: { name?: string; message?: string }): Error {
  const message = wire.message ?? 'request failed';
  switch (wire.name) {
    case 'InvalidStateError':
      return new InvalidStateError(message);
    case 'UnsupportedError':
      return new UnsupportedError(message);
    case 'TypeError':
      return new TypeError(message);
    default:
      return new SfuError('SFU_REQUEST_FAILED', message);
  }
}

/** The request/notification/event channel to one engine thread. */
export class Channel {
  readonly #thread: NodeWorker;
  #nextId = 1;
  #closed = false;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  readonly #handlers = new Map<string, EventHandler>();
  readonly #log: SfuLogger;
  /** Called once when the engine reports it is ready. */
  onReady: (() => void) | undefined;
  /** Receives the engine's log records (already filtered and redacted in the engine thread). */
  onLog: ((record: SfuLogRecord) => void) | undefined;

  constructor(thread: NodeWorker, log: SfuLogger) {
    this.#thread = thread;
    this.#log = log;
    thread.on('message', (m: FromEngine) => this.#onMessage(m));
  }

  /** Whether the channel was closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a request and resolves with the engine's answer, both typed by the method
   * ({@link ChannelMethods}).
   */
  request<M extends ChannelMethod>(method: M, handlerId?: string, ...args: DataArgs<M>): Promise<MethodResult<M>> {
    if (this.#closed) return Promise.reject(new InvalidStateError(`Channel closed (${method})`));
    const id = this.#nextId++;
    if (this.#nextId > 2 ** 31) this.#nextId = 1;
    const data = args[0];
    const msg: ChannelRequest<M> = {
      kind: 'req',
      id,
      method,
      ...(handlerId !== undefined ? { handlerId } : {}),
      ...(data !== undefined ? { data } : {}),
    };
    return new Promise<MethodResult<M>>((resolve, reject) => {
      // The engine answers request `id` with this method's result.
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, method });
      try {
        this.#thread.postMessage(msg);
      } catch (e) {
        this.#pending.delete(id);
        reject(e as Error);
      }
    });
  }

  /**
   * Sends a request whose answer nobody waits for (a `close()` cascade): a failure, typically
   * the channel closing first, is logged at debug under `message` instead of being thrown.
   */
  requestQuietly(method: NoDataMethod, handlerId?: string): void {
    this.request(method, handlerId).catch((e: unknown) => {
      const log = this.#log.tagged('message');
      if (log.enabled('debug')) log.debug('channel.requestFailed', { method, reason: describeError(e) });
    });
  }

  /** Sends a notification (no answer). */
  notify<N extends NotificationMethod>(method: N, handlerId: string, data: ChannelNotifications[N]): void {
    if (this.#closed) return;
    const msg: ChannelNotification<N> = { kind: 'notif', method, handlerId, data };
    this.#thread.postMessage(msg);
  }

  /** Routes the engine's events for `targetId` to `handler`. */
  on(targetId: string, handler: EventHandler): void {
    this.#handlers.set(targetId, handler);
  }

  /** Stops routing events for `targetId`. */
  off(targetId: string): void {
    this.#handlers.delete(targetId);
  }

  /** Rejects every pending request and stops. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const p of this.#pending.values()) p.reject(new InvalidStateError(`Channel closed (${p.method})`));
    this.#pending.clear();
    this.#handlers.clear();
  }

  #onMessage(m: FromEngine): void {
    if (m.kind === 'res') {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.ok) p.resolve(m.data);
      else p.reject(errorFromWire(m.error ?? {}));
    } else if (m.kind === 'evt') {
      const h = this.#handlers.get(m.targetId);
      if (h) {
        try {
          h(m.event, m.data);
        } catch (e) {
          this.#log.error('channel.eventHandlerFailed', { event: m.event, reason: describeError(e) });
        }
      }
    } else if (m.kind === 'log') {
      this.onLog?.(m.record);
    } else if (m.kind === 'ready') {
      this.onReady?.();
    }
  }
}
