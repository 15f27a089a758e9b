/**
 * A local demo of the embed: the Alcove server and a "practice website" on 127.0.0.1. The website
 * serves index.html and the bundled page script, and plays the practice's back end at
 * `POST /demo/token` (in a real deployment the practice's back end mints tokens, or asks the admin
 * API to). Run: `pnpm --filter @alcove/example-embed-html start`, then open the two printed links.
 */
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { createAlcoveServer, mintJoinToken, type AlcoveServer } from '@alcove/server';

const here = fileURLToPath(new URL('.', import.meta.url));
const packages = join(here, '..', '..', 'packages');

/** A running demo. */
export interface Demo {
  readonly alcove: AlcoveServer;
  /** The practice website, e.g. `http://127.0.0.1:5173`. */
  readonly url: string;
  /** The demo session's id. */
  readonly sessionId: string;
  close(): Promise<void>;
}

/** Options of {@link startDemo}. */
export interface DemoOptions {
  readonly port?: number;
  /** Session policy override; default the server's (E2EE required). */
  readonly e2eeRequired?: boolean;
  /** The practice site to serve: a folder with `index.html` and the page script `entry` (default this example). */
  readonly site?: { readonly dir: string; readonly entry?: string };
}

/** Starts the Alcove server and the demo website. Sessions use the server's defaults (E2EE required) unless told otherwise. */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const siteDir = options.site?.dir ?? here;
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  const alcove = await createAlcoveServer({
    port: 0,
    tokens: { hs256Secret: secret },
    allowedOrigins: ['*'],
    dataDir: mkdtempSync(join(tmpdir(), 'alcove-demo-')),
    logLevel: 'warn',
  });
  await alcove.start();
  const session = alcove.registry.create({
    waitingRoom: true,
    ...(options.e2eeRequired !== undefined ? { e2eeRequired: options.e2eeRequired } : {}),
  });
  const bundle = await build({
    entryPoints: [join(siteDir, options.site?.entry ?? 'page.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    absWorkingDir: join(packages, 'core'),
    alias: {
      '@alcove/ui': join(packages, 'ui', 'src', 'index.ts'),
      '@alcove/core': join(packages, 'core', 'src', 'index.ts'),
      '@alcove/protocol': join(packages, 'protocol', 'src', 'index.ts'),
    },
    logLevel: 'silent',
  });
  const pageJs = bundle.outputFiles[0]!.text;
  const worker = await build({
    entryPoints: [join(packages, 'core', 'src', 'e2ee', 'worker', 'e2ee-worker.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    absWorkingDir: join(packages, 'core'),
    alias: { '@alcove/protocol': join(packages, 'protocol', 'src', 'index.ts') },
    logLevel: 'silent',
  });
  const workerJs = worker.outputFiles[0]!.text;
  const html = readFileSync(join(siteDir, 'index.html'), 'utf8');
  const names = { host: 'Host', client: 'Guest' } as const;
  let guests = 0;

  const web: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
    } else if (url.pathname === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(pageJs);
    } else if (url.pathname === '/e2ee-worker.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(workerJs);
    } else if (url.pathname === '/demo/token' && req.method === 'POST') {
      const role = url.searchParams.get('role') === 'host' ? 'host' : 'client';
      const pid = role === 'host' ? 'host' : `guest-${++guests}`;
      const token = await mintJoinToken({ sid: session.id, pid, role, name: names[role] }, { hs256Secret: secret, ttlS: 600 });
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ token, serverUrl: alcove.wsUrl, callbackNumber: role === 'client' ? '+1 555 0100' : undefined }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => web.listen(options.port ?? 0, '127.0.0.1', r));
  const { port } = web.address() as AddressInfo;
  return {
    alcove,
    url: `http://127.0.0.1:${port}`,
    sessionId: session.id,
    async close() {
      web.closeAllConnections();
      await new Promise<void>((r) => web.close(() => r()));
      await alcove.close();
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const demo = await startDemo({ port: Number(process.env.PORT ?? 5173) });
  process.stdout.write(
    `Alcove demo running: waiting room on, media end-to-end encrypted.\n` +
      `  host:  ${demo.url}/#role=host\n  guest: ${demo.url}/#role=client\nPress Ctrl+C to stop.\n`,
  );
  const stop = () => void demo.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
