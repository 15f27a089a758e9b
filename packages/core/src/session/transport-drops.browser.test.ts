import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlcoveServer, mintJoinToken, type AlcoveServer } from '@alcove/server';
import { startCall, waitFor, waitForVideoFrames, type CallFixture } from '@alcove/testing';
import { startTestSite } from '../test/browser/site.js';

// The server drops the client's transports many times in a row, sometimes again while the client
// is still repairing the previous drop. After every drop, both sides must decode the other's video
// again, and no `reconnected` may come while a remote producer has no consumer. Every wait is for a
// condition; how long a recovery takes is measured by the session bench, not here.
const here = fileURLToPath(new URL('.', import.meta.url));
const SECRET = 'core-drop-test-secret-0123456789abcdef0123';
/** Consecutive drops; every second one is followed by a drop of the transports the repair creates. */
const DROPS = 8;

type Ev = [string, ...unknown[]];

describe('server-side transport drops, one after another', () => {
  let call: CallFixture<AlcoveServer>;
  const server = (): AlcoveServer => call.server;

  const token = (sid: string, pid: string, role: 'host' | 'client'): Promise<string> =>
    mintJoinToken({ sid, pid, role, name: role === 'host' ? 'Therapist' : 'Client' }, { hs256Secret: SECRET, ttlS: 600 });

  const openPage = async (name: string): Promise<Page> => {
    const page = await call.newPage('/index.html');
    await waitFor(`${name}'s test page to load`, () => page.evaluate(() => 'alcoveTest' in window));
    return page;
  };

  beforeAll(async () => {
    call = await startCall<AlcoveServer>({
      tmpPrefix: 'alcove-core-drops-',
      server: async ({ dataDir, previous }) => {
        const s = await createAlcoveServer({
          tokens: { hs256Secret: SECRET },
          allowedOrigins: ['*'],
          enableFaultHooks: true,
          logLevel: 'error',
          live: { graceMs: 15_000 },
          port: previous?.address?.port ?? 0,
          dataDir,
        });
        await s.start();
        return s;
      },
      site: () => startTestSite(join(here, '..', 'test', 'browser', 'page.ts')),
    });
  });

  afterAll(async () => {
    await call?.close();
  });

  it(`${DROPS} drops, some during the repair of the one before: media comes back both ways after each`, async () => {
    const pages: Page[] = [];
    try {
      const sid = server().registry.create({ e2eeRequired: false, waitingRoom: false, screenShare: 'everyone' }).id;
      const host = await openPage('host');
      pages.push(host);
      const client = await openPage('client');
      pages.push(client);
      const wsUrl = server().wsUrl as string;
      const start = (p: Page, t: string): Promise<string> =>
        p.evaluate(([u, tk]) => (window as any).alcoveTest.start(u, tk, {}), [wsUrl, t] as const);
      expect(await start(host, await token(sid, 'h', 'host'))).toBe('joined');
      expect(await start(client, await token(sid, 'c', 'client'))).toBe('joined');
      // At each `reconnected`: how many remote tracks the client receives (the host publishes 2).
      await client.evaluate(() => {
        const w = window as any;
        const s = w.alcoveTest.session;
        w.atReconnected = [] as number[];
        s.on('reconnected', () => w.atReconnected.push(s.remoteTracks.length));
      });
      await waitForVideoFrames(host, '#video-c-cam', 10);
      await waitForVideoFrames(client, '#video-h-cam', 10);

      const look = (): Promise<{ state: string; reconnected: number; last: string; recent: string[] }> =>
        client.evaluate(() => {
          const t = (window as any).alcoveTest;
          const evs = t.events as Ev[];
          const marks = evs.filter((e) => e[0] === 'reconnecting' || e[0] === 'reconnected');
          return {
            state: t.session.state as string,
            reconnected: marks.filter((e) => e[0] === 'reconnected').length,
            last: String(marks.at(-1)?.[0] ?? ''),
            recent: evs.slice(-8).map((e) => e.slice(0, 4).join(':')),
          };
        });

      for (let i = 0; i < DROPS; i++) {
        const before = (await look()).reconnected;
        expect(server().faults?.dropTransports(sid, 'c')).toBeGreaterThan(0);
        if (i % 2 === 1) {
          // Back to back: drop the transports the repair creates as soon as the server has them.
          const again = await waitFor(
            `drop ${i}: the repair to create new transports (dropped at once)`,
            () => server().faults?.dropTransports(sid, 'c') ?? 0,
            (n) => n > 0,
            { intervalMs: 20 },
          );
          expect(again).toBeGreaterThan(0);
        }
        const settled = await waitFor(
          `drop ${i}: the client to be joined again after its last reconnect`,
          look,
          (l) => l.state === 'joined' && l.last === 'reconnected' && l.reconnected > before,
        );
        expect(settled.state).toBe('joined');
        try {
          await waitForVideoFrames(client, '#video-h-cam', 10);
          await waitForVideoFrames(host, '#video-c-cam', 10);
        } catch (e) {
          // Which drop, and what the client went through (states, causes, error codes).
          throw new Error(`drop ${i}: ${(e as Error).message}; client: ${JSON.stringify(await look())}`, { cause: e });
        }
      }

      const atReconnected = (await client.evaluate(() => (window as any).atReconnected)) as number[];
      expect(atReconnected.length).toBeGreaterThanOrEqual(DROPS);
      // Never `reconnected` with one of the host's producers (mic, camera) left without a consumer.
      expect(atReconnected.filter((n) => n !== 2)).toEqual([]);
      const diagnostics = await waitFor(
        'the client to settle at 2 transports and no reconnect timer',
        () => client.evaluate(() => (window as any).alcoveTest.session.diagnostics as Record<string, unknown>),
        (d) => d.transports === 2 && d.reconnectTimer === false,
      );
      expect(diagnostics).toMatchObject({ transports: 2, reconnectTimer: false, signalingOpen: true });
    } finally {
      await Promise.all(pages.map((p) => p.evaluate(() => (window as any).alcoveTest.session?.leave()).catch(() => undefined)));
      await call.closePages(...pages.reverse());
    }
  }, 600_000);
});
