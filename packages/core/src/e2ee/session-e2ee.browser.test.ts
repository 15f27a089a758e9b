import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAlcoveServer, mintJoinToken, type AlcoveServer } from '@alcove/server';
import { launchBrowser, waitForVideoFrames, type StaticServer, type TestBrowser } from '@alcove/testing';
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
  let server: AlcoveServer;
  let web: StaticServer;
  let tb: TestBrowser;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'alcove-e2ee-browser-'));
    server = await createAlcoveServer({ port: 0, tokens: { hs256Secret: SECRET }, allowedOrigins: ['*'], dataDir, logLevel: 'error' });
    await server.start();
    web = await startTestSite(join(here, '..', 'test', 'browser', 'e2ee-page.ts'), { e2eeWorker: true });
    tb = await launchBrowser();
  });
  afterAll(async () => {
    await tb?.close();
    await web?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const open = async (): Promise<Page> => {
    const p = await tb.newPage();
    await p.goto(`${web.url}/index.html`);
    await p.waitForFunction(() => 'alcoveE2ee' in window);
    return p;
  };
  const start = (p: Page, token: string, withWorker = true): Promise<string> =>
    p.evaluate(([u, t, w]) => (window as any).alcoveE2ee.start(u, t, w), [server.wsUrl, token, withWorker] as const);
  const token = (sid: string, pid: string, role: 'host' | 'client') =>
    mintJoinToken({ sid, pid, role, name: role === 'host' ? 'Therapist' : 'Client' }, { hs256Secret: SECRET, ttlS: 600 });

  it('host and client agree keys, see the same SAS, and decode each other through the SFU', async () => {
    const session = server.registry.create({}); // defaults: waiting room on, E2EE required
    expect(session.policy.e2eeRequired).toBe(true);
    const host = await open();
    const client = await open();
    try {
      expect(await start(host, await token(session.id, 'h', 'host'))).toBe('joined');
      expect(await start(client, await token(session.id, 'c', 'client'))).toBe('waiting');
      await host.waitForFunction(() => (window as any).alcoveE2ee.session.waiting.some((w: any) => w.id === 'c'), undefined, { timeout: 20_000 });
      await host.evaluate(() => (window as any).alcoveE2ee.session.admit('c'));
      await client.waitForFunction(() => (window as any).alcoveE2ee.session.state === 'joined', undefined, { timeout: 20_000 });

      await host.waitForFunction(() => !!document.getElementById('video-c'), undefined, { timeout: 20_000 });
      await client.waitForFunction(() => !!document.getElementById('video-h'), undefined, { timeout: 20_000 });
      const atHost = await waitForVideoFrames(host, '#video-c', 15, 30_000);
      const atClient = await waitForVideoFrames(client, '#video-h', 15, 30_000);
      expect(atHost.width).toBeGreaterThan(0);
      expect(atClient.width).toBeGreaterThan(0);

      const h = await state(host);
      const c = await state(client);
      expect(h.keyed).toContain('c');
      expect(c.keyed).toContain('h');
      const sasH = h.sas.find((s) => s.peer === 'c');
      const sasC = c.sas.find((s) => s.peer === 'h');
      expect(sasH?.decimal).toHaveLength(3);
      expect(sasH?.decimal).toEqual(sasC?.decimal);
      expect(h.errors.filter((e) => e === 'E2EE_HANDSHAKE_REFUSED')).toEqual([]);
    } finally {
      for (const p of [client, host]) {
        await p.evaluate(() => (window as any).alcoveE2ee.session?.leave()).catch(() => undefined);
        await p.context().close().catch(() => undefined);
      }
    }
  });

  it('a client without the E2EE worker is refused at the door of a session that requires E2EE', async () => {
    const session = server.registry.create({ waitingRoom: false });
    const p = await open();
    try {
      const code = await p.evaluate(
        ([u, t]) => (window as any).alcoveE2ee.start(u, t, false).then(() => 'joined', (e: { code?: string }) => e.code),
        [server.wsUrl, await token(session.id, 'x', 'client')] as const,
      );
      expect(code).toBe('E2EE_REQUIRED');
      expect(await p.evaluate(() => (window as any).alcoveE2ee.session.localTracks.length)).toBe(0);
    } finally {
      await p.context().close().catch(() => undefined);
    }
  });
});
