/**
 * Session benchmark (`pnpm --filter @alcove/core bench`, also run by the root `pnpm bench`): what a
 * user feels, in real Chromium against the real server and SFU.
 *
 * - `coreBundleGzKB`: the built `dist/index.js` (mediasoup-client's Device inside) bundled by esbuild for
 *   the browser with its other dependencies, minified, gzip -9.
 * - `joinMsP50/P90`: from the join token (`Session.create` + `join()`) to the first decoded remote
 *   video frame, E2EE on (the default: the session requires it, both sides run the E2EE worker, the
 *   newcomer agrees keys with the host before it can decode), loopback, `BENCH_RUNS` joins (default
 *   20) after one warm-up. `joinPlainMsP50/P90`: the same with E2EE off.
 * - `reconnectMsP50/P90`: a real link cut. The client's Chromium runs in a network namespace joined
 *   to the host by a veth pair; the veth is taken down until the client has noticed and at least
 *   `BENCH_CUT_MS` (default 3000) ms have passed, then brought back up: ms from "link up" to the next
 *   decoded remote frame. `reconnectDetectMsP50/P90`: ms from "link down" to the client's
 *   `reconnecting` event. `BENCH_LINK_RUNS` cuts (default 10). Needs root, `ip`, `tc`, `nft`.
 * - `transportDropDetectMsP50`, `transportDropRecoverMsP50/P90`: the server drops the client's
 *   transports (loopback); measured by the client's own events: ms from the drop to its
 *   `reconnecting` event, and to the first decoded remote frame after its `reconnected` event.
 *   `BENCH_DROP_RUNS` drops in one session (default 10).
 * - `keySwitchGapMsP50/Max`: the E2EE key switch after a leave (loopback). A host and a client
 *   exchange video; a third participant joins (publishing nothing), decodes the host, and leaves, so
 *   the host and the client replace their keys. On the client: the longest gap between decoded
 *   frames of the host's video from the leave until 60 frames after the client decrypts the host's
 *   new key generation. `keySwitchBaselineGapMsP50/Max`: the longest gap over the same number of
 *   frames just before the leave, same run, same load. `keySwitchDroppedFrames`: frames of the host
 *   the client's E2EE worker dropped over all the switches (should be 0). `BENCH_SWITCH_RUNS` leaves
 *   (default 8).
 *
 * Merges its keys into `bench/results/session.json` at the repository root (other benches' keys are
 * kept) and prints a table; `network-test-bench.ts` then adds the checklist's network-test figures.
 * Every part must succeed with every run measured: otherwise the bench exits non-zero and writes
 * nothing. `BENCH_DEBUG=1` prints each run's marks; `BENCH_ONLY=join|plain|drop|cut|switch` runs one part
 * and prints it, writing nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { createAlcoveServer, mintJoinToken, type AlcoveServer } from '@alcove/server';
import { bundleForBrowser, createClientLink, launchBrowser, netnsSupport, startStaticServer, waitFor } from '@alcove/testing';

const here = dirname(fileURLToPath(import.meta.url));
const coreDir = join(here, '..');
const root = join(coreDir, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const LINK_RUNS = Number(process.env.BENCH_LINK_RUNS ?? 10);
const DROP_RUNS = Number(process.env.BENCH_DROP_RUNS ?? 10);
const SWITCH_RUNS = Number(process.env.BENCH_SWITCH_RUNS ?? 8);
const CUT_MS = Number(process.env.BENCH_CUT_MS ?? 3000);
const DEBUG = !!process.env.BENCH_DEBUG;
const SECRET = 'bench-secret-0123456789abcdef0123456789';
/** Safety net of every wait (a loaded machine); a part that hits it fails the bench. */
const SAFETY_MS = 60_000;
const alias = {
  '@alcove/core': join(coreDir, 'src', 'index.ts'),
  '@alcove/protocol': join(root, 'packages', 'protocol', 'src', 'index.ts'),
};

const pct = (values: number[], p: number): number => {
  const s = [...values].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function bundleSize(): Promise<{ minKB: number; gzKB: number }> {
  // What an app ships: the built entry (with the trimmed mediasoup-client inside), bundled with its
  // remaining dependencies. `pnpm bench` builds first.
  const r = await build({
    entryPoints: [join(coreDir, 'dist', 'index.js')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    absWorkingDir: coreDir,
    logLevel: 'silent',
    treeShaking: true,
  });
  const bytes = r.outputFiles[0]?.contents ?? new Uint8Array();
  return { minKB: Math.round(bytes.byteLength / 102.4) / 10, gzKB: Math.round(gzipSync(bytes, { level: 9 }).byteLength / 102.4) / 10 };
}

interface Site {
  url: string;
  close(): Promise<void>;
}

/** Serves `files` on `host` (the static server of @alcove/testing listens on loopback only). */
async function serveOn(host: string, files: Record<string, string>): Promise<Site> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const body = files[path === '/' ? '/index.html' : path];
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': path.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return {
    url: `http://${host}:${(server.address() as { port: number }).port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

async function pageFiles(): Promise<Record<string, string>> {
  const [js, worker] = await Promise.all([
    bundleForBrowser(join(here, 'bench-page.ts'), { resolveDir: coreDir, alias, minify: true }),
    bundleForBrowser(join(coreDir, 'src', 'e2ee', 'worker', 'e2ee-worker.ts'), { resolveDir: coreDir, alias, minify: true }),
  ]);
  return {
    '/index.html': '<!doctype html><meta charset="utf-8"><title>b</title><script type="module" src="/p.js"></script>',
    '/p.js': js,
    '/e2ee-worker.js': worker,
  };
}

async function startServer(host: string, rtc?: { listenIp: string }): Promise<{ server: AlcoveServer; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'alcove-bench-'));
  const server = await createAlcoveServer({
    host,
    port: 0,
    tokens: { hs256Secret: SECRET },
    allowedOrigins: ['*'],
    dataDir,
    enableFaultHooks: true,
    logLevel: 'error',
    live: { graceMs: 30_000 },
    ...(rtc ? { rtc } : {}),
  });
  await server.start();
  return { server, dataDir };
}

type BenchWindow = {
  bench: {
    join(u: string, t: string, e2ee: boolean, publish?: boolean): Promise<number>;
    longestGap(from: number, to: number): { gap: number; frames: number };
    framesAfter(t: number): number;
    peerKey(id: string): { generation: number; decrypted: boolean } | undefined;
    droppedFrom(id: string): Promise<number>;
    leave(): Promise<void>;
    state(): string | undefined;
    now(): number;
    frameAfter(t: number): number | undefined;
    eventAfter(name: string, t: number): number | undefined;
    marks: unknown;
    events: unknown;
  };
};
const b = (p: Page) => ({
  join: (u: string, t: string, e2ee: boolean) =>
    p.evaluate(([uu, tt, ee]) => (window as unknown as BenchWindow).bench.join(uu, tt, ee), [u, t, e2ee] as const),
  joinSilent: (u: string, t: string) =>
    p.evaluate(([uu, tt]) => (window as unknown as BenchWindow).bench.join(uu, tt, true, false), [u, t] as const),
  longestGap: (from: number, to: number) =>
    p.evaluate(([f, t]) => (window as unknown as BenchWindow).bench.longestGap(f, t), [from, to] as const),
  framesAfter: (t: number) => p.evaluate((tt) => (window as unknown as BenchWindow).bench.framesAfter(tt), t),
  peerKey: (id: string) => p.evaluate((i) => (window as unknown as BenchWindow).bench.peerKey(i) ?? null, id),
  now: () => p.evaluate(() => (window as unknown as BenchWindow).bench.now()),
  droppedFrom: (id: string) => p.evaluate((i) => (window as unknown as BenchWindow).bench.droppedFrom(i), id),
  leave: () => p.evaluate(() => (window as unknown as BenchWindow).bench.leave()),
  state: () => p.evaluate(() => (window as unknown as BenchWindow).bench.state()),
  frameAfter: (t: number) => p.evaluate((tt) => (window as unknown as BenchWindow).bench.frameAfter(tt) ?? null, t),
  eventAfter: (name: string, t: number) =>
    p.evaluate(([n, tt]) => (window as unknown as BenchWindow).bench.eventAfter(n, tt) ?? null, [name, t] as const),
  debug: () =>
    p.evaluate(() =>
      JSON.stringify({ marks: (window as unknown as BenchWindow).bench.marks, events: (window as unknown as BenchWindow).bench.events }),
    ),
});
const token = (sid: string, pid: string, role: 'host' | 'client'): Promise<string> =>
  mintJoinToken({ sid, pid, role, name: pid }, { hs256Secret: SECRET, ttlS: 3600 });

interface LoopbackCall {
  readonly server: AlcoveServer;
  readonly sid: string;
  readonly wsUrl: string;
  /** The host's page (joined and publishing), then one fresh page per other participant. */
  readonly pages: readonly Page[];
}

/**
 * A loopback call for one part of the bench: the server, the site, one Chromium with `pages`
 * pages, a session without waiting room (E2EE required or not), and the host (first page) joined
 * and publishing; `run` gets the rest. Everything is closed however `run` ends.
 */
async function onLoopback<T>(options: { e2ee: boolean; pages: number }, run: (call: LoopbackCall) => Promise<T>): Promise<T> {
  const { server, dataDir } = await startServer('127.0.0.1');
  const web = await startStaticServer(await pageFiles());
  const tb = await launchBrowser();
  try {
    const sid = server.registry.create({ e2eeRequired: options.e2ee, waitingRoom: false }).id;
    const pages: Page[] = [];
    for (let i = 0; i < options.pages; i++) {
      const p = await tb.newPage();
      await p.goto(`${web.url}/index.html`);
      await p.waitForFunction(() => 'bench' in window);
      pages.push(p);
    }
    const wsUrl = server.wsUrl as string;
    const host = pages[0] as Page;
    // The host publishes throughout.
    void b(host)
      .join(wsUrl, await token(sid, 'host', 'host'), options.e2ee)
      .catch(() => undefined);
    await waitFor(
      'the host to join',
      () => b(host).state(),
      (st) => st === 'joined',
      { timeoutMs: SAFETY_MS },
    );
    return await run({ server, sid, wsUrl, pages });
  } finally {
    await tb.close();
    await web.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Token → first decoded remote frame, `RUNS` joins after one warm-up, E2EE on or off. */
function joins(e2ee: boolean): Promise<number[]> {
  return onLoopback({ e2ee, pages: 2 }, async ({ sid, wsUrl, pages: [, client] }) => {
    const out: number[] = [];
    const c = b(client as Page);
    for (let i = 0; i < RUNS + 1; i++) {
      const ms = await c.join(wsUrl, await token(sid, `c${i}`, 'client'), e2ee);
      if (!Number.isFinite(ms) || ms <= 0) throw new Error(`join ${i}: no first frame (${ms})`);
      if (i > 0) out.push(ms); // the first run warms up the browser and the server
      if (DEBUG) console.log(`join e2ee=${e2ee}`, Math.round(ms), await c.debug());
      await c.leave();
    }
    return out;
  });
}

/** The server drops the client's transports: detection and recovery by the client's own events. */
function transportDrops(): Promise<{ detect: number[]; recover: number[] }> {
  return onLoopback({ e2ee: true, pages: 2 }, async ({ server, sid, wsUrl, pages: [, client] }) => {
    const detect: number[] = [];
    const recover: number[] = [];
    const c = b(client as Page);
    await c.join(wsUrl, await token(sid, 'r', 'client'), true);
    for (let i = 0; i < DROP_RUNS; i++) {
      // Media flowing again (after the previous run) before the next drop.
      const settled = Date.now();
      await waitFor(
        'frames before the drop',
        () => c.frameAfter(settled),
        (f) => f !== null,
        { timeoutMs: SAFETY_MS },
      );
      const t0 = Date.now();
      if ((server.faults?.dropTransports(sid, 'r') ?? 0) === 0) throw new Error('the server had no transports of the client to drop');
      const reconnecting = await waitFor(
        'the client to report reconnecting',
        () => c.eventAfter('reconnecting', t0),
        (t) => t !== null,
        {
          timeoutMs: SAFETY_MS,
        },
      );
      const reconnected = await waitFor(
        'the client to report reconnected',
        () => c.eventAfter('reconnected', t0),
        (t) => t !== null,
        {
          timeoutMs: SAFETY_MS,
        },
      );
      const frame = await waitFor(
        'a decoded frame after reconnected',
        () => c.frameAfter(reconnected as number),
        (f) => f !== null,
        {
          timeoutMs: SAFETY_MS,
        },
      ).catch(async (e: unknown) => {
        // What the client went through (states, causes, error codes): nothing secret.
        console.error(`transport drop run ${i}: ${await c.debug()}`);
        throw e;
      });
      detect.push((reconnecting as number) - t0);
      recover.push((frame as number) - t0);
      if (DEBUG) console.log('drop', Math.round((reconnecting as number) - t0), Math.round((frame as number) - t0));
    }
    return { detect, recover };
  });
}

/** Frames over which a gap is measured, before and after a leave (≈ 2 s of the fake camera). */
const GAP_FRAMES = 60;

/**
 * The E2EE key switch after a leave: on the client, the longest gap between decoded frames of the
 * host's video across the switch, and over as many frames just before it (the baseline).
 */
function keySwitches(): Promise<{ gap: number[]; baseline: number[]; dropped: number }> {
  return onLoopback({ e2ee: true, pages: 3 }, async ({ sid, wsUrl, pages: [, client, third] }) => {
    const gap: number[] = [];
    const baseline: number[] = [];
    const c = b(client as Page);
    const x = b(third as Page);
    await c.join(wsUrl, await token(sid, 'r', 'client'), true);
    const droppedBefore = await c.droppedFrom('host');
    if (droppedBefore < 0) throw new Error("the client has no E2EE stats for the host's camera");
    for (let i = 0; i < SWITCH_RUNS; i++) {
      // The third participant is keyed once it decodes the host (its join resolves then).
      await x.joinSilent(wsUrl, await token(sid, `x${i}`, 'client'));
      // The client decrypts the host's current key generation.
      const keyed = await waitFor(
        "the client to decrypt the host's current key",
        () => c.peerKey('host'),
        (k) => k?.decrypted === true,
        {
          timeoutMs: SAFETY_MS,
        },
      );
      const baseFrom = await c.now();
      await waitFor(
        'frames before the leave',
        () => c.framesAfter(baseFrom),
        (n) => n >= GAP_FRAMES,
        { timeoutMs: SAFETY_MS },
      );
      const leftAt = await c.now();
      const before = await c.longestGap(baseFrom, leftAt);
      await x.leave();
      const switched = await waitFor(
        "the client to decrypt the host's next key generation",
        () => c.peerKey('host'),
        (k) => k !== null && k.generation > (keyed?.generation ?? -1) && k.decrypted,
        { timeoutMs: SAFETY_MS },
      );
      const switchedAt = await c.now();
      await waitFor(
        'frames after the switch',
        () => c.framesAfter(switchedAt),
        (n) => n >= GAP_FRAMES,
        { timeoutMs: SAFETY_MS },
      );
      const after = await c.longestGap(leftAt, await c.now());
      baseline.push(before.gap);
      gap.push(after.gap);
      if (DEBUG) console.log('switch', i, switched, Math.round(before.gap), Math.round(after.gap), after.frames);
    }
    // Frames the client's E2EE worker dropped over all the switches: a gap with drops is a key
    // problem, a gap without is the machine or the decoder.
    return { gap, baseline, dropped: (await c.droppedFrom('host')) - droppedBefore };
  });
}

/** Real link cuts: the client's Chromium in a network namespace, the veth taken down and up. */
async function linkCuts(): Promise<{ detect: number[]; reconnect: number[] }> {
  const support = netnsSupport();
  if (!support.ok) throw new Error(`the reconnect part needs network namespaces: ${support.reason}`);
  const link = createClientLink({ name: 'alcove-bench-rc', tag: 'abrc', subnet: '214.7' });
  const detect: number[] = [];
  const reconnect: number[] = [];
  let server: AlcoveServer | undefined;
  let dataDir: string | undefined;
  let web: Site | undefined;
  const browsers: { close(): Promise<void> }[] = [];
  try {
    ({ server, dataDir } = await startServer(link.hostIp, { listenIp: link.hostIp }));
    web = await serveOn(link.hostIp, await pageFiles());
    const args = [`--unsafely-treat-insecure-origin-as-secure=${web.url}`];
    const hostBrowser = await launchBrowser({ args });
    browsers.push(hostBrowser);
    const clientBrowser = await launchBrowser({ executablePath: link.chromiumPath, args });
    browsers.push(clientBrowser);
    const sid = server.registry.create({ waitingRoom: false }).id;
    const host = await hostBrowser.newPage();
    const client = await clientBrowser.newPage();
    for (const p of [host, client]) {
      await p.goto(`${web.url}/index.html`);
      await p.waitForFunction(() => 'bench' in window);
    }
    const wsUrl = server.wsUrl as string;
    void b(host)
      .join(wsUrl, await token(sid, 'host', 'host'), true)
      .catch(() => undefined);
    await waitFor(
      'the host to join',
      () => b(host).state(),
      (s) => s === 'joined',
      { timeoutMs: SAFETY_MS },
    );
    await b(client).join(wsUrl, await token(sid, 'r', 'client'), true);
    for (let i = 0; i < LINK_RUNS; i++) {
      const settled = Date.now();
      await waitFor(
        'frames before the cut',
        () => b(client).frameAfter(settled),
        (f) => f !== null,
        { timeoutMs: SAFETY_MS },
      );
      await waitFor(
        'the client joined before the cut',
        () => b(client).state(),
        (s) => s === 'joined',
        { timeoutMs: SAFETY_MS },
      );
      const downAt = Date.now();
      link.setUp(false);
      const reconnecting = await waitFor(
        'the client to notice the cut',
        () => b(client).eventAfter('reconnecting', downAt),
        (t) => t !== null,
        {
          timeoutMs: SAFETY_MS,
        },
      );
      const hold = downAt + CUT_MS - Date.now();
      if (hold > 0) await sleep(hold);
      const upAt = Date.now();
      link.setUp(true);
      const frame = await waitFor(
        'a decoded frame after the link came back',
        () => b(client).frameAfter(upAt),
        (f) => f !== null,
        {
          timeoutMs: SAFETY_MS,
        },
      );
      detect.push((reconnecting as number) - downAt);
      reconnect.push((frame as number) - upAt);
      if (DEBUG)
        console.log('cut', Math.round((reconnecting as number) - downAt), Math.round((frame as number) - upAt), await b(client).debug());
    }
  } finally {
    for (const x of browsers) await x.close().catch(() => undefined);
    await web?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    link.close();
  }
  return { detect, reconnect };
}

const expectRuns = (name: string, values: number[], n: number): number[] => {
  if (values.length !== n || values.some((v) => !Number.isFinite(v) || v < 0)) {
    throw new Error(`${name}: ${values.length} of ${n} runs measured (${values.map(Math.round).join(', ')})`);
  }
  return values;
};

const only = process.env.BENCH_ONLY;
if (only) {
  // Investigation aid: one part only (join, plain, drop, cut or switch), printed; nothing is written.
  const parts: Record<string, () => Promise<unknown>> = {
    join: () => joins(true),
    plain: () => joins(false),
    drop: () => transportDrops(),
    cut: () => linkCuts(),
    switch: () => keySwitches(),
  };
  const part = parts[only];
  if (!part) throw new Error(`BENCH_ONLY must be one of ${Object.keys(parts).join(', ')}`);
  const r = await part();
  const show = (v: number[]) => ({ p50: pct(v, 50), p90: pct(v, 90), runs: v.map(Math.round) });
  console.log(
    JSON.stringify(
      Array.isArray(r)
        ? show(r)
        : Object.fromEntries(Object.entries(r as Record<string, number[] | number>).map(([k, v]) => [k, Array.isArray(v) ? show(v) : v])),
    ),
  );
  process.exit(0);
}
const size = await bundleSize();
// A failure anywhere below ends the bench with an error and writes nothing: never a partial result.
const join_ = expectRuns('join (E2EE on)', await joins(true), RUNS);
const joinPlain = expectRuns('join (E2EE off)', await joins(false), RUNS);
const drops = await transportDrops();
expectRuns('transport drop detection', drops.detect, DROP_RUNS);
expectRuns('transport drop recovery', drops.recover, DROP_RUNS);
const switches = await keySwitches();
expectRuns('key switch gap', switches.gap, SWITCH_RUNS);
expectRuns('key switch baseline gap', switches.baseline, SWITCH_RUNS);
const cuts = await linkCuts();
expectRuns('link cut detection', cuts.detect, LINK_RUNS);
expectRuns('link cut reconnect', cuts.reconnect, LINK_RUNS);

const result: Record<string, number | string> = {
  coreBundleMinKB: size.minKB,
  coreBundleGzKB: size.gzKB,
  joinMsP50: pct(join_, 50),
  joinMsP90: pct(join_, 90),
  joinPlainMsP50: pct(joinPlain, 50),
  joinPlainMsP90: pct(joinPlain, 90),
  reconnectMsP50: pct(cuts.reconnect, 50),
  reconnectMsP90: pct(cuts.reconnect, 90),
  reconnectDetectMsP50: pct(cuts.detect, 50),
  reconnectDetectMsP90: pct(cuts.detect, 90),
  transportDropDetectMsP50: pct(drops.detect, 50),
  transportDropRecoverMsP50: pct(drops.recover, 50),
  transportDropRecoverMsP90: pct(drops.recover, 90),
  keySwitchGapMsP50: pct(switches.gap, 50),
  keySwitchGapMsMax: Math.round(Math.max(...switches.gap)),
  keySwitchBaselineGapMsP50: pct(switches.baseline, 50),
  keySwitchBaselineGapMsMax: Math.round(Math.max(...switches.baseline)),
  keySwitchDroppedFrames: switches.dropped,
  runs: RUNS,
  switchRuns: SWITCH_RUNS,
  linkRuns: LINK_RUNS,
  dropRuns: DROP_RUNS,
  joinMeasure: 'token (Session.create + join) to the first decoded remote video frame, loopback; E2EE on (joinMs) and off (joinPlainMs)',
  reconnectFault: `real link cut: the client's veth (network namespace) down until the client reports reconnecting and at least ${CUT_MS} ms, then up: ms from link up to the next decoded remote frame; detect: link down to the client's reconnecting event`,
  keySwitchMeasure: `E2EE key switch after a leave (a third participant joins, is keyed, leaves): on the client, the longest gap between decoded frames of the host's video from the leave to ${GAP_FRAMES} frames after it decrypts the host's next key generation; baseline: the longest gap over ${GAP_FRAMES} frames just before the leave`,
  transportDropFault:
    "server drops the client's transports: ms to the client's reconnecting event (detect) and to the first decoded remote frame after its reconnected event (recover)",
};
const file = join(root, 'bench', 'results', 'session.json');
const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
// Keys this bench no longer writes (measured differently before) are not carried over.
for (const k of ['transportDropRecoverMsP50', 'transportDropRecoverMsP90', 'reconnectFault', 'transportDropFault']) delete previous[k];
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, `${JSON.stringify({ ...previous, ...result }, null, 2)}\n`);
console.table(result);
console.log(
  `floors: joinMsP50 ≤ 400 (${result.joinMsP50}), reconnectMsP50 ≤ 1000 (${result.reconnectMsP50}), reconnectDetectMsP50 ≤ 2000 (${result.reconnectDetectMsP50}), keySwitchGapMsMax ≤ 500 (${result.keySwitchGapMsMax})`,
);
