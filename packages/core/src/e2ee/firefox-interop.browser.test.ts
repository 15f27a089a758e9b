import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAlcoveServer, mintJoinToken, type AlcoveServer } from '@alcove/server';
import {
  type FirefoxPage,
  findFirefox,
  launchFirefox,
  startCall,
  waitFor,
  waitForVideoFrames,
  type CallFixture,
  type TestFirefox,
} from '@alcove/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite } from '../test/browser/site.js';

// Chromium ↔ Firefox through the real server and SFU, E2EE on (the server's default policy).
// Chromium runs through playwright-core; Debian's Firefox ESR through puppeteer-core over WebDriver
// BiDi, with Firefox's fake camera and microphone. Firefox seals and opens frames through the
// standard RTCRtpScriptTransform; Chromium through whichever path the session picks. Both sides
// must decode the other's video and open its frames in their E2EE worker.

const here = fileURLToPath(new URL('.', import.meta.url));
const SECRET = 'firefox-interop-secret-0123456789abcdef';
/** Safety net of each wait (a loaded two-core machine runs two browsers here); never a performance limit. */
const SAFETY_MS = 120_000;

let firefoxPath: string | undefined;
try {
  firefoxPath = findFirefox();
} catch (e) {
  // CI installs firefox-esr and sets ALCOVE_REQUIRE_FIREFOX=1: there a missing Firefox fails the run.
  if (process.env.ALCOVE_REQUIRE_FIREFOX === '1') throw e;
  console.warn(`[firefox-interop] SKIPPED: ${(e as Error).message}`);
}

type E2eeStat = { direction: string; participantId: string; track: string; path?: string; frames: number; dropped: number };
type PageState = { state?: string; keyed: string[]; errors: string[]; e2ee: E2eeStat[] };

/** The same probe in either browser: page state and the session's E2EE counters. */
const probe = (): Promise<PageState> | PageState => {
  const w = (window as any).alcoveE2ee;
  const s = w.session;
  return Promise.resolve(s ? s.getE2eeStats() : []).then((e2ee: E2eeStat[]) => ({
    state: s?.state,
    keyed: [...w.keyed],
    errors: [...w.errors],
    e2ee,
  }));
};
/**
 * Width and frames presented by a `<video>`, or undefined while it does not exist. Firefox does not
 * count MediaStream frames in getVideoPlaybackQuality(), so frames are counted with
 * requestVideoFrameCallback (installed on the first probe).
 */
const videoStats = (id: string): { width: number; frames: number } | undefined => {
  const v = document.getElementById(id) as (HTMLVideoElement & { alcoveFrames?: number }) | null;
  if (!v) return undefined;
  if (v.alcoveFrames === undefined) {
    v.alcoveFrames = 0;
    const count = (): void => {
      v.alcoveFrames = (v.alcoveFrames ?? 0) + 1;
      v.requestVideoFrameCallback(count);
    };
    v.requestVideoFrameCallback(count);
  }
  return { width: v.videoWidth, frames: v.alcoveFrames };
};

describe.skipIf(!firefoxPath)('Chromium and Firefox in one E2EE call through the real server', () => {
  let call: CallFixture<AlcoveServer>;
  let firefox: TestFirefox;

  beforeAll(async () => {
    call = await startCall<AlcoveServer>({
      tmpPrefix: 'alcove-firefox-interop-',
      server: async ({ dataDir }) => {
        const s = await createAlcoveServer({ port: 0, tokens: { hs256Secret: SECRET }, allowedOrigins: ['*'], dataDir, logLevel: 'error' });
        await s.start();
        return s;
      },
      site: () => startTestSite(join(here, '..', 'test', 'browser', 'firefox-page.ts'), { e2eeWorker: true }),
    });
    firefox = await launchFirefox({ executablePath: firefoxPath as string });
  }, 180_000);
  afterAll(async () => {
    try {
      await firefox?.close();
    } finally {
      await call?.close();
    }
  });

  const token = (sid: string, pid: string, role: 'host' | 'client') =>
    mintJoinToken({ sid, pid, role, name: role === 'host' ? 'Therapist' : 'Client' }, { hs256Secret: SECRET, ttlS: 600 });

  const openFirefox = async (): Promise<FirefoxPage> => {
    const p = await firefox.newPage();
    await p.goto(`${call.site?.url}/index.html`);
    await waitFor('the test page to load in Firefox', () => p.evaluate(() => 'alcoveE2ee' in window));
    return p;
  };
  const openChromium = async (): Promise<Page> => {
    const p = await call.newPage('/index.html');
    await waitFor('the test page to load in Chromium', () => p.evaluate(() => 'alcoveE2ee' in window));
    return p;
  };

  it('a Chromium therapist and a Firefox client decode each other, every frame through the E2EE worker', { timeout: 600_000 }, async () => {
    const session = call.server.registry.create({ waitingRoom: false }); // E2EE required by default
    expect(session.policy.e2eeRequired).toBe(true);
    const host = await openChromium();
    let client: FirefoxPage | undefined;
    try {
      const ua = await firefox.version();
      expect(ua).toMatch(/^firefox\//i);
      client = await openFirefox();
      const ff = client;
      expect(await ff.evaluate(() => typeof (globalThis as any).RTCRtpScriptTransform)).toBe('function');

      const wsUrl = call.server.wsUrl as string;
      expect(
        await host.evaluate(([u, t]) => (window as any).alcoveE2ee.start(u, t, true), [
          wsUrl,
          await token(session.id, 'h', 'host'),
        ] as const),
      ).toBe('joined');
      const joined = await ff.evaluate(
        (u: string, t: string) =>
          (window as any).alcoveE2ee.start(u, t, true).then(
            (s: string) => s,
            (e: { code?: string; message?: string }) => `failed: ${e.code} ${e.message}`,
          ),
        wsUrl,
        await token(session.id, 'c', 'client'),
      );
      expect(joined).toBe('joined');

      // Chromium decodes Firefox's camera, and Firefox decodes Chromium's.
      await waitFor("Chromium to show Firefox's video", () => host.evaluate(() => !!document.getElementById('video-c')), undefined, {
        timeoutMs: SAFETY_MS,
      });
      const atHost = await waitForVideoFrames(host, '#video-c', 15, SAFETY_MS);
      expect(atHost.width).toBeGreaterThan(0);
      const first = await waitFor(
        "Firefox to show Chromium's video",
        () => ff.evaluate(videoStats, 'video-h'),
        (v) => v !== undefined && v.width > 0 && v.frames > 0,
        { timeoutMs: SAFETY_MS },
      );
      const later = await waitFor(
        "Firefox to decode 15 more of Chromium's frames",
        () => ff.evaluate(videoStats, 'video-h'),
        (v) => v !== undefined && v.frames >= (first?.frames ?? 0) + 15,
        { timeoutMs: SAFETY_MS },
      );
      expect(later?.frames).toBeGreaterThan(first?.frames ?? 0);

      // Each side seals its camera and opens the other's in its worker, on the standard path in Firefox.
      const sealedAndOpened = (s: PageState, peer: string): boolean =>
        s.keyed.includes(peer) &&
        s.e2ee.some((x) => x.direction === 'send' && x.track === 'cam' && x.frames > 10) &&
        s.e2ee.some((x) => x.direction === 'recv' && x.participantId === peer && x.track === 'cam' && x.frames > 10);
      const h = await waitFor(
        "Chromium to seal its camera and open Firefox's",
        () => host.evaluate(probe),
        (s) => sealedAndOpened(s, 'c'),
        { timeoutMs: SAFETY_MS },
      );
      const c = await waitFor(
        "Firefox to seal its camera and open Chromium's",
        () => ff.evaluate(probe),
        (s) => sealedAndOpened(s, 'h'),
        { timeoutMs: SAFETY_MS },
      );
      for (const [s, peer] of [
        [h, 'c'],
        [c, 'h'],
      ] as const) {
        expect(s.errors).toEqual([]);
        expect(s.e2ee.find((x) => x.direction === 'recv' && x.participantId === peer && x.track === 'cam')?.dropped ?? 0).toBeLessThan(5);
      }
      // Audio flows both ways too (opened by the worker, not only video).
      expect(h.e2ee.some((x) => x.direction === 'recv' && x.participantId === 'c' && x.track === 'mic' && x.frames > 0)).toBe(true);
      expect(c.e2ee.some((x) => x.direction === 'recv' && x.participantId === 'h' && x.track === 'mic' && x.frames > 0)).toBe(true);
    } finally {
      await host.evaluate(() => (window as any).alcoveE2ee.session?.leave()).catch(() => undefined);
      await client?.evaluate(() => (window as any).alcoveE2ee.session?.leave()).catch(() => undefined);
      await client
        ?.browserContext()
        .close()
        .catch(() => undefined);
      await call.closePages(host);
    }
  });

  it('what Firefox lacks is refused before join: a forced legacy transform path is UNSUPPORTED_FEATURE at Session.create', async () => {
    const session = call.server.registry.create({ waitingRoom: false });
    const wsUrl = call.server.wsUrl as string;
    const t = await token(session.id, 'x', 'client');
    const chromium = await openChromium();
    let ff: FirefoxPage | undefined;
    try {
      ff = await openFirefox();
      expect(
        await ff.evaluate((u: string, tok: string) => (window as any).alcoveFirefox.createWithPath(u, tok, 'legacy') as string, wsUrl, t),
      ).toBe('UNSUPPORTED_FEATURE');
      expect(
        await ff.evaluate((u: string, tok: string) => (window as any).alcoveFirefox.createWithPath(u, tok, 'standard') as string, wsUrl, t),
      ).toBe('created');
      // Chromium has both paths.
      expect(
        await chromium.evaluate(([u, tok]) => (window as any).alcoveFirefox.createWithPath(u, tok, 'legacy') as string, [
          wsUrl,
          t,
        ] as const),
      ).toBe('created');
    } finally {
      await ff
        ?.browserContext()
        .close()
        .catch(() => undefined);
      await call.closePages(chromium);
    }
  });
});
