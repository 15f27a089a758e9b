import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker as SfuWorker } from '@alcove/sfu';
import {
  bundleForBrowser,
  createClientLink,
  launchBrowser,
  measureAudioLevel,
  netnsSupport,
  startUdpRelay,
  waitFor,
  waitForVideoFrames,
  type ClientLink,
  type TestBrowser,
} from '@alcove/testing';
import { mintJoinToken } from './auth/tokens.js';
import { createSfuWorker } from './media/sfu-engine.js';
import { createAlcoveServer, type AlcoveServer, type AlcoveServerOptions } from './server.js';

// Calls over real links: the client's Chromium runs inside a network namespace joined to the host
// by a veth pair; nft inside the namespace blocks UDP (and direct TCP), the link is cut and
// flapped, tbf limits its rate and a user-space relay adds delay and loss. The therapist's
// Chromium runs on the host. Every call is E2EE (the session requires it) through the real server
// and SFU; the TURN case goes through a real coturn (Debian's turnserver) started here.
// Durations are logged for reading, never asserted (pnpm bench measures them).

const support = netnsSupport();
if (!support.ok) {
  // CI sets ALCOVE_REQUIRE_NETNS=1: there, missing namespaces fail the run instead of skipping it.
  if (process.env.ALCOVE_REQUIRE_NETNS === '1') throw new Error(`real-link tests need network namespaces: ${support.reason}`);
  console.warn(`[real-links] SKIPPED: ${support.reason}`);
}

const here = fileURLToPath(new URL('.', import.meta.url));
const coreDir = join(here, '..', '..', 'core');
const SECRET = 'real-links-test-secret-0123456789abcdef';
const TURN_SECRET = 'real-links-turn-secret-0123456789';
const TURN_PORT = 23478; // not 3478: a coturn service installed by Debian may hold that one
const TURN_TLS_PORT = 25349;

/** A free UDP and TCP port on `ip` (the SFU binds both with this number). */
async function freePort(ip: string): Promise<number> {
  for (;;) {
    const s = createSocket('udp4');
    const port = await new Promise<number>((r) => s.bind(0, ip, () => r(s.address().port)));
    s.close();
    const tcpFree = await new Promise<boolean>((r) => {
      const srv = createServer();
      srv.once('error', () => r(false));
      srv.listen(port, ip, () => srv.close(() => r(true)));
    });
    if (tcpFree) return port;
  }
}

/** Resolves once something accepts TCP connections at ip:port. */
const tcpOpen = (ip: string, port: number): Promise<boolean> =>
  new Promise((r) => {
    const c = connect({ host: ip, port });
    c.once('connect', () => {
      c.destroy();
      r(true);
    });
    c.once('error', () => r(false));
  });

/** Live transports and consumers of the SFU, seen through mediasoup's observer events. */
function observeWorker(worker: SfuWorker): { transports: () => number; consumers: () => number; stats: () => Promise<unknown[]> } {
  const transports = new Set<{ getStats(): Promise<unknown[]>; appData: unknown }>();
  const consumers = new Set<unknown>();
  worker.observer.on('newrouter', (router) => {
    router.observer.on('newtransport', (t) => {
      transports.add(t);
      t.observer.on('close', () => transports.delete(t));
      t.observer.on('newconsumer', (c) => {
        consumers.add(c);
        c.observer.on('close', () => consumers.delete(c));
      });
    });
  });
  return {
    transports: () => transports.size,
    consumers: () => consumers.size,
    stats: () => Promise.all([...transports].map(async (t) => ({ appData: t.appData, stats: await t.getStats() }))),
  };
}

type Net = {
  start(u: string, t: string, o?: Record<string, unknown>): Promise<string>;
  session: { state: string; leave(): Promise<void> };
  events: unknown[][];
  quality: string[];
  paths(): Promise<{ candidateType: string; protocol: string; relayProtocol?: string }[]>;
  openPeerConnections(): number;
  timers(): { timeouts: number; intervals: number };
};

describe.skipIf(!support.ok)(`calls over real links (network namespaces${support.ok ? '' : `: skipped, ${support.reason}`})`, () => {
  let link: ClientLink;
  let site: Server;
  let siteUrl = '';
  let hostBrowser: TestBrowser;
  let clientBrowser: TestBrowser;
  let relayIp = '';
  const tmp = mkdtempSync(join(tmpdir(), 'alcove-real-links-'));

  beforeAll(async () => {
    link = createClientLink({ name: 'alcove-reallink', tag: 'alrl', subnet: '213.7' });
    relayIp = link.addHostAddress(3);
    const alias = {
      '@alcove/core': join(coreDir, 'src', 'index.ts'),
      '@alcove/protocol': join(coreDir, '..', 'protocol', 'src', 'index.ts'),
    };
    const [pageJs, workerJs] = await Promise.all([
      bundleForBrowser(join(coreDir, 'src', 'test', 'browser', 'netns-page.ts'), { resolveDir: coreDir, alias }),
      bundleForBrowser(join(coreDir, 'src', 'e2ee', 'worker', 'e2ee-worker.ts'), { resolveDir: coreDir, alias }),
    ]);
    site = createServer((req, res) => {
      if (req.url === '/page.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(pageJs);
      else if (req.url === '/e2ee-worker.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(workerJs);
      else
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>');
    });
    await new Promise<void>((r) => site.listen(0, link.hostIp, r));
    siteUrl = `http://${link.hostIp}:${(site.address() as { port: number }).port}`;
    // The site is on the veth address, not loopback: tell Chromium to treat it as secure (WebRTC, workers).
    const args = [`--unsafely-treat-insecure-origin-as-secure=${siteUrl}`];
    hostBrowser = await launchBrowser({ args });
    // TURN over TLS uses a self-signed certificate here.
    clientBrowser = await launchBrowser({ executablePath: link.chromiumPath, args: [...args, '--ignore-certificate-errors'] });
  });

  afterAll(async () => {
    try {
      await clientBrowser?.close();
      await hostBrowser?.close();
      await new Promise<void>((r) => (site ? site.close(() => r()) : r()));
    } finally {
      link?.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  interface CallSetup {
    server?: Partial<AlcoveServerOptions>;
    /** Session options of the client's page. */
    client?: Record<string, unknown>;
  }
  interface InCall {
    server: AlcoveServer;
    counts: { transports: () => number; consumers: () => number };
    host: Page;
    client: Page;
    rtcPort: number;
  }

  const net = (p: Page) => ({
    state: () => p.evaluate(() => (globalThis as unknown as { alcoveNet: Net }).alcoveNet.session?.state),
    events: () => p.evaluate(() => (globalThis as unknown as { alcoveNet: Net }).alcoveNet.events),
    quality: () => p.evaluate(() => (globalThis as unknown as { alcoveNet: Net }).alcoveNet.quality),
    paths: () => p.evaluate(() => (globalThis as unknown as { alcoveNet: Net }).alcoveNet.paths()),
    pcs: () => p.evaluate(() => (globalThis as unknown as { alcoveNet: Net }).alcoveNet.openPeerConnections()),
    timers: () => p.evaluate(() => (globalThis as unknown as { alcoveNet: Net }).alcoveNet.timers()),
  });

  /** Host (on the host) and client (in the namespace) in an E2EE session, media both ways; closes everything in finally. */
  const inCall = async (setup: CallSetup, fn: (c: InCall) => Promise<void>): Promise<void> => {
    const rtcPort = await freePort(link.hostIp);
    let counts: InCall['counts'] & { stats?: () => Promise<unknown[]> } = { transports: () => 0, consumers: () => 0 };
    let sfu: SfuWorker | undefined;
    const server = await createAlcoveServer({
      host: link.hostIp,
      port: 0,
      tokens: { hs256Secret: SECRET },
      allowedOrigins: [siteUrl],
      logLevel: 'error',
      live: { graceMs: 30_000 },
      ...setup.server,
      rtc: { listenIp: link.hostIp, minPort: rtcPort, maxPort: rtcPort, ...setup.server?.rtc },
      createWorker: async (o) => {
        const w = await createSfuWorker(o);
        sfu = w as unknown as SfuWorker;
        counts = observeWorker(w as unknown as SfuWorker);
        return w;
      },
    });
    const pages: Page[] = [];
    try {
      await server.start();
      const wsUrl = server.wsUrl as string;
      const sid = server.registry.create({ e2eeRequired: true, waitingRoom: false }).id;
      const token = (pid: string, role: 'host' | 'client') =>
        mintJoinToken({ sid, pid, role, name: role }, { hs256Secret: SECRET, ttlS: 600 });
      const host = await hostBrowser.newPage();
      pages.push(host);
      const client = await clientBrowser.newPage();
      pages.push(client);
      for (const p of [host, client]) {
        await p.goto(`${siteUrl}/index.html`);
        await waitFor('the test page to load', () => p.evaluate(() => 'alcoveNet' in globalThis));
      }
      const start = (p: Page, t: string, o: Record<string, unknown> = {}) =>
        p.evaluate(([u, tk, opts]) => (globalThis as unknown as { alcoveNet: Net }).alcoveNet.start(u, tk, opts), [wsUrl, t, o] as const);
      expect(await start(host, await token('h', 'host'))).toBe('joined');
      expect(await start(client, await token('c', 'client'), setup.client)).toBe('joined');
      await waitForVideoFrames(client, '#video-h', 10, 60_000);
      await waitForVideoFrames(host, '#video-c', 10, 60_000);
      // E2EE on: each side keyed the other (media of an E2EE-required session never flows in clear).
      for (const [p, other] of [
        [host, 'c'],
        [client, 'h'],
      ] as const) {
        await waitFor(
          `${other === 'c' ? 'host' : 'client'} keyed with ${other}`,
          () => net(p).events(),
          (ev) => ev.some((e) => e[0] === 'keyed' && e[1] === other),
        );
      }
      await fn({ server, counts: { transports: () => counts.transports(), consumers: () => counts.consumers() }, host, client, rtcPort });
    } catch (e) {
      // What each page went through (states, reconnects, error codes, ICE paths): nothing secret.
      for (const [name, p] of pages.map((p, i) => [i === 0 ? 'host' : 'client', p] as const)) {
        const seen = await net(p)
          .events()
          .catch(() => 'unreadable');
        const paths = await net(p)
          .paths()
          .catch(() => 'unreadable');
        console.error(`[real-links] ${name} events: ${JSON.stringify(seen)} paths: ${JSON.stringify(paths)}`);
      }
      const dump = await sfu?.dump().catch(() => undefined);
      console.error(`[real-links] sfu: ${JSON.stringify({ udp: dump?.udp, tcp: dump?.tcp, drops: dump?.drops })}`);
      if (process.env.REAL_LINKS_DEBUG) console.error(`[real-links] transports: ${JSON.stringify(await counts.stats?.())}`);
      throw e;
    } finally {
      for (const p of pages)
        await p.evaluate(() => (globalThis as unknown as { alcoveNet: Net }).alcoveNet.session?.leave()).catch(() => undefined);
      for (const p of pages)
        await p
          .context()
          .close()
          .catch(() => undefined);
      link.setFilter(undefined);
      link.setRate(0);
      link.setUp(true);
      await server.close();
    }
  };

  /** Both sides keep decoding: more frames than now, each way. */
  const bothDecode = async (host: Page, client: Page, frames = 10, timeoutMs = 60_000): Promise<void> => {
    await waitForVideoFrames(client, '#video-h', frames, timeoutMs);
    await waitForVideoFrames(host, '#video-c', frames, timeoutMs);
  };

  it('UDP blocked: the call connects over ICE-TCP to the SFU (E2EE on)', async () => {
    link.setFilter({ dropUdp: true });
    await inCall({}, async ({ client, host }) => {
      const paths = await waitFor(
        'the client to select its media paths',
        () => net(client).paths(),
        (p) => p.length >= 2,
      );
      // Chromium's active TCP candidate shows as peer-reflexive (its port is learnt from the SFU's answer).
      for (const p of paths) {
        expect(p.protocol).toBe('tcp');
        expect(['host', 'prflx']).toContain(p.candidateType);
      }
      // The host, not behind the filter, kept UDP.
      const hostPaths = await net(host).paths();
      expect(hostPaths.length).toBeGreaterThanOrEqual(2);
      for (const p of hostPaths) expect(p.protocol).toBe('udp');
      const level = await waitFor(
        'the host to hear the client',
        () => measureAudioLevel(host, 'audio_c', 500),
        (l) => l > 0.001,
      );
      expect(level).toBeGreaterThan(0.001);
    });
  }, 180_000);

  describe('through coturn', () => {
    let turn: ChildProcess | undefined;
    const turnOutput: string[] = [];

    beforeAll(async () => {
      // A self-signed certificate for TURN over TLS (Chromium in the namespace ignores certificate errors).
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:prime256v1',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=turn.alcove.test',
          '-keyout',
          join(tmp, 'turn.key'),
          '-out',
          join(tmp, 'turn.crt'),
        ],
        { stdio: 'pipe' },
      );
      const conf = join(tmp, 'turnserver.conf');
      writeFileSync(
        conf,
        [
          `listening-ip=${link.hostIp}`,
          `relay-ip=${link.hostIp}`,
          `listening-port=${TURN_PORT}`,
          'min-port=49400',
          'max-port=49600',
          'use-auth-secret',
          `static-auth-secret=${TURN_SECRET}`,
          'realm=alcove.test',
          'fingerprint',
          `tls-listening-port=${TURN_TLS_PORT}`,
          `cert=${join(tmp, 'turn.crt')}`,
          `pkey=${join(tmp, 'turn.key')}`,
          'no-dtls',
          'no-cli',
          'no-multicast-peers',
          `pidfile=${join(tmp, 'turnserver.pid')}`,
          'log-file=stdout',
          'simple-log',
          '',
        ].join('\n'),
      );
      turn = spawn('turnserver', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
      turn.stdout?.on('data', (d: Buffer) => turnOutput.push(d.toString()));
      turn.stderr?.on('data', (d: Buffer) => turnOutput.push(d.toString()));
      await waitFor('coturn to listen', () => tcpOpen(link.hostIp, TURN_PORT), Boolean, { timeoutMs: 20_000 });
      await waitFor('coturn to listen for TLS', () => tcpOpen(link.hostIp, TURN_TLS_PORT), Boolean, { timeoutMs: 20_000 });
    });

    afterAll(async () => {
      if (turn && turn.exitCode === null) {
        const exited = new Promise((r) => turn?.once('exit', r));
        turn.kill('SIGTERM');
        await exited;
      }
    });

    const turnServer = (): Partial<AlcoveServerOptions> => ({
      turn: {
        urls: [
          `turn:${link.hostIp}:${TURN_PORT}?transport=udp`,
          `turn:${link.hostIp}:${TURN_PORT}?transport=tcp`,
          `turns:${link.hostIp}:${TURN_TLS_PORT}?transport=tcp`,
        ],
        secrets: [TURN_SECRET],
        ttlS: 600,
      },
    });

    it('UDP and direct TCP blocked, only TCP to TURN allowed: the call connects through coturn (E2EE on)', async () => {
      await inCallWithSignallingOpen(TURN_PORT, turnServer(), {}, async ({ client, host }) => {
        const paths = await waitFor(
          'the client to select its media paths',
          () => net(client).paths(),
          (p) => p.length >= 2,
        );
        for (const p of paths) expect(p).toMatchObject({ candidateType: 'relay', relayProtocol: 'tcp' });
        const level = await waitFor(
          'the host to hear the client',
          () => measureAudioLevel(host, 'audio_c', 500),
          (l) => l > 0.001,
        );
        expect(level).toBeGreaterThan(0.001);
      });
    }, 180_000);

    it('only TLS to TURN allowed: the call connects through coturn over TLS (E2EE on)', async () => {
      await inCallWithSignallingOpen(TURN_TLS_PORT, turnServer(), {}, async ({ client, host }) => {
        const paths = await waitFor(
          'the client to select its media paths',
          () => net(client).paths(),
          (p) => p.length >= 2,
        );
        for (const p of paths) expect(p).toMatchObject({ candidateType: 'relay', relayProtocol: 'tls' });
        await waitFor(
          'the host to hear the client',
          () => measureAudioLevel(host, 'audio_c', 500),
          (l) => l > 0.001,
        );
      });
    }, 180_000);

    it("iceTransportPolicy 'relay' hides the client's address: only relayed paths, even with UDP open", async () => {
      await inCall({ server: turnServer(), client: { iceTransportPolicy: 'relay' } }, async ({ client }) => {
        const paths = await waitFor(
          'the client to select its media paths',
          () => net(client).paths(),
          (p) => p.length >= 2,
        );
        for (const p of paths) expect(p.candidateType).toBe('relay');
      });
    }, 180_000);

    /** inCall, with the server's signalling port added to the filter's allowed TCP ports once it is known. */
    const inCallWithSignallingOpen = async (
      turnPort: number,
      server: Partial<AlcoveServerOptions>,
      client: Record<string, unknown>,
      fn: (c: InCall) => Promise<void>,
    ) => {
      const port = await freePort(link.hostIp);
      link.setFilter({ dropUdp: true, allowTcpPorts: [Number(new URL(siteUrl).port), port, turnPort] });
      await inCall({ server: { ...server, port }, client }, fn);
    };
  });

  it('the client link goes down for 5 s and comes back: the session recovers (measured)', async () => {
    await inCall({}, async ({ host, client }) => {
      const pageNow = (): Promise<number> => client.evaluate(() => performance.now());
      const downAt = await pageNow();
      link.setUp(false);
      // The scenario: the link stays down for 5 s.
      await new Promise((r) => setTimeout(r, 5000));
      link.setUp(true);
      const upAt = await pageNow();
      const upWall = performance.now();
      const events = await waitFor(
        'the client to reconnect',
        () => net(client).events(),
        (ev) => ev.some((e) => e[0] === 'reconnecting') && ev.some((e) => e[0] === 'reconnected'),
        { timeoutMs: 60_000 },
      );
      expect(await net(client).state()).toBe('joined');
      await bothDecode(host, client);
      const at = (name: string): number => Number(events.find((e) => e[0] === name)?.at(-1));
      console.log(
        `[real-links] link down 5 s: 'reconnecting' ${Math.round(at('reconnecting') - downAt)} ms after the cut, 'reconnected' ${Math.round(at('reconnected') - upAt)} ms after the link came back, frames both ways ${Math.round(performance.now() - upWall)} ms after it`,
      );
    });
  }, 180_000);

  it('500 kbit/s, 150 ms delay, 2 % loss: the call keeps decoding, audio flows, quality events report it', async () => {
    // The server announces the relay's address; the relay delays and drops only the client's media.
    const rtcPort = await freePort(link.hostIp);
    const relay = await startUdpRelay({
      listenIp: relayIp,
      targetIp: link.hostIp,
      ports: [rtcPort],
      delayMs: 150,
      jitterMs: 10,
      loss: 0.02,
      impaired: (address) => address === link.nsIp,
    });
    try {
      await inCall(
        { server: { rtc: { announcedAddress: relayIp, minPort: rtcPort, maxPort: rtcPort, tcp: false } } },
        async ({ host, client }) => {
          // The rate limit comes once the pages have loaded (their scripts would take long at 500 kbit/s).
          link.setRate(500);
          await bothDecode(host, client, 30, 90_000);
          await waitFor(
            'the client to hear the host',
            () => measureAudioLevel(client, 'audio_h', 500),
            (l) => l > 0.001,
          );
          await waitFor(
            'the host to hear the client',
            () => measureAudioLevel(host, 'audio_c', 500),
            (l) => l > 0.001,
          );
          const quality = await waitFor(
            'a quality event below good at the client',
            () => net(client).quality(),
            (q) => q.some((l) => l !== 'good'),
            {
              timeoutMs: 60_000,
            },
          );
          expect(quality.some((l) => l === 'fair' || l === 'poor')).toBe(true);
          expect(relay.stats.dropped).toBeGreaterThan(0);
          const counts: Record<string, number> = {};
          for (const l of quality) counts[l] = (counts[l] ?? 0) + 1;
          console.log(
            `[real-links] 500 kbit/s + 150 ms + 2 %: client quality events ${JSON.stringify(counts)}; relay forwarded ${relay.stats.forwarded}, dropped ${relay.stats.dropped}`,
          );
        },
      );
    } finally {
      await relay.close();
    }
  }, 240_000);

  it('a link flapping for a minute: the session recovers and no transport, consumer or timer leaks', async () => {
    await inCall({}, async ({ host, client, counts }) => {
      const steady = { transports: counts.transports(), consumers: counts.consumers() };
      expect(steady).toEqual({ transports: 4, consumers: 4 });
      const steadyTimers = await net(client).timers();
      // The scenario: 3 s down, 3 s up, ten times.
      for (let i = 0; i < 10; i++) {
        link.setUp(false);
        await new Promise((r) => setTimeout(r, 3000));
        link.setUp(true);
        await new Promise((r) => setTimeout(r, 3000));
      }
      await waitFor(
        'the client to be joined again',
        () => net(client).state(),
        (s) => s === 'joined',
        { timeoutMs: 60_000 },
      );
      await bothDecode(host, client, 10, 90_000);
      await waitFor(
        'the SFU back to two transports and two consumers per participant',
        () => ({ transports: counts.transports(), consumers: counts.consumers() }),
        (c) => c.transports === steady.transports && c.consumers === steady.consumers,
        { timeoutMs: 60_000 },
      );
      expect(await net(client).pcs()).toBeLessThanOrEqual(2);
      expect(await net(host).pcs()).toBeLessThanOrEqual(2);
      // Ten reconnect cycles leave no interval or re-arming timeout behind: the page's live timers
      // come back to the steady set (timeouts come and go, so a few of slack; a leak per cycle
      // would be ten or more).
      const after = await waitFor(
        "the client page's timers back to the steady set",
        () => net(client).timers(),
        (t) => t.intervals <= steadyTimers.intervals && t.timeouts <= steadyTimers.timeouts + 5,
        { timeoutMs: 30_000 },
      );
      const events = await net(client).events();
      console.log(
        `[real-links] a minute of flapping: ${events.filter((e) => e[0] === 'reconnecting').length} reconnecting / ${events.filter((e) => e[0] === 'reconnected').length} reconnected events at the client; SFU back to ${counts.transports()} transports, ${counts.consumers()} consumers; page timers ${JSON.stringify(steadyTimers)} before, ${JSON.stringify(after)} after`,
      );
    });
  }, 300_000);
});
