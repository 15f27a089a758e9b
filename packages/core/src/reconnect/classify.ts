import { AlcoveError, isTerminalCode } from '../session/errors.js';
import type { AttemptVerdict } from './reconnect-controller.js';
import type { ReconnectTier } from './reconnect-policy.js';

/**
 * What a failed reconnect attempt means: `fatal` when the participant can never come back
 * (removed, denied, session ended, or the token itself refused on rejoin); `escalate` when the tier
 * cannot work (ICE restart failed; the resume ticket was refused); otherwise `retry` the same tier
 * after the policy's delay (network still down, server restarting).
 */
export function classifyReconnectFailure(error: unknown, tier: ReconnectTier): AttemptVerdict {
  const code = error instanceof AlcoveError ? error.code : undefined;
  if (code && isTerminalCode(code)) return 'fatal';
  if (tier === 'rejoin' && (code === 'INVALID_TOKEN' || code === 'NOT_ALLOWED')) return 'fatal';
  if (tier === 'ice-restart') return 'escalate';
  if (tier === 'resume' && (code === 'INVALID_TOKEN' || code === 'NOT_FOUND' || code === 'UNAUTHENTICATED' || code === 'INVALID_STATE'))
    return 'escalate';
  return 'retry';
}
