import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAlcoveServer, mintJoinToken, type AlcoveServer } from '@alcove/server';
import { startCall, waitFor, waitForVideoFrames, type CallFixture } from '@alcove/testing';
import { startTestSite } from '../test/browser/site.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// End-to-end encrypted calls through the real server and SFU with the server's default policy
// (E2EE required): both sides run the E2EE worker, agree keys through the server without it
// reading them, see the same SAS, and decode each other's video. A client without the worker is
// refused publishing (fail closed).

const here = fileURLToPath(new URL('.', import.meta.url));
const SECRET = 'e2ee-browser-test-secret-0123456789abcdef';

type PageState = { sas: { peer: string; decimal: number[] }[]; keyed: string[]; errors: string[] };
const state = (p: Page): Promise<PageState> =>
  p.evaluate(() => {
    const w = (window as any).alcoveE2ee;
    return { sas: w.sas.map((s: any) => ({ peer: s.peer, decimal: s.decimal })), keyed: [...w.keyed], errors: [...w.errors] };
  });

describe('E2EE sessions in Chromium against the real server', () => {
  let call: CallFixture<AlcoveServer>;

  beforeAll(async () => {
    call = await startCall<AlcoveServer>({
      tmpPrefix: 'alcove-e2ee-browser-',
      server: async ({ dataDir }) => {
        const s = await createAlcoveServer({ port: 0, tokens: { hs256Secret: SECRET }, allowedOrigins: ['*'], dataDir, logLevel: 'error' });
        await s.start();
        return s;
      },
      site: () => startTestSite(join(here, '..', 'test', 'browser', 'e2ee-page.ts'), { e2eeWorker: true }),
    });
  });
  afterAll(async () => {
    await call?.close();
  });

  const open = async (): Promise<Page> => {
    const p = await call.newPage('/index.html');
    await waitFor('the test page to load', () => p.evaluate(() => 'alcoveE2ee' in window));
    return p;
  };
  const start = (p: Page, token: string, withWorker = true): Promise<string> =>
    p.evaluate(([u, t, w]) => (window as any).alcoveE2ee.start(u, t, w), [call.server.wsUrl, token, withWorker] as const);
  const token = (sid: string, pid: string, role: 'host' | 'client') =>
    mintJoinToken({ sid, pid, role, name: role === 'host' ? 'Therapist' : 'Client' }, { hs256Secret: SECRET, ttlS: 600 });
  const leave = (p: Page): Promise<unknown> => p.evaluate(() => (window as any).alcoveE2ee.session?.leave()).catch(() => undefined);

  it('host and client agree keys, see the same SAS, and decode each other through the SFU', async () => {
    const session = call.server.registry.create({}); // defaults: waiting room on, E2EE required
    expect(session.policy.e2eeRequired).toBe(true);
    const host = await open();
    const client = await open();
    try {
      expect(await start(host, await token(session.id, 'h', 'host'))).toBe('joined');
      expect(await start(client, await token(session.id, 'c', 'client'))).toBe('waiting');
      await waitFor("the client in the host's waiting list", () =>
        host.evaluate(() => (window as any).alcoveE2ee.session.waiting.some((w: any) => w.id === 'c')),
      );
      await host.evaluate(() => (window as any).alcoveE2ee.session.admit('c'));
      await waitFor(
        'the client to be joined',
        () => client.evaluate(() => (window as any).alcoveE2ee.session.state as string),
        (s) => s === 'joined',
      );

      await waitFor("the host to show the client's video", () => host.evaluate(() => !!document.getElementById('video-c')));
      await waitFor("the client to show the host's video", () => client.evaluate(() => !!document.getElementById('video-h')));
      const atHost = await waitForVideoFrames(host, '#video-c', 15);
      const atClient = await waitForVideoFrames(client, '#video-h', 15);
      expect(atHost.width).toBeGreaterThan(0);
      expect(atClient.width).toBeGreaterThan(0);

      // Both sides compute the SAS once the handshake settles: wait for it on both, then compare.
      const done = (s: PageState, peer: string): boolean => s.keyed.includes(peer) && s.sas.some((x) => x.peer === peer);
      const h = await waitFor(
        "the host to hold the client's key and a SAS",
        () => state(host),
        (s) => done(s, 'c'),
      );
      const c = await waitFor(
        "the client to hold the host's key and a SAS",
        () => state(client),
        (s) => done(s, 'h'),
      );
      const sasH = h.sas.find((s) => s.peer === 'c');
      const sasC = c.sas.find((s) => s.peer === 'h');
      expect(sasH?.decimal).toHaveLength(3);
      expect(sasH?.decimal).toEqual(sasC?.decimal);
      expect(h.errors.filter((e) => e === 'E2EE_HANDSHAKE_REFUSED')).toEqual([]);

      // The frames really go through the E2EE transforms (sealed by the sender, opened by the
      // receiver), on the path the session chose — not merely decoded.
      type T = { direction: string; participantId: string; track: string; frames: number; dropped: number };
      const e2eeStats = (p: Page): Promise<T[]> => p.evaluate(() => (window as any).alcoveE2ee.session.getE2eeStats());
      for (const [p, self, peer] of [
        [host, 'h', 'c'],
        [client, 'c', 'h'],
      ] as const) {
        const stats = await waitFor(
          `${self}'s worker to seal its camera and open ${peer}'s`,
          () => e2eeStats(p),
          (all) =>
            all.some((x) => x.direction === 'send' && x.track === 'cam' && x.frames > 10) &&
            all.some((x) => x.direction === 'recv' && x.participantId === peer && x.track === 'cam' && x.frames > 10),
        );
        expect(stats.find((x) => x.direction === 'recv' && x.participantId === peer && x.track === 'cam')?.dropped ?? 0).toBeLessThan(5);
      }
    } finally {
      await Promise.all([leave(client), leave(host)]);
      await call.closePages(client, host);
    }
  });

  it('a client without the E2EE worker is refused at the door of a session that requires E2EE', async () => {
    const session = call.server.registry.create({ waitingRoom: false });
    const p = await open();
    try {
      const code = await p.evaluate(
        ([u, t]) =>
          (window as any).alcoveE2ee.start(u, t, false).then(
            () => 'joined',
            (e: { code?: string }) => e.code,
          ),
        [call.server.wsUrl, await token(session.id, 'x', 'client')] as const,
      );
      expect(code).toBe('E2EE_REQUIRED');
      expect(await p.evaluate(() => (window as any).alcoveE2ee.session.localTracks.length)).toBe(0);
    } finally {
      await call.closePages(p);
    }
  });
});
