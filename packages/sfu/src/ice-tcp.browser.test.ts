import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureAudioLevel, waitFor, waitForVideoFrames } from '@alcove/testing';
import { startSfuRig, type SfuBrowserRig } from './testing/browser-rig.js';

// Unmodified mediasoup-client in Chromium against transports that offer only the worker's
// passive ICE-TCP candidate: video and audio go through RFC 4571-framed STUN, DTLS and SRTP.
// (The namespace tests in @alcove/server block UDP on a real link; this one proves the engine side.)
describe('ICE over TCP with mediasoup-client in Chromium', () => {
  let rig: SfuBrowserRig;
  let a: Page;
  let b: Page;

  beforeAll(async () => {
    rig = await startSfuRig({ protocols: ['tcp'] });
    a = await rig.openPage();
    b = await rig.openPage();
  });

  afterAll(() => rig?.close());

  it('carries VP8 and Opus both ways of the engine over TCP-only transports', async () => {
    const before = await rig.worker.dump();
    const pub = await a.evaluate(() => (globalThis as any).app.publish());
    const sub = await b.evaluate((ids) => (globalThis as any).app.subscribe(ids), [pub.video, pub.audio]);
    for (const t of rig.sig.transports.values()) expect(t.iceCandidates.map((c) => c.protocol)).toEqual(['tcp']);
    // A timeout says where the path stopped: both transports' ICE/DTLS states and the worker's drops.
    const first = await waitForVideoFrames(b, '#remote', 15, 30_000).catch(async (e: unknown) => {
      const states = [...rig.sig.transports.values()].map((t) => `${t.iceState}/${t.dtlsState}/${t.iceSelectedTuple?.protocol ?? '-'}`);
      const dump = await rig.worker.dump();
      const drops = Object.entries(dump.drops).filter(([, n]) => n > 0);
      // What the publishing Chromium says of its side: the transport's DTLS/ICE states and what it sent.
      const sender = await a.evaluate(async () => {
        const t = (globalThis as any).sendTransport;
        const out: string[] = [`connectionState=${t?.connectionState}`];
        for (const r of (await t?.getStats())?.values() ?? []) {
          if (r.type === 'transport')
            out.push(`dtls=${r.dtlsState} ice=${r.iceState} bytesSent=${r.bytesSent} bytesReceived=${r.bytesReceived}`);
          if (r.type === 'outbound-rtp') out.push(`${r.kind}: packetsSent=${r.packetsSent} framesEncoded=${r.framesEncoded ?? '-'}`);
        }
        return out.join(', ');
      });
      throw new Error(
        `${String(e)}; transports ${states.join(' ')}; tcp ${JSON.stringify(dump.tcp)}; drops ${JSON.stringify(drops)}; sender ${sender}`,
        { cause: e },
      );
    });
    expect(first.width).toBeGreaterThan(0);
    const later = await waitForVideoFrames(b, '#remote', 10, 20_000);
    expect(later.decodedFrames).toBeGreaterThan(first.decodedFrames);
    const level = await waitFor(
      'page b to hear page a',
      () => measureAudioLevel(b, 'remoteStream', 500),
      (l) => l > 0.001,
    );
    expect(level).toBeGreaterThan(0.001);
    for (const id of [pub.transportId, sub.transportId]) {
      const t = rig.sig.transports.get(id)!;
      expect(t.iceSelectedTuple?.protocol).toBe('tcp');
      expect(t.dtlsState).toBe('connected');
    }
    const after = await rig.worker.dump();
    // Everything came over TCP: no datagram reached the UDP socket, frames did reach the TCP one.
    expect(after.udp.datagramsReceived).toBe(before.udp.datagramsReceived);
    expect(after.tcp!.framesReceived).toBeGreaterThan(before.tcp!.framesReceived);
    expect(after.drops.tcpMalformed).toBe(0);
  });
});
