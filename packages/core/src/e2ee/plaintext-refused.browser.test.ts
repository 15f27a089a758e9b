import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAlcoveServer, mintJoinToken, type AlcoveServer } from '@alcove/server';
import { bundleForBrowser, startCall, waitFor, type CallFixture } from '@alcove/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreBrowserAlias, coreDir } from '../test/browser/site.js';

// Server fail-closed against a modified client: the client joins an E2EE-required session with
// the real SDK and a worker patched to pass every frame through unencrypted (it still answers the
// key handshake, so it looks like an E2EE client). The SFU sees frames without the E2EE trailer and
// the server closes those producers: the patched client and the host are told E2EE_NOT_ENCRYPTED,
// the audit trail has the line, and the host decodes nothing from the patched client.

const here = fileURLToPath(new URL('.', import.meta.url));
const SECRET = 'plaintext-refused-test-secret-0123456789';

/** Appended to the real worker bundle: every transform it sets up becomes a pass-through. */
const PATCH = `
;{
  const onMessage = self.onmessage;
  self.onmessage = (e) => {
    if (e.data && e.data.type === 'setup') onMessage.call(self, { data: { ...e.data, options: { ...e.data.options, mode: 'passthrough' } } });
    else onMessage.call(self, e);
  };
  const onTransform = self.onrtctransform;
  if (onTransform) self.onrtctransform = (e) => onTransform.call(self, { transformer: { readable: e.transformer.readable, writable: e.transformer.writable, options: { ...e.transformer.options, mode: 'passthrough' } } });
}
`;

describe('a client that claims E2EE but sends plaintext (Chromium, real server and SFU)', () => {
  let call: CallFixture<AlcoveServer>;

  beforeAll(async () => {
    const bundle = (entry: string) => bundleForBrowser(entry, { resolveDir: coreDir, alias: coreBrowserAlias });
    const [page, worker] = await Promise.all([
      bundle(join(here, '..', 'test', 'browser', 'e2ee-page.ts')),
      bundle(join(here, 'worker', 'e2ee-worker.ts')),
    ]);
    call = await startCall<AlcoveServer>({
      tmpPrefix: 'alcove-plaintext-',
      server: async ({ dataDir }) => {
        const s = await createAlcoveServer({ port: 0, tokens: { hs256Secret: SECRET }, allowedOrigins: ['*'], dataDir, logLevel: 'error' });
        await s.start();
        return s;
      },
      site: {
        '/index.html': '<!doctype html><meta charset="utf-8"><title>test</title><script type="module" src="/page.js"></script>',
        '/page.js': page,
        '/e2ee-worker.js': worker,
        '/e2ee-worker-patched.js': `${worker}\n${PATCH}`,
      },
    });
  });
  afterAll(async () => {
    await call?.close();
  });

  const open = async (patched: boolean): Promise<Page> => {
    const p = await call.newPage('/index.html');
    await waitFor('the test page to load', () => p.evaluate(() => 'alcoveE2ee' in window));
    if (patched) {
      // The "modified client": the same SDK, handed the patched worker.
      await p.evaluate(() => {
        const W = window.Worker;
        window.Worker = class extends W {
          constructor(url: string | URL, options?: WorkerOptions) {
            super(String(url) === '/e2ee-worker.js' ? '/e2ee-worker-patched.js' : url, options);
          }
        };
      });
    }
    return p;
  };
  const start = (p: Page, token: string): Promise<string> =>
    p.evaluate(([u, t]) => (window as any).alcoveE2ee.start(u, t, true), [call.server.wsUrl, token] as const);
  const token = (sid: string, pid: string, role: 'host' | 'client') =>
    mintJoinToken({ sid, pid, role, name: role === 'host' ? 'Therapist' : 'Client' }, { hs256Secret: SECRET, ttlS: 600 });
  const errors = (p: Page): Promise<string[]> => p.evaluate(() => [...(window as any).alcoveE2ee.errors]);

  it('has its producers closed, the client and host told E2EE_NOT_ENCRYPTED, and nothing decoded at the host', async () => {
    const session = call.server.registry.create({ waitingRoom: false });
    expect(session.policy.e2eeRequired).toBe(true);
    const host = await open(false);
    const patched = await open(true);
    try {
      expect(await start(host, await token(session.id, 'h', 'host'))).toBe('joined');
      // The host records, while they exist, how many frames its receive transforms opened from the
      // client (a closed transform's counters go with it, so read them before the server closes it).
      await host.evaluate(() => {
        const w = window as any;
        w.openedFromC = 0;
        const poll = async (): Promise<void> => {
          const all = (await w.alcoveE2ee.session?.getE2eeStats().catch(() => [])) ?? [];
          for (const x of all) if (x.direction === 'recv' && x.participantId === 'c') w.openedFromC = Math.max(w.openedFromC, x.frames);
          setTimeout(poll, 20);
        };
        void poll();
      });
      // It claims E2EE (the server lets it in and lets it publish).
      expect(await start(patched, await token(session.id, 'c', 'client'))).toBe('joined');
      const joinedAt = performance.now();

      await waitFor(
        'the patched client to be told its media was not encrypted',
        () => errors(patched),
        (e) => e.includes('E2EE_NOT_ENCRYPTED'),
      );
      const closedAfterMs = performance.now() - joinedAt;
      await waitFor(
        'the host to be told',
        () => errors(host),
        (e) => e.includes('E2EE_NOT_ENCRYPTED'),
      );
      console.info(`plaintext producer closed ${Math.round(closedAfterMs)} ms after the patched client joined`);
      // The patched client closed those producers itself and stopped their tracks: it sends nothing more.
      await waitFor(
        'the patched client to have closed its own producers and stopped their tracks',
        () =>
          patched.evaluate(() =>
            ((window as any).alcoveE2ee.session.localTracks as { producerId?: string; track: MediaStreamTrack | null }[]).map((t) => ({
              producer: t.producerId ?? null,
              live: t.track?.readyState === 'live',
            })),
          ),
        (local) => local.every((t) => t.producer === null && !t.live),
      );

      const audit = await waitFor(
        'the audit line',
        () => readFileSync(join(call.dataDir, 'audit.log'), 'utf8'),
        (text) => text.includes('"e2ee.notEncrypted"'),
      );
      expect(audit).toContain('E2EE_NOT_ENCRYPTED');

      // Nothing of the patched client reached the host's decoder. The host's own media kept
      // flowing meanwhile (its worker sealed frames), so the call itself was up.
      type T = { direction: string; participantId: string; track: string; frames: number };
      const hostStats = await waitFor(
        "the host's worker to have sealed its camera",
        () => host.evaluate(() => (window as any).alcoveE2ee.session.getE2eeStats()) as Promise<T[]>,
        (all) => all.some((x) => x.direction === 'send' && x.track === 'cam' && x.frames > 10),
      );
      expect(hostStats.filter((x) => x.direction === 'recv' && x.participantId === 'c').reduce((n, x) => n + x.frames, 0)).toBe(0);
      expect(await host.evaluate(() => (window as any).openedFromC)).toBe(0);
      const shown = await host.evaluate(() => {
        const v = document.getElementById('video-c') as HTMLVideoElement | null;
        return v
          ? { frames: v.getVideoPlaybackQuality().totalVideoFrames, width: v.videoWidth, height: v.videoHeight }
          : { frames: 0, width: 0, height: 0 };
      });
      // Nothing of the client's camera was shown. When the closed consumer's track ends, Chromium may
      // present one 2×2 black placeholder frame of its own (its transform opened nothing, dropped nothing).
      expect(shown.frames === 0 || (shown.frames === 1 && shown.width <= 2 && shown.height <= 2), JSON.stringify(shown)).toBe(true);
    } finally {
      await Promise.all([patched, host].map((p) => p.evaluate(() => (window as any).alcoveE2ee.session?.leave()).catch(() => undefined)));
      await call.closePages(patched, host);
    }
  });
});
