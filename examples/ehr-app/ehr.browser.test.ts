import { fileURLToPath } from 'node:url';
import { startCall, waitFor, waitForVideoFrames, type CallFixture } from '@alcove/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../embed-html/demo-server.js';

// An existing app's own screen drives the call through @alcove/core: its waiting list admits the
// client, both decode each other (E2EE on, the server's defaults), the codes match, a message
// arrives once and as text.

describe('examples/ehr-app: the core API inside an existing app', () => {
  let call: CallFixture<Demo>;

  beforeAll(async () => {
    call = await startCall<Demo>({
      tmpPrefix: 'alcove-ehr-',
      // The demo is the server and the practice's site in one: it serves this app's page.
      server: ({ dataDir }) => startDemo({ dataDir, site: { dir: fileURLToPath(new URL('.', import.meta.url)), entry: 'app.ts' } }),
      site: async (demo) => ({ url: demo.url }),
    });
  });
  afterAll(async () => {
    await call?.close();
  });

  const open = async (role: 'host' | 'client'): Promise<Page> => {
    const p = await call.newPage(`/#role=${role}`);
    await p.click('#start');
    return p;
  };
  const text = (p: Page, selector: string): Promise<string | null> => p.textContent(selector);

  it('admits, connects with E2EE, matches codes and delivers chat once', async () => {
    const pages: Page[] = [];
    try {
      const host = await open('host');
      pages.push(host);
      await expect.poll(() => text(host, '#status'), { timeout: 30_000 }).toBe('In the visit');
      const client = await open('client');
      pages.push(client);
      await expect.poll(() => text(client, '#status'), { timeout: 30_000 }).toBe('Waiting for the host to let you in');

      await host.getByRole('button', { name: 'Admit Guest' }).click({ timeout: 30_000 });
      await expect.poll(() => text(client, '#status'), { timeout: 30_000 }).toBe('In the visit');
      expect((await waitForVideoFrames(host, '#remote', 10)).width).toBeGreaterThan(0);
      expect((await waitForVideoFrames(client, '#remote', 10)).width).toBeGreaterThan(0);

      // Each side shows the code once its own handshake is done: wait for both, then compare.
      const code = /Security code: \d{4} \d{4} \d{4}/;
      const atHost = await waitFor(
        'the host to show the security code',
        () => text(host, '#sas'),
        (t) => code.test(t ?? ''),
      );
      const atClient = await waitFor(
        'the client to show the security code',
        () => text(client, '#sas'),
        (t) => code.test(t ?? ''),
      );
      expect(atClient).toBe(atHost);

      const message = '<b>see you Tuesday</b>';
      await client.fill('#chat-input', message);
      await client.click('#chat-form button');
      await expect.poll(() => host.locator('#chat li').allTextContents(), { timeout: 30_000 }).toEqual([message]);
      expect(await host.locator('#chat b').count()).toBe(0);

      await client.click('#leave');
      await expect.poll(() => text(client, '#status'), { timeout: 30_000 }).toBe('The visit has ended');
    } finally {
      await call.closePages(...pages);
    }
  });
});
