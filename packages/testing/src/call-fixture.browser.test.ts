import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startCall } from './call-fixture.js';
import { waitFor } from './wait-for.js';

/** A stand-in server: an HTTP listener on 127.0.0.1 that answers with a counter. */
type Counter = { readonly port: number; close(): Promise<void> };

async function counterServer(port = 0): Promise<Counter> {
  let hits = 0;
  const http = createServer((_req, res) => {
    res.writeHead(200, { 'access-control-allow-origin': '*', 'content-type': 'text/plain' }).end(String(++hits));
  });
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  return {
    port: (http.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

describe('startCall in Chromium', () => {
  it('serves the site to isolated pages, restarts the server on its port, and leaves nothing behind', async () => {
    const call = await startCall<Counter>({
      server: ({ dataDir, previous }) => {
        writeFileSync(join(dataDir, 'marker'), 'x');
        return counterServer(previous?.port ?? 0);
      },
      site: { '/index.html': '<!doctype html><title>t</title><p id="p">hello</p>' },
    });
    let kept: Page | undefined;
    try {
      expect(existsSync(join(call.dataDir, 'marker'))).toBe(true);
      const port = call.server.port;
      await call.withPages(['/', '/index.html'], async ([a, b]) => {
        kept = a;
        expect(await a!.textContent('#p')).toBe('hello');
        // Separate contexts: storage written by one page is not seen by the other.
        await a!.evaluate(() => localStorage.setItem('k', 'v'));
        expect(await b!.evaluate(() => localStorage.getItem('k'))).toBeNull();
      });
      expect(kept?.isClosed()).toBe(true);
      const restarted = await call.restartServer();
      expect(restarted.port).toBe(port);
      const page = await call.newPage();
      const answer = await waitFor('the restarted server to answer', () =>
        page.evaluate((u) => fetch(u).then((r) => r.text()), `http://127.0.0.1:${port}/`),
      );
      expect(answer).toBe('1');
    } finally {
      await call.close();
    }
    expect(existsSync(call.dataDir)).toBe(false);
    expect(call.browser.browser.isConnected()).toBe(false);
  });
});
