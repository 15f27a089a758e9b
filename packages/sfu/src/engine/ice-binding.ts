/**
 * Authenticates an ICE binding request (RFC 8445 §7.3, ICE-lite side) the same way on UDP and
 * TCP: a STUN binding request whose USERNAME names a known local ufrag and whose
 * MESSAGE-INTEGRITY verifies with that transport's password.
 * @internal
 */
import { classes, methods, parseMessage } from 'werift';
import type { DropReason } from './context.js';

/** An authenticated binding request, or why it was dropped. */
export type BindingCheck<E> =
  | { ok: true; endpoint: E; transactionId: Buffer; useCandidate: boolean }
  | { ok: false; reason: DropReason; event: string };

/** Checks `data` against the endpoints known by ufrag. Never throws on malformed input. */
export function checkBindingRequest<E extends { readonly localPassword: Buffer }>(
  data: Buffer,
  endpointForUfrag: (ufrag: string) => E | undefined,
): BindingCheck<E> {
  let msg: ReturnType<typeof parseMessage>;
  try {
    msg = parseMessage(data);
  } catch {
    // werift throws on some truncated attributes: malformed, like an unparsable message.
    return { ok: false, reason: 'stunMalformed', event: 'ice.malformedStun' };
  }
  if (!msg || msg.messageMethod !== methods.BINDING || msg.messageClass !== classes.REQUEST) {
    return { ok: false, reason: 'stunMalformed', event: 'ice.malformedStun' };
  }
  const username: unknown = msg.getAttributeValue('USERNAME');
  if (typeof username !== 'string') return { ok: false, reason: 'stunMalformed', event: 'ice.noUsername' };
  const colon = username.indexOf(':');
  const local = colon >= 0 ? username.slice(0, colon) : username;
  const endpoint = endpointForUfrag(local);
  if (!endpoint) return { ok: false, reason: 'stunUnknownUfrag', event: 'ice.unknownUfrag' };
  let verified: ReturnType<typeof parseMessage>;
  try {
    verified = parseMessage(data, endpoint.localPassword);
  } catch {
    // Same as above: a message werift cannot parse never authenticates.
    verified = undefined;
  }
  if (!verified) return { ok: false, reason: 'stunBadIntegrity', event: 'ice.badIntegrity' };
  return { ok: true, endpoint, transactionId: verified.transactionId, useCandidate: verified.attributesKeys.includes('USE-CANDIDATE') };
}
