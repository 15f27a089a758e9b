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

/**
 * Serves in-memory files on 127.0.0.1 (an ephemeral port). Pages served from it are a secure
 * context for Chromium (loopback), so getUserMedia and WebRTC work.
 */
export async function startStaticServer(files: Record<string, StaticFile | string> = {}): Promise<StaticServer> {
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
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    set,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
