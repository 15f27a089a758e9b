/**
 * Main-thread end of the message channel to an engine thread: numbered requests with promise
 * replies, fire-and-forget notifications, and events routed to objects by id.
 * @internal
 */
import type { Worker as NodeWorker } from 'node:worker_threads';
import { errorFromWire, InvalidStateError } from '../errors.js';
import type { ChannelRequest, FromEngine } from './channel-messages.js';

type EventHandler = (event: string, data: unknown) => void;

/** The request/notification/event channel to one engine thread. */
export class Channel {
  readonly #thread: NodeWorker;
  #nextId = 1;
  #closed = false;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  readonly #handlers = new Map<string, EventHandler>();
  /** Called once when the engine reports it is ready. */
  onReady: (() => void) | undefined;

  constructor(thread: NodeWorker) {
    this.#thread = thread;
    thread.on('message', (m: FromEngine) => this.#onMessage(m));
  }

  /** Whether the channel was closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Sends a request and resolves with the engine's answer. */
  request(method: string, handlerId?: string, data?: unknown): Promise<unknown> {
    if (this.#closed) return Promise.reject(new InvalidStateError(`Channel closed (${method})`));
    const id = this.#nextId++;
    if (this.#nextId > 2 ** 31) this.#nextId = 1;
    const msg: ChannelRequest = { kind: 'req', id, method, ...(handlerId !== undefined ? { handlerId } : {}), ...(data !== undefined ? { data } : {}) };
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject, method });
      try {
        this.#thread.postMessage(msg);
      } catch (e) {
        this.#pending.delete(id);
        reject(e as Error);
      }
    });
  }

  /** Sends a notification (no answer). */
  notify(method: string, handlerId: string, data?: unknown): void {
    if (this.#closed) return;
    this.#thread.postMessage({ kind: 'notif', method, handlerId, data });
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
          process.emitWarning(`@alcove/sfu: event handler threw: ${String(e)}`);
        }
      }
    } else if (m.kind === 'ready') {
      this.onReady?.();
    }
  }
}
