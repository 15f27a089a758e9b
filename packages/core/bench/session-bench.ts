/**
 * Session benchmark (`pnpm --filter @alcove/core bench`, also run by the root `pnpm bench`):
 *
 * - `coreBundleGzKB`: the built `dist/index.js` (mediasoup-client's Device inside) bundled by esbuild for
 *   the browser with its other dependencies (eventemitter3, @alcove/protocol with valibot), minified, gzip -9.
 * - `joinMsP50/P90`: Chromium on loopback against the real server and SFU; from the join token
 *   (`Session.create` + `join()`) to the first decoded remote video frame, 20 runs, no waiting room.
 * - `reconnectMsP50/P90`: "network back → media decoding again": the server silently stops forwarding
 *   to the client for 2.5 s (the client detects the stall and restarts ICE), then forwards again; time
 *   from "back" to the next decoded remote frame, 20 runs.
 * - `transportDropRecoverMsP50/P90`: the server drops the client's transports (media stops at once);
 *   time until a remote frame is decoded on new transports (detection + rebuild), 20 runs.
 *
 * Writes `bench/results/session.json` at the repository root and prints a table; `network-test-bench.ts`
 * then adds the checklist's network-test figures. A failure exits non-zero and writes nothing.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { createAlcoveServer, mintJoinToken } from '@alcove/server';
import { bundleForBrowser, launchBrowser, startStaticServer } from '@alcove/testing';

const here = dirname(fileURLToPath(import.meta.url));
const coreDir = join(here, '..');
const root = join(coreDir, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const alias = {
  '@alcove/core': join(coreDir, 'src', 'index.ts'),
  '@alcove/protocol': join(root, 'packages', 'protocol', 'src', 'index.ts'),
};

const pct = (values: number[], p: number): number => {
  const s = [...values].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN);
};

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

async function browserTimings(): Promise<{ join: number[]; reconnect: number[]; networkBack: number[] }> {
  const secret = 'bench-secret-0123456789abcdef0123456789';
  const dataDir = mkdtempSync(join(tmpdir(), 'alcove-bench-'));
  const server = await createAlcoveServer({
    port: 0,
    tokens: { hs256Secret: secret },
    allowedOrigins: ['*'],
    dataDir,
    enableFaultHooks: true,
    logLevel: 'error',
    // Every join of the bench comes from 127.0.0.1, faster than the per-address join limit allows.
    limits: { joinRateLimit: { burst: 1000, perMinute: 60_000 } },
  });
  await server.start();
  const js = await bundleForBrowser(join(here, 'bench-page.ts'), { resolveDir: coreDir, alias, minify: true });
  const web = await startStaticServer({
    '/index.html': '<!doctype html><meta charset="utf-8"><title>b</title><script type="module" src="/p.js"></script>',
    '/p.js': js,
  });
  const tb = await launchBrowser();
  const join_: number[] = [];
  const reconnect: number[] = [];
  const networkBack: number[] = [];
  try {
    const sid = server.registry.create({ e2eeRequired: false, waitingRoom: false }).id;
    const tok = (pid: string, role: 'host' | 'client'): Promise<string> =>
      mintJoinToken({ sid, pid, role, name: pid }, { hs256Secret: secret, ttlS: 600 });
    const host = await tb.newPage();
    const client = await tb.newPage();
    for (const p of [host, client]) {
      await p.goto(`${web.url}/index.html`);
      await p.waitForFunction(() => 'bench' in window);
    }
    const wsUrl = server.wsUrl as string;
    // The host publishes throughout; it also times its first frame from the client each run.
    await host.evaluate(
      ([u, t]) => {
        void (window as any).bench.join(u, t);
      },
      [wsUrl, await tok('host', 'host')],
    );
    await host.waitForFunction(() => (window as any).bench.state() === 'joined');
    for (let i = 0; i < RUNS + 1; i++) {
      const ms = await client.evaluate(
        ([u, t]) => (window as any).bench.join(u, t) as Promise<number>,
        [wsUrl, await tok(`c${i}`, 'client')],
      );
      if (i > 0) join_.push(ms); // first run warms up the browser and the server
      if (process.env.BENCH_DEBUG) console.log(ms, JSON.stringify(await client.evaluate(() => (window as any).bench.marks)));
      await client.evaluate(() => (window as any).bench.leave());
    }
    await client.evaluate(([u, t]) => (window as any).bench.join(u, t), [wsUrl, await tok('r', 'client')]);
    // Network gone for 2.5 s (the server silently stops forwarding to the client), then back.
    for (let i = 0; i < RUNS; i++) {
      await new Promise((r) => setTimeout(r, 800));
      await server.faults?.pauseForwarding(sid, 'r', true);
      await new Promise((r) => setTimeout(r, 2500));
      const tBack = await client.evaluate(() => (window as any).bench.now() as number);
      await server.faults?.pauseForwarding(sid, 'r', false);
      const ms = await client.waitForFunction(
        (t) => {
          const f = ((window as any).bench.frames as number[]).find((x) => x > t);
          return f === undefined ? false : f - t;
        },
        tBack,
        { timeout: 30_000, polling: 10 },
      );
      networkBack.push(Number(await ms.jsonValue()));
    }
    for (let i = 0; i < RUNS; i++) {
      await new Promise((r) => setTimeout(r, 800));
      const t0 = await client.evaluate(() => (window as any).bench.now() as number);
      server.faults?.dropTransports(sid, 'r');
      // Media stops; wait for a decoded frame after a gap of at least 150 ms following the drop.
      const ms = await client.waitForFunction(
        (t0v) => {
          const f = ((window as any).bench.frames as number[]).filter((x) => x > t0v);
          for (let k = 1; k < f.length; k++) if ((f[k] as number) - (f[k - 1] as number) > 150) return (f[k] as number) - t0v;
          return false;
        },
        t0,
        { timeout: 30_000, polling: 20 },
      );
      reconnect.push(Number(await ms.jsonValue()));
    }
  } finally {
    await tb.close();
    await web.close();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { join: join_, reconnect, networkBack };
}

const size = await bundleSize();
const result: Record<string, number | string> = { coreBundleMinKB: size.minKB, coreBundleGzKB: size.gzKB };
{
  // A failure here ends the bench with an error and writes nothing: never a partial result.
  const t = await browserTimings();
  Object.assign(result, {
    joinMsP50: pct(t.join, 50),
    joinMsP90: pct(t.join, 90),
    reconnectMsP50: pct(t.networkBack, 50),
    reconnectMsP90: pct(t.networkBack, 90),
    transportDropRecoverMsP50: pct(t.reconnect, 50),
    transportDropRecoverMsP90: pct(t.reconnect, 90),
    runs: RUNS,
    reconnectFault: 'media to the client stopped 2.5 s (server pauses forwarding), then back: ms to the next decoded remote frame',
    transportDropFault: 'server drops the client transports: ms from the drop to a remote frame decoded on new transports',
  });
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'session.json'), `${JSON.stringify(result, null, 2)}\n`);
console.table(result);
