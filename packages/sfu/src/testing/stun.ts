/**
 * STUN binding requests as an ICE-controlling full agent sends them to an
 * ICE-lite server (RFC 8445 §7.2.4), built with werift's STUN message class.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { Message, classes, methods, parseMessage } from 'werift';

/** Builds a binding request with USERNAME `serverUfrag:clientUfrag`, PRIORITY, ICE-CONTROLLING, optionally USE-CANDIDATE, MESSAGE-INTEGRITY (server password) and FINGERPRINT. */
export function buildBindingRequest(opts: {
  serverUfrag: string;
  clientUfrag: string;
  serverPassword: string;
  tieBreaker: bigint;
  useCandidate: boolean;
  transactionId?: Buffer;
}): { bytes: Buffer; transactionId: Buffer } {
  const transactionId = opts.transactionId ?? randomBytes(12);
  const msg = new Message(methods.BINDING, classes.REQUEST, transactionId);
  msg.setAttribute('USERNAME', `${opts.serverUfrag}:${opts.clientUfrag}`);
  msg.setAttribute('PRIORITY', 1853817087);
  msg.setAttribute('ICE-CONTROLLING', opts.tieBreaker);
  if (opts.useCandidate) msg.setAttribute('USE-CANDIDATE', null);
  msg.addMessageIntegrity(Buffer.from(opts.serverPassword, 'utf8'));
  msg.addFingerprint();
  return { bytes: msg.bytes, transactionId };
}

/** Kind of a parsed STUN reply. */
export type StunReply = { kind: 'success' | 'error' | 'other'; transactionId: Buffer };

/** Parses a STUN datagram; undefined if it is not STUN. Never throws. */
export function parseStunReply(data: Buffer): StunReply | undefined {
  try {
    const msg = parseMessage(data);
    if (!msg) return undefined;
    const kind =
      msg.messageMethod === methods.BINDING && msg.messageClass === classes.RESPONSE
        ? 'success'
        : msg.messageMethod === methods.BINDING && msg.messageClass === classes.ERROR
          ? 'error'
          : 'other';
    return { kind, transactionId: msg.transactionId };
  } catch {
    return undefined;
  }
}

/**
 * The success response to a binding request a full ICE peer sends us (RFC 8445 §7.3), when its
 * MESSAGE-INTEGRITY verifies with our `password`; undefined otherwise. Never throws.
 */
export function buildBindingResponse(request: Buffer, password: string, address: string, port: number): Buffer | undefined {
  try {
    const msg = parseMessage(request, Buffer.from(password, 'utf8'));
    if (!msg || msg.messageMethod !== methods.BINDING || msg.messageClass !== classes.REQUEST) return undefined;
    const res = new Message(methods.BINDING, classes.RESPONSE, msg.transactionId);
    res.setAttribute('XOR-MAPPED-ADDRESS', [address, port]);
    res.addMessageIntegrity(Buffer.from(password, 'utf8'));
    res.addFingerprint();
    return res.bytes;
  } catch {
    return undefined;
  }
}
