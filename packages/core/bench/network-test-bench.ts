/**
 * Network-test benchmark (part of `pnpm --filter @alcove/core bench`): how long the checklist's
 * network test takes and what bitrate it measures, against the real server and SFU, in Chromium.
 *
 * - Loopback: `networkTestS` (p50 of the test's own duration, s; max also reported) and
 *   `networkTestKbps` (p50 of the measured bitrate), `BENCH_NET_RUNS` runs (default 5).
 * - A link we limit ourselves (run as root with `ip`, `tc` and `nft`): Chromium runs in a network
 *   namespace joined to the server by a veth pair (`createClientLink` of @alcove/testing) whose both
 *   ends are shaped by `tbf` (100 ms queue) to `BENCH_NET_LINK_KBPS` (default 1000) kbit/s;
 *   `networkTestLimitedKbps` is the p50 of the measured bitrate and
 *   `networkTestLimitedRatio` its ratio to the link rate (IP + UDP + SRTP overhead included in the
 *   link, not in the measurement, so 0.9 is a perfect estimate).
 *
 * Merges its keys into `bench/results/session.json` (written by session-bench first in the same run).
 * Any failure exits non-zero and writes nothing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAlcoveServer, mintJoinToken } from '@alcove/server';
import { bundleForBrowser, createClientLink, launchBrowser, netnsSupport } from '@alcove/testing';

const here = dirname(fileURLToPath(import.meta.url));
const coreDir = join(here, '..');
const root = join(coreDir, '..', '..');
const RUNS = Number(process.env.BENCH_NET_RUNS ?? 5);
const LINK_KBPS = Number(process.env.BENCH_NET_LINK_KBPS ?? 1000);
const alias = {
  '@alcove/core/checklist': join(coreDir, 'src', 'checklist', 'index.ts'),
  '@alcove/core': join(coreDir, 'src', 'index.ts'),
  '@alcove/protocol': join(root, 'packages', 'protocol', 'src', 'index.ts'),
};
const secret = 'bench-secret-0123456789abcdef0123456789';

const pct = (values: number[], p: number): number => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};

interface Run {
  status: string;
  wallMs: number;
  kbps: number;
  durationMs: number;
  rttMs?: number;
  lossPct: number;
  quality: string;
}

async function serve(host: string, js: string): Promise<{ url: string; server: Server }> {
  const html = '<!doctype html><meta charset="utf-8"><title>b</title><script type="module" src="/p.js"></script>';
  const server = createServer((req, res) => {
    if (req.url === '/p.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
    else res.writeHead(200, { 'content-type': 'text/html' }).end(html);
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  return { url: `http://${host}:${(server.address() as { port: number }).port}`, server };
}

async function measure(host: string, executablePath: string | undefined, js: string): Promise<Run[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'alcove-bench-net-'));
  const server = await createAlcoveServer({
    host,
    port: 0,
    rtc: { listenIp: host },
    tokens: { hs256Secret: secret },
    allowedOrigins: ['*'],
    dataDir,
    logLevel: 'error',
  });
  await server.start();
  const web = await serve(host, js);
  // The page is served over plain http from the veth address: let Chromium treat it as a secure
  // context, as it does loopback (WebRTC needs one).
  const secure = host === '127.0.0.1' ? [] : [`--unsafely-treat-insecure-origin-as-secure=${web.url}`];
  const tb = await launchBrowser({ ...(executablePath ? { executablePath } : {}), args: secure });
  const runs: Run[] = [];
  try {
    const sid = server.registry.create({ e2eeRequired: false, checklist: { steps: ['network'] } }).id;
    const page = await tb.newPage();
    await page.goto(`${web.url}/index.html`);
    await page.waitForFunction(() => 'nb' in window);
    for (let i = 0; i < RUNS + 1; i++) {
      const token = await mintJoinToken({ sid, pid: `n${i}`, role: 'client', name: 'bench' }, { hs256Secret: secret, ttlS: 600 });
      const r = (await page.evaluate(([u, t]) => (window as any).nb.run(u, t), [server.wsUrl as string, token])) as Run;
      if (i > 0) runs.push(r); // the first warms up the browser and the engine
    }
  } finally {
    await tb.close();
    await new Promise((r) => web.server.close(r));
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return runs;
}

const js = await bundleForBrowser(join(here, 'network-bench-page.ts'), { resolveDir: coreDir, alias, minify: true });
const loop = await measure('127.0.0.1', undefined, js);
for (const r of loop) if (r.status === 'failed' || !(r.kbps > 0)) throw new Error(`a loopback network test failed: ${JSON.stringify(r)}`);
const out: Record<string, number | string> = {
  networkTestS:
    Math.round(
      pct(
        loop.map((r) => r.durationMs),
        50,
      ) / 100,
    ) / 10,
  networkTestMaxS: Math.round(Math.max(...loop.map((r) => r.durationMs)) / 100) / 10,
  networkTestKbps: Math.round(
    pct(
      loop.map((r) => r.kbps),
      50,
    ),
  ),
  networkTestRuns: loop.length,
};

const support = netnsSupport();
if (!support.ok) throw new Error(`the limited-link measurement needs network namespaces: ${support.reason}`);
const link = createClientLink({ name: 'alcove-bench-nt', tag: 'abnt', subnet: '77.7' });
let limited: Run[];
try {
  if (!process.env.BENCH_NET_NO_SHAPE) link.setRate(LINK_KBPS, { latencyMs: 100 });
  limited = await measure(link.hostIp, link.chromiumPath, js);
} finally {
  link.close();
}
const kbps = pct(
  limited.map((r) => r.kbps),
  50,
);
if (process.env.BENCH_DEBUG) console.log(JSON.stringify(limited));
Object.assign(out, {
  networkTestLinkKbps: LINK_KBPS,
  networkTestLimitedKbps: Math.round(kbps),
  networkTestLimitedRatio: Math.round((kbps / LINK_KBPS) * 100) / 100,
  networkTestLimitedS:
    Math.round(
      pct(
        limited.map((r) => r.durationMs),
        50,
      ) / 100,
    ) / 10,
  networkTestLimitedQuality: limited.map((r) => r.quality).join(','),
});

const file = join(root, 'bench', 'results', 'session.json');
const prev = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
writeFileSync(file, `${JSON.stringify({ ...prev, ...out }, null, 2)}\n`);
console.table(out);
