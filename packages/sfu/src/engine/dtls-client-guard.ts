import type { DtlsClient, DtlsServer } from 'werift';

/** DTLS handshake type of a HelloVerifyRequest (RFC 6347 §4.2.1). */
const HELLO_VERIFY_REQUEST = 3;

interface Assembled {
  readonly msg_type: number;
}
interface ClientInternals {
  onHandleHandshakes: (assembled: Assembled[]) => Promise<void>;
  readonly dtls: { readonly flight: number };
}

/**
 * Makes a werift `DtlsClient` ignore a HelloVerifyRequest that arrives after it already answered
 * one. A server answers every ClientHello it receives, so when the client's first ClientHello is
 * retransmitted (a loaded machine, a lost datagram), a second HelloVerifyRequest follows; werift's
 * client then throws on entering flight 3 twice and fails the handshake (`onError`), where RFC 6347
 * has it answer again or ignore it. Seen as a failed handshake in the SFU's Node tests under load.
 * Returns the client.
 */
export function ignoreRepeatedHelloVerify<T extends DtlsClient>(client: T): T {
  const c = client as unknown as ClientInternals;
  const handle = c.onHandleHandshakes;
  c.onHandleHandshakes = (assembled) => {
    if (c.dtls.flight >= 3 && assembled.length > 0 && assembled.every((h) => h.msg_type === HELLO_VERIFY_REQUEST)) return Promise.resolve();
    return handle(assembled);
  };
  return client;
}

/** Handshake types of the client's second flight (RFC 5246 §7.4): Certificate, ClientKeyExchange, CertificateVerify. */
const CLIENT_FLIGHT5 = new Set([11, 16, 15]);
/** Handshake type of a ClientHello. */
const CLIENT_HELLO = 1;

interface ServerInternals {
  onHandleHandshakes: (assembled: (Assembled & { fragment?: Uint8Array })[]) => Promise<void>;
  readonly connected: boolean;
  readonly dtls: { readonly flight: number; readonly handshakeCache: Record<number, { data: Assembled[] } | undefined> };
}

/**
 * Whether a ClientHello body carries a cookie (RFC 6347 §4.2.1: version, random, session id, then
 * the cookie, each length-prefixed); false when it cannot be read.
 */
export function clientHelloHasCookie(body: Uint8Array | undefined): boolean {
  if (!body || body.length < 35) return false;
  const at = 34 + 1 + body[34]!;
  return at < body.length && body[at]! > 0;
}

/**
 * Makes a werift `DtlsServer` ignore late copies of the client's handshake messages, which werift
 * takes as new: a first ClientHello (no cookie) once the server has answered the second one
 * resets the handshake and draws a new server random, so the keys the server derives no longer
 * match the client's; a ClientHello once the client's last flight is in (or after the handshake,
 * where werift renegotiates — WebRTC never does) starts the handshake over; a second Certificate /
 * ClientKeyExchange / CertificateVerify derives the master secret again over a handshake log that
 * already holds the first flight's end (extended master secret). Each makes the engine report DTLS
 * connected, or keep waiting, while the browser's handshake fails and no media ever comes. Copies
 * arrive when a client retransmits (its timer fired before the answer came: a loaded machine, a
 * slow path) or the network duplicates or reorders datagrams. A ClientHello copy while the server
 * is still at its flight 4 passes (werift answers it with that flight again), and so does the
 * client's Finished, so a client that missed the server's last flight gets it again.
 * Returns the server.
 */
export function ignoreRepeatedClientFlights<T extends DtlsServer>(server: T): T {
  const s = server as unknown as ServerInternals;
  const handle = s.onHandleHandshakes;
  s.onHandleHandshakes = (assembled) => {
    const flight = s.dtls.flight;
    const seen = s.dtls.handshakeCache[5]?.data ?? [];
    const fresh = assembled.filter((h) => {
      if (h.msg_type === CLIENT_HELLO) return !s.connected && flight <= 4 && (flight < 4 || clientHelloHasCookie(h.fragment));
      return !(CLIENT_FLIGHT5.has(h.msg_type) && seen.some((x) => x.msg_type === h.msg_type));
    });
    if (fresh.length === 0 && assembled.length > 0) return Promise.resolve();
    return handle(fresh);
  };
  return server;
}
