import type { DtlsClient } from 'werift';

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
