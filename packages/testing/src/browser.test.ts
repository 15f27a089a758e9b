import { describe, expect, it } from 'vitest';
import { ChromiumNotFoundError, findChromium } from './browser.js';
import { startStaticServer } from './static-server.js';

describe('findChromium', () => {
  it('uses CHROMIUM_PATH when it exists', () => {
    expect(findChromium({ CHROMIUM_PATH: process.execPath })).toBe(process.execPath);
  });
  it('fails with the install command when CHROMIUM_PATH points nowhere', () => {
    expect(() => findChromium({ CHROMIUM_PATH: '/nonexistent/chromium' })).toThrow(ChromiumNotFoundError);
    try {
      findChromium({ CHROMIUM_PATH: '/nonexistent/chromium' });
    } catch (e) {
      expect((e as Error).message).toContain('apt-get install -y chromium');
      expect((e as Error).message).toContain('CHROMIUM_PATH');
    }
  });
});

describe('startStaticServer', () => {
  it('serves files on loopback and 404s the rest', async () => {
    const s = await startStaticServer({ '/index.html': '<p>hi</p>', '/a.js': 'export {}' });
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const root = await fetch(`${s.url}/`);
      expect(root.headers.get('content-type')).toContain('text/html');
      expect(await root.text()).toBe('<p>hi</p>');
      expect((await fetch(`${s.url}/a.js`)).headers.get('content-type')).toContain('javascript');
      expect((await fetch(`${s.url}/missing`)).status).toBe(404);
      s.set('/late.json', '{"x":1}');
      expect(await (await fetch(`${s.url}/late.json`)).json()).toEqual({ x: 1 });
    } finally {
      await s.close();
    }
  });
});
