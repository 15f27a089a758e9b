/**
 * The one error a join-token or resume-ticket check throws, whatever the reason.
 *
 * Its `message` is the same for every failure, so a caller (or an attacker probing the server) cannot
 * tell a forged signature from an expired token, a wrong audience, a missing claim or a barred
 * participant. The reason is kept only in the non-enumerable, never-serialised `internalReason` so a
 * server may count failures by kind without logging token content.
 */
export class InvalidTokenError extends Error {
  /** Always `INVALID_TOKEN` (the wire code from `@alcove/protocol`). */
  readonly code = 'INVALID_TOKEN' as const;
  /** A short, code-like reason for metrics (e.g. `signature`, `expired`, `claims`); never sent. */
  declare readonly internalReason: InvalidTokenReason;

  constructor(reason: InvalidTokenReason, options?: { cause?: unknown }) {
    super(INVALID_TOKEN_MESSAGE, options);
    this.name = 'InvalidTokenError';
    Object.defineProperty(this, 'internalReason', { value: reason, enumerable: false });
  }

  /** Serialises to the wire error shape only. */
  toJSON(): { code: 'INVALID_TOKEN'; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** The message of every {@link InvalidTokenError}. */
export const INVALID_TOKEN_MESSAGE = 'The join token is not valid.';

/** Why a token was rejected (internal only). */
export type InvalidTokenReason =
  | 'format'
  | 'algorithm'
  | 'signature'
  | 'expired'
  | 'not-yet-valid'
  | 'audience'
  | 'claims'
  | 'ttl'
  | 'session'
  | 'barred'
  | 'revoked'
  | 'ticket'
  | 'tenant';

/** A misconfigured token key (too short a secret, a key of the wrong type). Thrown at setup only. */
export class TokenKeyError extends Error {
  readonly code = 'TOKEN_KEY_INVALID' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenKeyError';
  }
}
