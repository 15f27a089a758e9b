/**
 * Errors the library catches on purpose and does not rethrow (a best-effort close, a request whose
 * answer nobody waits for, an autoplay refusal): each one is counted by site and logged at debug
 * with its reason, so "nothing happened" can be told apart from "something failed quietly".
 * @packageDocumentation
 */
import { errorReason, type Logger } from './logger.js';

/**
 * Counts swallowed errors by site (`area.action`, e.g. `media.closeProducer`) and logs each at
 * debug under `alcove:<area>` as `<site>Failed` with `{ reason, count }`. `Session.diagnostics`
 * exposes the counts as `swallowedErrors`.
 * @example
 * ```ts
 * const swallowed = new SwallowedErrors(logger);
 * await request('media.closeProducer', { producerId }).catch(swallowed.handler('media.closeProducer'));
 * ```
 */
export class SwallowedErrors {
  readonly #log: Logger;
  readonly #counts = new Map<string, number>();

  constructor(logger: Logger) {
    this.#log = logger;
  }

  /** Counts `error` under `site` and logs it at debug. Never throws. */
  record(site: string, error: unknown, fields?: Readonly<Record<string, string | number | boolean | undefined>>): void {
    const count = (this.#counts.get(site) ?? 0) + 1;
    this.#counts.set(site, count);
    const dot = site.indexOf('.');
    const log = this.#log.child(dot > 0 ? site.slice(0, dot) : 'core');
    if (log.enabled('debug')) log.debug(`${site}Failed`, { ...fields, reason: errorReason(error), count });
  }

  /** A `.catch()` handler that records under `site` and resolves to `undefined`. */
  handler(site: string): (error: unknown) => undefined {
    return (error) => {
      this.record(site, error);
      return undefined;
    };
  }

  /** The counts so far, by site (a copy). */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#counts);
  }
}

/** Adds the counts of `more` into `into` (for diagnostics gathered from several owners). */
export function addCounts(into: Record<string, number>, more: Readonly<Record<string, number>> | undefined): Record<string, number> {
  if (more) for (const [k, v] of Object.entries(more)) into[k] = (into[k] ?? 0) + v;
  return into;
}
