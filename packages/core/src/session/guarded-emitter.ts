import { EventEmitter } from 'eventemitter3';

interface Registered {
  fn: (...args: unknown[]) => void;
  context: unknown;
  once: boolean;
}

/** Reports a listener's exception out of band (the page's error handler sees it). */
function report(error: unknown): void {
  const r = (globalThis as { reportError?: (e: unknown) => void }).reportError;
  if (typeof r === 'function') r(error);
  else
    queueMicrotask(() => {
      throw error;
    });
}

/**
 * An eventemitter3 emitter whose `emit` calls every listener even when one throws: the exception is
 * reported through `reportError` and never reaches the emitting state machine.
 */
export class GuardedEmitter<Events extends EventEmitter.ValidEventTypes> extends EventEmitter<Events> {
  override emit<T extends EventEmitter.EventNames<Events>>(event: T, ...args: EventEmitter.EventArgs<Events, T>): boolean {
    const prefix = EventEmitter.prefixed ? String(EventEmitter.prefixed) : '';
    const events = (this as unknown as { _events: Record<string, Registered | Registered[] | undefined> })._events;
    const entry = events[prefix + String(event)];
    if (!entry) return false;
    const list = Array.isArray(entry) ? [...entry] : [entry];
    for (const l of list) {
      if (l.once) this.removeListener(event, l.fn as EventEmitter.EventListener<Events, T>, undefined, true);
      try {
        l.fn.apply(l.context, args as unknown[]);
      } catch (error) {
        report(error);
      }
    }
    return true;
  }
}
