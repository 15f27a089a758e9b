/**
 * Several media workers behind the one {@link EngineWorker} the server drives: one per core by
 * default, each session's router placed on the worker hosting the fewest open routers.
 * @packageDocumentation
 */
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import type { CreateEngineWorker, EngineCodecCapability, EngineRouter, EngineWorker, EngineWorkerOptions } from './engine-types.js';

/**
 * How many workers to start: `requested` (default one per core), but no more than the ports of a
 * configured `rtcMinPort..rtcMaxPort` range, which the workers share out (each needs its own port).
 */
export function workerCount(options: EngineWorkerOptions, requested?: number): number {
  const wanted = requested ?? availableParallelism();
  if (!Number.isInteger(wanted) || wanted < 1) throw new TypeError(`invalid media worker count ${String(requested)}`);
  const { rtcMinPort: min, rtcMaxPort: max } = options;
  if (min === undefined || max === undefined || (min === 0 && max === 0)) return wanted;
  return Math.max(1, Math.min(wanted, max - min + 1));
}

/** Options of worker `i` of `n`: its own slice of the port range, everything else shared. */
export function workerOptions(options: EngineWorkerOptions, i: number, n: number): EngineWorkerOptions {
  const { rtcMinPort: min, rtcMaxPort: max } = options;
  if (n === 1 || min === undefined || max === undefined || (min === 0 && max === 0)) return options;
  const size = max - min + 1;
  return { ...options, rtcMinPort: min + Math.floor((i * size) / n), rtcMaxPort: min + Math.floor(((i + 1) * size) / n) - 1 };
}

/**
 * The pool: `createRouter()` goes to the least-loaded worker (fewest open routers; the first such
 * one on a tie). If any worker dies, the pool emits `died` once (the server treats it as fatal,
 * as with one worker). `close()` closes every worker.
 */
export class EngineWorkerPool extends EventEmitter implements EngineWorker {
  /** The workers, in creation order. */
  readonly workers: readonly EngineWorker[];
  readonly #routers: Set<EngineRouter>[];
  /** Routers being created per worker (counted, so concurrent calls spread out too). */
  readonly #pending: number[];
  #closed = false;
  #died = false;

  constructor(workers: readonly EngineWorker[]) {
    super();
    if (workers.length === 0) throw new TypeError('a worker pool needs at least one worker');
    this.workers = workers;
    this.#routers = workers.map(() => new Set<EngineRouter>());
    this.#pending = workers.map(() => 0);
    for (const w of workers) {
      w.on('died', (error: unknown) => {
        if (this.#died || this.#closed) return;
        this.#died = true;
        this.emit('died', error);
      });
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Open (or being created) routers per worker, in worker order. */
  get load(): number[] {
    return this.#routers.map((set, i) => {
      for (const r of set) if (r.closed) set.delete(r);
      return set.size + this.#pending[i]!;
    });
  }

  async createRouter(options: { mediaCodecs: EngineCodecCapability[]; appData?: Record<string, unknown> }): Promise<EngineRouter> {
    if (this.#closed) throw new Error('media worker pool closed');
    const load = this.load;
    let best = -1;
    for (let i = 0; i < this.workers.length; i++) {
      if (this.workers[i]!.closed) continue;
      if (best < 0 || load[i]! < load[best]!) best = i;
    }
    if (best < 0) throw new Error('no open media worker');
    this.#pending[best]!++;
    try {
      const router = await this.workers[best]!.createRouter(options);
      this.#routers[best]!.add(router);
      return router;
    } finally {
      this.#pending[best]!--;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const w of this.workers) w.close();
  }
}

/**
 * Starts `count` workers with `create` (each with its slice of a port range) and pools them. If
 * one fails to start, those already started are closed and the error is thrown.
 * @example
 * const worker = await createWorkerPool(createSfuWorker, { listenIp: '0.0.0.0' }); // one per core
 */
export async function createWorkerPool(
  create: CreateEngineWorker,
  options: EngineWorkerOptions = {},
  count?: number,
): Promise<EngineWorkerPool> {
  const n = workerCount(options, count);
  // Started together: each has its own port (or slice of the range).
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => create(workerOptions(options, i, n))));
  const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    for (const w of started) w.close();
    throw failed.reason;
  }
  return new EngineWorkerPool(started);
}
