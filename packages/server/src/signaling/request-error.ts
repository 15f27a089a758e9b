/**
 * The error a request handler throws to answer a request with `{ok: false, error}`.
 * @packageDocumentation
 */
import type { ErrorCode } from '@alcove/protocol';

/**
 * A refusal with a stable wire code. `message` is for developers and never carries a token, a key,
 * a name or anything else a client typed.
 */
export class RequestError extends Error {
  /** The wire error code. */
  readonly code: ErrorCode;
  /** Whether the connection should be closed after the answer (failed join, barred participant). */
  readonly closeAfter: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; closeAfter?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RequestError';
    this.code = code;
    this.closeAfter = options.closeAfter ?? false;
  }
}
