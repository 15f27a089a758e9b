import { DtlsClient, DtlsServer } from 'werift';
import { describe, expect, it } from 'vitest';
import { clientHelloHasCookie, ignoreRepeatedClientFlights, ignoreRepeatedHelloVerify } from './dtls-client-guard.js';
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

/**
 * A real werift client and server over an in-order channel (as ICE-TCP is) on which each packet
 * the client sends is followed by a late copy of the one it sent before: the first ClientHello
 * arrives again after the second, the second after the client's last flight, and so on, as
 * retransmissions land when the machine or the path is slow. Resolves whether both sides connected
 * (within `waitMs`) and, if so, whether their SRTP keys agree.
 */
async function handshake(guard: boolean, waitMs: number): Promise<{ connected: boolean; keysAgree: boolean }> {
  const cert = await getEndpointCertificate();
  const end = () => ({
    onData: (_b: Buffer): unknown => undefined,
    send: async (_b: Buffer): Promise<void> => undefined,
    close: async (): Promise<void> => undefined,
  });
  const fromClient = end();
  const fromServer = end();
  let chain = Promise.resolve();
  const deliver = (to: { onData: (b: Buffer) => unknown }, b: Buffer) => {
    chain = chain.then(
      () =>
        new Promise<void>((r) =>
          setImmediate(() => {
            to.onData(Buffer.from(b));
            r();
          }),
        ),
    );
  };
  let previous: Buffer | undefined;
  fromClient.send = async (b) => {
    deliver(fromServer, b);
    if (previous) deliver(fromServer, previous);
    previous = Buffer.from(b);
  };
  fromServer.send = async (b) => deliver(fromClient, b);
  const common = {
    cert: cert.certPem,
    key: cert.keyPem,
    signatureHash: cert.signatureHash,
    srtpProfiles: [1 as const],
    extendedMasterSecret: true,
  };
  const client = ignoreRepeatedHelloVerify(new DtlsClient({ ...common, transport: fromClient as never }));
  const bare = new DtlsServer({ ...common, transport: fromServer as never, certificateRequest: true });
  const server = guard ? ignoreRepeatedClientFlights(bare) : bare;
  const connected = (x: DtlsClient | DtlsServer) =>
    new Promise<boolean>((r) => {
      const t = setTimeout(() => r(false), waitMs);
      x.onConnect.once(() => {
        clearTimeout(t);
        r(true);
      });
    });
  void client.connect().catch(() => undefined);
  const both = (await Promise.all([connected(client), connected(server)])).every(Boolean);
  try {
    if (!both) return { connected: false, keysAgree: false };
    // Let the copies still queued arrive before comparing.
    await chain;
    await new Promise((r) => setTimeout(r, 50));
    const c = client.extractSessionKeys(16, 14);
    const sv = server.extractSessionKeys(16, 14);
    return { connected: true, keysAgree: c.localKey.equals(sv.remoteKey) && c.remoteKey.equals(sv.localKey) };
  } catch {
    return { connected: true, keysAgree: false };
  } finally {
    client.close();
    server.close();
  }
}

describe('ignoreRepeatedClientFlights', () => {
  it('completes the handshake with agreeing keys when late copies of each client flight arrive', async () => {
    // 30 s: a safety net for a loaded machine, not a limit (a handshake here takes milliseconds).
    for (let i = 0; i < 3; i++) expect(await handshake(true, 30_000)).toEqual({ connected: true, keysAgree: true });
  });

  it('without the guard the late copies break the handshake (what it works around)', async () => {
    const runs = [];
    // Broken either way: stuck (given up after 3 s) or connected with keys that disagree.
    for (let i = 0; i < 2; i++) runs.push(await handshake(false, 3000));
    expect(runs.filter((r) => r.connected && r.keysAgree)).toHaveLength(0);
  });

  it('drops a late first ClientHello, any ClientHello once the last flight is in, and repeated client flight messages; passes the rest', async () => {
    const cert = await getEndpointCertificate();
    const bare = new DtlsServer({
      transport: { onData: undefined, send: async () => undefined, close: async () => undefined } as never,
      cert: cert.certPem,
      key: cert.keyPem,
      signatureHash: cert.signatureHash,
      certificateRequest: true,
    });
    type Msg = { msg_type: number; fragment?: Uint8Array };
    const inner = bare as unknown as {
      onHandleHandshakes: (a: Msg[]) => Promise<void>;
      connected: boolean;
      dtls: { flight: number; handshakeCache: Record<number, { data: Msg[] }> };
    };
    const seen: number[][] = [];
    inner.onHandleHandshakes = async (a) => void seen.push(a.map((h) => h.msg_type * 10 + (clientHelloHasCookie(h.fragment) ? 1 : 0)));
    ignoreRepeatedClientFlights(bare);
    // version, random, empty session id, then the cookie (length-prefixed).
    const hello = (cookie: number) => ({
      msg_type: 1,
      fragment: Uint8Array.from([254, 253, ...new Array(32).fill(7), 0, cookie, ...new Array(cookie).fill(9)]),
    });
    inner.dtls.flight = 0;
    await inner.onHandleHandshakes([hello(0)]); // first ClientHello: passes
    inner.dtls.flight = 2;
    await inner.onHandleHandshakes([hello(0)]); // a copy before the second: passes (werift answers again)
    await inner.onHandleHandshakes([hello(20)]); // the second
    inner.dtls.flight = 4;
    await inner.onHandleHandshakes([hello(0)]); // a late first: dropped
    await inner.onHandleHandshakes([hello(20)]); // a copy of the second at flight 4: passes
    await inner.onHandleHandshakes([{ msg_type: 11 }, { msg_type: 16 }]);
    inner.dtls.handshakeCache[5] = { data: [{ msg_type: 11 }, { msg_type: 16 }] };
    await inner.onHandleHandshakes([{ msg_type: 11 }, { msg_type: 16 }, { msg_type: 15 }]); // only 15 is new
    await inner.onHandleHandshakes([{ msg_type: 20 }]);
    inner.dtls.flight = 6;
    await inner.onHandleHandshakes([hello(20)]); // after the last flight: dropped
    inner.connected = true;
    await inner.onHandleHandshakes([hello(20)]); // after the handshake: dropped (no renegotiation)
    await inner.onHandleHandshakes([{ msg_type: 20 }]); // Finished again: passes
    expect(seen).toEqual([[10], [10], [11], [11], [110, 160], [150], [200], [200]]);
  });

  it('reads whether a ClientHello has a cookie, and says no to what it cannot read', () => {
    const body = (sid: number, cookie: number) =>
      Uint8Array.from([254, 253, ...new Array(32).fill(1), sid, ...new Array(sid).fill(2), cookie, ...new Array(cookie).fill(3)]);
    expect(clientHelloHasCookie(body(0, 0))).toBe(false);
    expect(clientHelloHasCookie(body(0, 20))).toBe(true);
    expect(clientHelloHasCookie(body(32, 20))).toBe(true);
    expect(clientHelloHasCookie(body(32, 0))).toBe(false);
    expect(clientHelloHasCookie(new Uint8Array(10))).toBe(false);
    expect(clientHelloHasCookie(undefined)).toBe(false);
    expect(clientHelloHasCookie(Uint8Array.from([254, 253, ...new Array(32).fill(1), 200]))).toBe(false);
  });
});
