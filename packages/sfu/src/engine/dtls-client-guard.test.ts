import { DtlsClient } from 'werift';
import { describe, expect, it } from 'vitest';
import { ignoreRepeatedHelloVerify } from './dtls-client-guard.js';
import { getEndpointCertificate } from '../testing/certificate.js';

type Internals = { onHandleHandshakes: (a: { msg_type: number }[]) => Promise<void>; dtls: { flight: number } };

/** A werift DTLS client on a transport that sends nowhere (its handshake is never started). */
async function bareClient(): Promise<DtlsClient> {
  const cert = await getEndpointCertificate();
  return new DtlsClient({
    transport: { onData: undefined, send: async () => undefined, close: async () => undefined } as never,
    cert: cert.certPem,
    key: cert.keyPem,
    signatureHash: cert.signatureHash,
    extendedMasterSecret: true,
  });
}

async function client(): Promise<{ c: DtlsClient; inner: Internals; seen: number[][] }> {
  const c = await bareClient();
  const inner = c as unknown as Internals;
  const seen: number[][] = [];
  // Stand-in for werift's own handler: records what reaches it, fails as werift does on a second flight 3.
  inner.onHandleHandshakes = async (a) => {
    seen.push(a.map((h) => h.msg_type));
    if (a.some((h) => h.msg_type === 3)) {
      if (inner.dtls.flight === 3) throw new Error('flight 3 twice');
      inner.dtls.flight = 3;
    }
  };
  return { c, inner, seen };
}

describe('ignoreRepeatedHelloVerify', () => {
  it('passes the first HelloVerifyRequest on and drops a repeated one, so the handshake does not fail', async () => {
    const { c, inner, seen } = await client();
    inner.dtls.flight = 1;
    ignoreRepeatedHelloVerify(c);
    await inner.onHandleHandshakes([{ msg_type: 3 }]);
    await expect(inner.onHandleHandshakes([{ msg_type: 3 }])).resolves.toBeUndefined();
    expect(seen).toEqual([[3]]);
  });

  it('passes everything else on, also after flight 3', async () => {
    const { c, inner, seen } = await client();
    inner.dtls.flight = 3;
    ignoreRepeatedHelloVerify(c);
    await inner.onHandleHandshakes([{ msg_type: 2 }, { msg_type: 11 }]);
    await inner.onHandleHandshakes([]);
    expect(seen).toEqual([[2, 11], []]);
  });

  it('without the guard the repeated request fails the handshake (what it works around)', async () => {
    const { inner } = await client();
    inner.dtls.flight = 1;
    await inner.onHandleHandshakes([{ msg_type: 3 }]);
    await expect(inner.onHandleHandshakes([{ msg_type: 3 }])).rejects.toThrow('flight 3 twice');
  });

  it("werift's client still has the handler and the flight counter the guard relies on", async () => {
    const inner = (await bareClient()) as unknown as Internals;
    expect(typeof inner.onHandleHandshakes).toBe('function');
    expect(typeof inner.dtls.flight).toBe('number');
  });
});
