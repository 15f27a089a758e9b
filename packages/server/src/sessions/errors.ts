/** Codes of {@link SessionError}. */
export type SessionErrorCode =
  | 'INVALID_POLICY'
  | 'SESSION_NOT_FOUND'
  | 'SESSION_ENDED'
  | 'TOO_MANY_SESSIONS'
  | 'INVALID_ARGUMENT'
  | 'PERSISTENCE_FAILED';

/** A failure of the session registry: bad policy input, unknown or ended session, storage failure. */
export class SessionError extends Error {
  readonly code: SessionErrorCode;
  /** For `INVALID_POLICY`: the offending field path, e.g. `maxParticipants`. */
  readonly field?: string;
  constructor(code: SessionErrorCode, message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SessionError';
    this.code = code;
    if (options?.field !== undefined) this.field = options.field;
  }
}
