import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A file served by {@link startStaticServer}: its body and optional content type. */
export interface StaticFile {
  readonly body: string | Uint8Array;
  readonly type?: string;
}

/** A running loopback HTTP server. */
export interface StaticServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`, no trailing slash. */
  readonly url: string;
  /** Adds or replaces a file at `path` (leading slash). */
  set(path: string, file: StaticFile | string): void;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css',
};

function typeOf(path: string): string {
  const dot = path.lastIndexOf('.');
  return (dot >= 0 && TYPES[path.slice(dot)]) || 'application/octet-stream';
}

/** Options for {@link startStaticServer}. */
export interface StaticServerOptions {
  /**
   * Address to listen on. Default `127.0.0.1`. Another address (e.g. a client link's `hostIp`, for
   * pages in a network namespace) is no secure context: start Chromium with
   * `--unsafely-treat-insecure-origin-as-secure=<url>`.
   */
  readonly host?: string;
}

/**
 * Serves in-memory files on 127.0.0.1 (an ephemeral port) or `options.host`. Pages served from
 * loopback are a secure context for Chromium, so getUserMedia and WebRTC work.
 */
export async function startStaticServer(
  files: Record<string, StaticFile | string> = {},
  options: StaticServerOptions = {},
): Promise<StaticServer> {
  const host = options.host ?? '127.0.0.1';
  const table = new Map<string, StaticFile>();
  const set = (path: string, file: StaticFile | string): void => {
    table.set(path, typeof file === 'string' ? { body: file, type: typeOf(path) } : { type: typeOf(path), ...file });
  };
  for (const [path, file] of Object.entries(files)) set(path, file);
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = table.get(path === '/' ? '/index.html' : path);
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': file.type ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    set,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
