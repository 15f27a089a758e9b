import { afterEach, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from './static-server.js';

describe('startStaticServer', () => {
  let server: StaticServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('serves its files on 127.0.0.1 by default, with their content types, and 404 for the rest', async () => {
    server = await startStaticServer({ '/index.html': '<p>hi</p>', '/page.js': 'export {};' });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(`${server.url}/`);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toBe('<p>hi</p>');
    const js = await fetch(`${server.url}/page.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${server.url}/missing.js`)).status).toBe(404);
  });

  it('listens on the given host and names it in its URL', async () => {
    server = await startStaticServer({ '/index.html': 'elsewhere' }, { host: '127.0.0.2' });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    expect(await (await fetch(`${server.url}/index.html`)).text()).toBe('elsewhere');
  });

  it('rejects when the host cannot be listened on', async () => {
    // TEST-NET-1 (RFC 5737): never an address of this machine.
    await expect(startStaticServer({}, { host: '192.0.2.1' })).rejects.toMatchObject({ code: 'EADDRNOTAVAIL' });
  });
});
