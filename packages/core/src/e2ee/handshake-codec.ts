import { HandshakeError, type CommitMessage, type RevealMessage } from './handshake.js';
import { fromBase64, toBase64 } from './encoding.js';

/**
 * Wire encoding of the pair handshake's messages (base64 of JSON with base64 byte fields), shared
 * by the media key agreement (in the worker) and the sealed checklist channel (main thread).
 */

const enc = new TextEncoder();
const dec = new TextDecoder();

/** A COMMIT as a relay payload. */
export function encodeCommit(m: CommitMessage): string {
  return toBase64(
    enc.encode(JSON.stringify({ ...m, identityKey: toBase64(m.identityKey), commitment: toBase64(m.commitment), sig: toBase64(m.sig) })),
  );
}
/** A REVEAL as a relay payload. */
export function encodeReveal(m: RevealMessage): string {
  return toBase64(enc.encode(JSON.stringify({ ...m, ephemeralKey: toBase64(m.ephemeralKey), sig: toBase64(m.sig) })));
}
function decodeJson(payload: string): Record<string, unknown> {
  const bytes = fromBase64(payload);
  if (!bytes) throw new HandshakeError('MALFORMED');
  let v: unknown;
  try {
    v = JSON.parse(dec.decode(bytes));
  } catch {
    throw new HandshakeError('MALFORMED');
  }
  if (!v || typeof v !== 'object') throw new HandshakeError('MALFORMED');
  return v as Record<string, unknown>;
}
const str = (v: unknown): string => {
  if (typeof v !== 'string' || v.length > 256) throw new HandshakeError('MALFORMED');
  return v;
};
const bin = (v: unknown): Uint8Array => {
  const b = fromBase64(str(v));
  if (!b) throw new HandshakeError('MALFORMED');
  return b;
};
/**
 * A COMMIT from a relay payload.
 * @throws {HandshakeError} `MALFORMED`.
 */
export function decodeCommit(payload: string): CommitMessage {
  const o = decodeJson(payload);
  if (o.v !== 1 || o.type !== 'commit') throw new HandshakeError('MALFORMED');
  return {
    v: 1,
    type: 'commit',
    sid: str(o.sid),
    from: str(o.from),
    to: str(o.to),
    role: str(o.role),
    identityKey: bin(o.identityKey),
    commitment: bin(o.commitment),
    sig: bin(o.sig),
  };
}
/**
 * A REVEAL from a relay payload.
 * @throws {HandshakeError} `MALFORMED`.
 */
export function decodeReveal(payload: string): RevealMessage {
  const o = decodeJson(payload);
  if (o.v !== 1 || o.type !== 'reveal') throw new HandshakeError('MALFORMED');
  return { v: 1, type: 'reveal', sid: str(o.sid), from: str(o.from), to: str(o.to), ephemeralKey: bin(o.ephemeralKey), sig: bin(o.sig) };
}
