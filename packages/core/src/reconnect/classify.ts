import { AlcoveError, isTerminalCode } from '../session/errors.js';
import type { AttemptVerdict } from './reconnect-controller.js';
import type { ReconnectTier } from './reconnect-policy.js';

/** Resumes refused with `INVALID_STATE` that are retried before escalating to a rejoin. */
const RESUME_STATE_RETRIES = 3;

/**
 * What a failed reconnect attempt means: `fatal` when the participant can never come back
 * (removed, denied, session ended, or the token itself refused on rejoin); `escalate` when the tier
 * cannot work (ICE restart failed; the resume ticket was refused); otherwise `retry` the same tier
 * after the policy's delay (network still down, server restarting). A resume refused with
 * `INVALID_STATE` (a server that still holds the old socket) is retried for the first
 * {@link RESUME_STATE_RETRIES} failed resumes of the cycle (`tierFailures`), since a rejoin could put
 * an admitted participant back in the waiting room.
 */
export function classifyReconnectFailure(error: unknown, tier: ReconnectTier, tierFailures = 1): AttemptVerdict {
  const code = error instanceof AlcoveError ? error.code : undefined;
  if (code && isTerminalCode(code)) return 'fatal';
  if (tier === 'rejoin' && (code === 'INVALID_TOKEN' || code === 'NOT_ALLOWED')) return 'fatal';
  if (tier === 'ice-restart') return 'escalate';
  if (tier === 'resume' && code === 'INVALID_STATE') return tierFailures > RESUME_STATE_RETRIES ? 'escalate' : 'retry';
  if (tier === 'resume' && (code === 'INVALID_TOKEN' || code === 'NOT_FOUND' || code === 'UNAUTHENTICATED')) return 'escalate';
  return 'retry';
}
