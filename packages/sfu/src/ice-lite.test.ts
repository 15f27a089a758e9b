import { createSocket, type Socket } from 'node:dgram';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  CipherContext,
  classes,
  DtlsServer,
  HashAlgorithm,
  Message,
  methods,
  NamedCurveAlgorithm,
  parseMessage,
  SignatureAlgorithm,
  type Transport as WeriftTransport,
} from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from './index.js';
import type { Router } from './router/router.js';
import type { WebRtcTransport } from './transport/webrtc-transport.js';

async function socket(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s;
}

function bindingRequest(ufrag: string, password: string, useCandidate: boolean): Buffer {
  const m = new Message(methods.BINDING, classes.REQUEST)
    .setAttribute('USERNAME', `${ufrag}:remote`)
    .setAttribute('PRIORITY', 1853817087)
    .setAttribute('ICE-CONTROLLING', 1n);
  if (useCandidate) m.setAttribute('USE-CANDIDATE', null);
  return m.addMessageIntegrity(Buffer.from(password)).addFingerprint().bytes;
}

/** Sends a datagram and resolves with the first reply (or undefined after `ms`). */
function exchange(s: Socket, data: Buffer, port: number, ms = 500): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      s.off('message', on);
      resolve(undefined);
    }, ms);
    const on = (msg: Buffer): void => {
      clearTimeout(timer);
      s.off('message', on);
      resolve(msg);
    };
    s.on('message', on);
    s.send(data, port, '127.0.0.1');
  });
}

describe('ICE-lite responder and demux', () => {
  let worker: Worker;
  let router: Router;
  let port: number;

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
    port = (await worker.dump()).udp.port;
  });
  afterAll(() => worker.close());

  it('answers authenticated binding requests by ufrag, selects the tuple and reports states', async () => {
    const t = await router.createWebRtcTransport({ iceConsentTimeout: 1 });
    const other = await router.createWebRtcTransport();
    const states: string[] = [];
    t.on('icestatechange', (s) => states.push(s));
    const tupleChanged = new Promise<unknown>((r) => t.on('iceselectedtuplechange', r));
    const s = await socket();
    const { usernameFragment, password } = t.iceParameters;
    const res = await exchange(s, bindingRequest(usernameFragment, password, true), port);
    expect(res).toBeDefined();
    const msg = parseMessage(res!, Buffer.from(password));
    expect(msg?.messageClass).toBe(classes.RESPONSE);
    expect(msg?.getAttributeValue('XOR-MAPPED-ADDRESS')).toEqual(['127.0.0.1', (s.address() as AddressInfo).port]);
    await tupleChanged;
    expect(t.iceSelectedTuple?.remotePort).toBe((s.address() as AddressInfo).port);
    await expect.poll(() => t.iceState).toBe('completed');
    expect(other.iceState).toBe('new');

    // Consent freshness: the peer goes silent → disconnected; a new check → completed again.
    await expect.poll(() => t.iceState, { timeout: 5000 }).toBe('disconnected');
    await exchange(s, bindingRequest(usernameFragment, password, false), port);
    await expect.poll(() => t.iceState, { timeout: 3000 }).toBe('completed');
    expect(states).toEqual(['completed', 'disconnected', 'completed']);
    s.close();
  });

  it('drops bad integrity, unknown ufrags, old ufrags after restartIce, and RTP from unknown tuples', async () => {
    const t = await router.createWebRtcTransport();
    const s = await socket();
    const stranger = await socket();
    const before = (await worker.dump()).drops;
    const { usernameFragment, password } = t.iceParameters;
    expect(await exchange(s, bindingRequest(usernameFragment, 'wrong-password-wrong-password!!', true), port, 200)).toBeUndefined();
    expect(await exchange(s, bindingRequest('nobody', password, true), port, 200)).toBeUndefined();
    expect(await exchange(s, bindingRequest(usernameFragment, password, true), port)).toBeDefined();
    const fresh = await t.restartIce();
    expect(await exchange(s, bindingRequest(usernameFragment, password, true), port, 200)).toBeUndefined();
    expect(await exchange(s, bindingRequest(fresh.usernameFragment, fresh.password, true), port)).toBeDefined();
    const rtp = Buffer.alloc(40);
    rtp[0] = 0x80;
    rtp[1] = 96;
    stranger.send(rtp, port, '127.0.0.1'); // never did ICE: no RTP-bleed
    const dtls = Buffer.alloc(30);
    dtls[0] = 22;
    stranger.send(dtls, port, '127.0.0.1');
    await new Promise((r) => setTimeout(r, 200));
    const after = (await worker.dump()).drops;
    expect(after.stunBadIntegrity - before.stunBadIntegrity).toBe(1);
    expect(after.stunUnknownUfrag - before.stunUnknownUfrag).toBe(2);
    expect(after.rtpUnknownTuple - before.rtpUnknownTuple).toBe(1);
    expect(after.dtlsUnknownTuple - before.dtlsUnknownTuple).toBe(1);
    expect(after.internalErrors).toBe(0);
    s.close();
    stranger.close();
  });

  it('runs DTLS as client when the remote takes the server role, and verifies its fingerprint', async () => {
    const t: WebRtcTransport = await router.createWebRtcTransport();
    const s = await socket();
    const { certPem, keyPem, signatureHash } = await CipherContext.createSelfSignedCertificateWithKey(
      { signature: SignatureAlgorithm.ecdsa_3, hash: HashAlgorithm.sha256_4 },
      NamedCurveAlgorithm.secp256r1_23,
    );
    const der = Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const fingerprint = createHash('sha256').update(der).digest('hex').toUpperCase().match(/.{2}/g)!.join(':');
    const shim: WeriftTransport = {
      type: 'udp',
      address: s.address() as AddressInfo,
      closed: false,
      onData: () => undefined,
      send: async (buf: Buffer) => {
        s.send(buf, port, '127.0.0.1');
      },
      close: async () => undefined,
    };
    const server = new DtlsServer({
      transport: shim,
      cert: certPem,
      key: keyPem,
      signatureHash,
      srtpProfiles: [1],
      extendedMasterSecret: true,
      certificateRequest: true,
    });
    s.on('message', (m) => {
      if (m[0]! >= 20 && m[0]! <= 63) shim.onData(m, ['127.0.0.1', port]);
    });
    const serverConnected = new Promise<void>((r) => server.onConnect.once(() => r()));
    await t.connect({ dtlsParameters: { role: 'server', fingerprints: [{ algorithm: 'sha-256', value: fingerprint }] } });
    const dtlsConnected = new Promise<void>((r) => t.on('dtlsstatechange', (st) => st === 'connected' && r()));
    s.send(bindingRequest(t.iceParameters.usernameFragment, t.iceParameters.password, true), port, '127.0.0.1');
    await Promise.all([serverConnected, dtlsConnected]);
    const [stats] = await t.getStats();
    expect(stats!.dtlsLocalRole).toBe('client');
    expect(stats!.srtpProfile).toBe('AES_CM_128_HMAC_SHA1_80');
    server.close();
    s.close();
  });
});
