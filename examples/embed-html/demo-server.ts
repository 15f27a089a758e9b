/**
 * A local demo of the embed: the Alcove server and a "practice website" on 127.0.0.1. The website
 * serves index.html and the bundled page script, and plays the practice's back end at
 * `POST /demo/token` (in a real deployment the practice's back end mints tokens, or asks the admin
 * API to). Run `pnpm start` at the repository root (or `pnpm --filter @alcove/example-embed-html
 * start`), then open the two printed links. `PORT` picks the website's port (default 5173); the
 * Alcove server takes a free one. The data folder is temporary and removed on exit (Ctrl+C,
 * SIGTERM, SIGHUP).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  /** Stops the website and the Alcove server and removes the demo's temporary data folder. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /** The website's port on 127.0.0.1; 0 picks a free one. Default 0. */
  readonly port?: number;
  /** Session policy override; default the server's (E2EE required). */
  readonly e2eeRequired?: boolean;
  /** The practice site to serve: a folder with `index.html` and the page script `entry` (default this example). */
  readonly site?: { readonly dir: string; readonly entry?: string };
  /**
   * The Alcove server's data folder, owned by the caller. Default: a new temporary folder that
   * `close()` removes.
   */
  readonly dataDir?: string;
}

/** Raised by {@link startDemo} when the website's port is taken. */
export class PortInUseError extends Error {
  override readonly name = 'PortInUseError';
  constructor(readonly port: number) {
    super(`port ${port} on 127.0.0.1 is already in use`);
  }
}

/**
 * Starts the Alcove server and the demo website. Sessions use the server's defaults (E2EE
 * required) unless told otherwise. The website's port is taken first, so a busy port fails at
 * once; whatever was started is stopped again when a later step fails.
 * @throws {PortInUseError} when `port` is taken.
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const siteDir = options.site?.dir ?? here;
  const port = options.port ?? 0;
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  const names = { host: 'Host', client: 'Guest' } as const;
  let guests = 0;
  let app: { alcove: AlcoveServer; sessionId: string; html: string; pageJs: string; workerJs: string } | undefined;

  const web: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!app) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' }).end('starting');
    } else if (url.pathname === '/' || url.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(app.html);
    } else if (url.pathname === '/page.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(app.pageJs);
    } else if (url.pathname === '/e2ee-worker.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(app.workerJs);
    } else if (url.pathname === '/demo/token' && req.method === 'POST') {
      const role = url.searchParams.get('role') === 'host' ? 'host' : 'client';
      const pid = role === 'host' ? 'host' : `guest-${++guests}`;
      const token = await mintJoinToken({ sid: app.sessionId, pid, role, name: names[role] }, { hs256Secret: secret, ttlS: 600 });
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ token, serverUrl: app.alcove.wsUrl, callbackNumber: role === 'client' ? '+1 555 0100' : undefined }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    web.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new PortInUseError(port) : e));
    web.listen(port, '127.0.0.1', resolve);
  });

  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'alcove-demo-'));
  // Last resort when the process ends without close() (an uncaught error, process.exit).
  const removeDataDir = (): void => {
    if (ownDataDir) rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
  };
  process.once('exit', removeDataDir);
  let alcove: AlcoveServer | undefined;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      web.closeAllConnections();
      await new Promise<void>((r) => web.close(() => r()));
      try {
        await alcove?.close();
      } finally {
        removeDataDir();
        process.off('exit', removeDataDir);
      }
    })());

  try {
    alcove = await createAlcoveServer({ port: 0, tokens: { hs256Secret: secret }, allowedOrigins: ['*'], dataDir, logLevel: 'warn' });
    await alcove.start();
    const session = alcove.registry.create({
      waitingRoom: true,
      ...(options.e2eeRequired !== undefined ? { e2eeRequired: options.e2eeRequired } : {}),
    });
    const [pageJs, workerJs] = await Promise.all([
      bundle(join(siteDir, options.site?.entry ?? 'page.ts'), {
        '@alcove/ui': join(packages, 'ui', 'src', 'index.ts'),
        // Subpaths first: an alias also matches `<key>/…`.
        '@alcove/core/checklist': join(packages, 'core', 'src', 'checklist', 'index.ts'),
        '@alcove/core/chat': join(packages, 'core', 'src', 'chat', 'index.ts'),
        '@alcove/core': join(packages, 'core', 'src', 'index.ts'),
        '@alcove/protocol': join(packages, 'protocol', 'src', 'index.ts'),
      }),
      bundle(
        join(packages, 'core', 'src', 'e2ee', 'worker', 'e2ee-worker.ts'),
        { '@alcove/protocol': join(packages, 'protocol', 'src', 'index.ts') },
        true,
      ),
    ]);
    app = { alcove, sessionId: session.id, html: readFileSync(join(siteDir, 'index.html'), 'utf8'), pageJs, workerJs };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
  const { port: bound } = web.address() as AddressInfo;
  return { alcove, url: `http://127.0.0.1:${bound}`, sessionId: app.sessionId, close };
}

/** Bundles a browser entry with the workspace packages taken from source. */
async function bundle(entry: string, alias: Record<string, string>, minify = false): Promise<string> {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify,
    absWorkingDir: join(packages, 'core'),
    alias,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** `PORT` from the environment: unset means 5173; anything but a port number is refused. */
function portFromEnv(value: string | undefined): number {
  if (value === undefined || value === '') return 5173;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    process.stderr.write(`PORT must be a port number from 0 to 65535 (0 picks a free one), not "${value}".\n`);
    process.exit(1);
  }
  return port;
}

async function main(): Promise<void> {
  const port = portFromEnv(process.env.PORT);
  let demo: Demo;
  try {
    demo = await startDemo({ port });
  } catch (e) {
    if (e instanceof PortInUseError) {
      process.stderr.write(
        `Port ${port} is already in use on 127.0.0.1 (another demo?). Pick another port: PORT=${port === 65535 ? 5174 : port + 1} pnpm start\n`,
      );
      process.exit(1);
    }
    throw e;
  }
  process.stdout.write(
    `Alcove demo running: waiting room on, media end-to-end encrypted.\n` +
      `  host:  ${demo.url}/#role=host\n  guest: ${demo.url}/#role=client\nPress Ctrl+C to stop.\n`,
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(130); // a second Ctrl+C: stop waiting (the 'exit' hook still removes the data folder)
    stopping = true;
    void demo.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`stopping the demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
