/**
 * Runs async operations one at a time in call order (device switches, mute toggles, publishing),
 * so conflicting media operations never interleave. A failed operation does not block the next.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  /** Queues `op`; resolves or rejects with its result. */
  run<T>(op: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(op, op);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
