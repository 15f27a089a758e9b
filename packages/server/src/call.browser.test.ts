import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleForBrowser,
  measureAudioLevel,
  startCall,
  startStaticServer,
  waitFor,
  waitForVideoFrames,
  type CallFixture,
} from '@alcove/testing';
import { mintJoinToken } from './auth/tokens.js';
import { createLogger } from './logger.js';
import { createAlcoveServer, type AlcoveServer } from './server.js';
import { MessageFuzzer } from './signaling/testing/fuzz.js';
import { TestClient } from './signaling/testing/ws-test-client.js';

// A full two-party call through the real server and the real @alcove/sfu engine: a therapist and a
// client join with tokens, the client waits, the therapist admits, both publish camera + mic with
// unmodified mediasoup-client, both decode the other's video. Then 10^4 malformed messages hit the
// server on an authenticated socket in the same room while the call keeps decoding.
const HTML = `<!doctype html><meta charset="utf-8"><title>call</title>
<video id="remote" autoplay playsinline muted></video>
<script type="module" src="/page.js"></script>`;
const SECRET = 'browser-test-secret-browser-test-secret-01';

describe('a two-party call through @alcove/server in Chromium', () => {
  let call: CallFixture<AlcoveServer>;
  let host: Page;
  let client: Page;
  let sid = '';
  const logLines: string[] = [];
  const server = (): AlcoveServer => call.server;

  beforeAll(async () => {
    const js = await bundleForBrowser(fileURLToPath(new URL('./browser-test/page.js', import.meta.url)), {
      resolveDir: fileURLToPath(new URL('..', import.meta.url)),
    });
    // The site comes first: the server allows only its origin.
    const web = await startStaticServer({ '/index.html': HTML, '/page.js': js });
    call = await startCall<AlcoveServer>({
      tmpPrefix: 'alcove-call-',
      server: async ({ dataDir }) => {
        const s = await createAlcoveServer({
          port: 0,
          tokens: { hs256Secret: SECRET },
          allowedOrigins: [new URL(web.url).origin],
          dataDir,
          logger: createLogger({ level: 'info', sink: (l) => logLines.push(l) }),
          // The fuzzing test rejoins each time a malformed message closes its socket: no per-address
          // join throttle or message rate limit here (signaling/hardening.test.ts tests those).
          limits: { rateLimit: { perSecond: 1e6, burst: 1e6, maxStrikes: 1e6 }, joinRateLimit: { perMinute: 1e6, burst: 1e6 } },
        });
        await s.start();
        return s;
      },
      site: async () => web, // closed by the fixture from here on
    }).catch(async (e: unknown) => {
      await web.close();
      throw e;
    });
    sid = server().registry.create({ maxParticipants: 4, e2eeRequired: false }).id;
    host = await call.newPage('/index.html');
    client = await call.newPage('/index.html');
    for (const page of [host, client]) await waitFor('the test page to load', () => page.evaluate(() => !!(globalThis as any).appReady));
  });

  afterAll(async () => {
    await call?.close(); // closes both pages' contexts, the browser, the site, the server, the data folder
  });

  it('admits the client from the waiting room and both sides decode each other', async () => {
    const wsUrl = server().wsUrl as string;
    const hostToken = await mintJoinToken(
      { sid, pid: 'therapist', role: 'host', name: 'Thea Therapist' },
      { hs256Secret: SECRET, ttlS: 600 },
    );
    const clientToken = await mintJoinToken(
      { sid, pid: 'client', role: 'client', name: 'Cleo Client' },
      { hs256Secret: SECRET, ttlS: 600 },
    );
    await host.evaluate((u) => (globalThis as any).app.connect(u), wsUrl);
    expect(await host.evaluate((t) => (globalThis as any).app.join(t), hostToken)).toEqual({ state: 'joined', participantId: 'therapist' });
    await client.evaluate((u) => (globalThis as any).app.connect(u), wsUrl);
    expect(await client.evaluate((t) => (globalThis as any).app.join(t), clientToken)).toEqual({
      state: 'waiting',
      participantId: 'client',
    });

    // The therapist publishes first; the waiting client must not hear of it.
    await host.evaluate(() => (globalThis as any).app.start());
    const clientStart = client.evaluate(() => (globalThis as any).app.start());
    await host.evaluate(() =>
      (globalThis as any).app.waitFor('waitingRoom.changed', (d: any) => d.waiting.some((w: any) => w.id === 'client')),
    );
    const beforeAdmission = await client.evaluate(() => (globalThis as any).app.notifications.map((n: any) => n.method));
    expect(beforeAdmission).toEqual([]);
    await host.evaluate(() => (globalThis as any).app.request('host.admit', { participantId: 'client' }));
    await clientStart;

    const atClient = await waitForVideoFrames(client, '#remote', 15, 45_000);
    const atHost = await waitForVideoFrames(host, '#remote', 15, 45_000);
    expect(atClient.width).toBeGreaterThan(0);
    expect(atHost.width).toBeGreaterThan(0);
    // Audio and video are consumed separately: wait for both consumers (and never more).
    const consumed = (p: Page): Promise<number> => p.evaluate(() => (globalThis as any).app.consumedCount() as number);
    expect(
      await waitFor(
        'the host to consume audio and video',
        () => consumed(host),
        (n) => n >= 2,
      ),
    ).toBe(2);
    expect(
      await waitFor(
        'the client to consume audio and video',
        () => consumed(client),
        (n) => n >= 2,
      ),
    ).toBe(2);
    const level = await waitFor(
      'the client to hear the host',
      () => measureAudioLevel(client, 'remoteStream', 500),
      (l) => l > 0.001,
    );
    expect(level).toBeGreaterThan(0.001);
  });

  it('keeps the call decoding while 10^4 malformed messages hit an authenticated socket in the same room', async () => {
    const token = await mintJoinToken({ sid, pid: 'fuzzer', role: 'interpreter', name: 'Fuzz' }, { hs256Secret: SECRET, ttlS: 600 });
    const join = async (): Promise<TestClient> => {
      const c = await TestClient.connect(server().wsUrl as string);
      const r = await c.call('session.join', { token, e2ee: false });
      if (r.state === 'waiting') {
        await host.evaluate(() => (globalThis as any).app.request('host.admit', { participantId: 'fuzzer' }));
        await c.waitFor('session.admitted');
      }
      return c;
    };
    let c = await join();
    const before = await waitForVideoFrames(client, '#remote', 1, 20_000);
    const fuzzer = new MessageFuzzer(0x5eed);
    let answered = 0;
    let closes = 0;
    for (let i = 0; i < 10_000; i++) {
      const n = c.frames.length;
      const outcome = await new Promise<'answer' | 'close'>((resolve) => {
        const onMessage = (): void => {
          if (c.frames.slice(n).some((f) => f.ok !== undefined)) {
            c.ws.off('message', onMessage);
            resolve('answer');
          }
        };
        c.ws.on('message', onMessage);
        void c.closed.then(() => resolve('close'));
        c.send(fuzzer.next());
      });
      if (outcome === 'answer') answered++;
      else {
        closes++;
        c = await join();
      }
      if (c.frames.length > 500) c.frames.splice(0);
    }
    expect(answered + closes).toBe(10_000);
    const afterClient = await waitForVideoFrames(client, '#remote', 10, 30_000);
    const afterHost = await waitForVideoFrames(host, '#remote', 10, 30_000);
    expect(afterClient.decodedFrames).toBeGreaterThan(before.decodedFrames);
    expect(afterHost.decodedFrames).toBeGreaterThan(0);
    expect(await host.evaluate(() => (globalThis as any).app.request('session.ping', {}).then(() => true))).toBe(true);
    c.drop();
    // No display name or token reached the log during the whole call.
    const logs = logLines.join('\n');
    for (const s of ['Thea Therapist', 'Cleo Client', 'Fuzz', token]) expect(logs).not.toContain(s);
  }, 240_000);
});
