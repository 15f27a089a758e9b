import { EventEmitter } from 'node:events';

/** An event map: event name → listener argument tuple. */
export type EventMap = Record<string, unknown[]>;

/**
 * A typed `EventEmitter` whose `safeEmit` never lets a listener exception escape into the
 * emitter's own state machine (mediasoup's `EnhancedEventEmitter`).
 */
export class EnhancedEventEmitter<E extends EventMap = EventMap> {
  readonly #emitter = new EventEmitter();

  constructor() {
    this.#emitter.setMaxListeners(Infinity);
  }

  /** Adds a listener. */
  on<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Adds a one-time listener. */
  once<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Removes a listener. */
  off<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Alias of {@link EnhancedEventEmitter.on}. */
  addListener<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    return this.on(event, listener);
  }

  /** Alias of {@link EnhancedEventEmitter.off}. */
  removeListener<K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): this {
    return this.off(event, listener);
  }

  /** Removes all listeners (of one event, or of all). */
  removeAllListeners<K extends keyof E & string>(event?: K): this {
    if (event === undefined) this.#emitter.removeAllListeners();
    else this.#emitter.removeAllListeners(event);
    return this;
  }

  /** Number of listeners for an event. */
  listenerCount<K extends keyof E & string>(event: K): number {
    return this.#emitter.listenerCount(event);
  }

  /** Emits an event; returns whether it had listeners. Listener exceptions propagate. */
  emit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    return this.#emitter.emit(event, ...args);
  }

  /**
   * Emits an event and swallows listener exceptions (reported through `process.emitWarning`), so
   * the caller's state stays consistent.
   */
  safeEmit<K extends keyof E & string>(event: K, ...args: E[K]): boolean {
    try {
      return this.#emitter.emit(event, ...args);
    } catch (error) {
      process.emitWarning(`@alcove/sfu: listener for "${event}" threw: ${String(error)}`);
      return true;
    }
  }
}
