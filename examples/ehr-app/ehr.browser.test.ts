import { fileURLToPath } from 'node:url';
import { launchBrowser, waitForVideoFrames, type TestBrowser } from '@alcove/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, type Demo } from '../embed-html/demo-server.js';

// An existing app's own screen drives the call through @alcove/core: its waiting list admits the
// client, both decode each other (E2EE on, the server's defaults), the codes match, a message
// arrives once and as text.

describe('examples/ehr-app: the core API inside an existing app', () => {
  let demo: Demo;
  let tb: TestBrowser;

  beforeAll(async () => {
    demo = await startDemo({ site: { dir: fileURLToPath(new URL('.', import.meta.url)), entry: 'app.ts' } });
    tb = await launchBrowser();
  });
  afterAll(async () => {
    await tb?.close();
    await demo?.close();
  });

  const open = async (role: 'host' | 'client'): Promise<Page> => {
    const p = await tb.newPage();
    await p.goto(`${demo.url}/#role=${role}`);
    await p.click('#start');
    return p;
  };

  it('admits, connects with E2EE, matches codes and delivers chat once', async () => {
    const host = await open('host');
    await expect.poll(() => host.textContent('#status'), { timeout: 20_000 }).toBe('In the visit');
    const client = await open('client');
    await expect.poll(() => client.textContent('#status'), { timeout: 20_000 }).toBe('Waiting for the host to let you in');

    await host.getByRole('button', { name: 'Admit Guest' }).click({ timeout: 20_000 });
    await expect.poll(() => client.textContent('#status'), { timeout: 20_000 }).toBe('In the visit');
    expect((await waitForVideoFrames(host, '#remote', 10, 30_000)).width).toBeGreaterThan(0);
    expect((await waitForVideoFrames(client, '#remote', 10, 30_000)).width).toBeGreaterThan(0);

    await expect.poll(() => host.textContent('#sas'), { timeout: 20_000 }).toMatch(/Security code: \d{4} \d{4} \d{4}/);
    expect(await client.textContent('#sas')).toBe(await host.textContent('#sas'));

    const text = '<b>see you Tuesday</b>';
    await client.fill('#chat-input', text);
    await client.click('#chat-form button');
    await expect.poll(() => host.locator('#chat li').allTextContents(), { timeout: 10_000 }).toEqual([text]);
    expect(await host.locator('#chat b').count()).toBe(0);

    await client.click('#leave');
    await expect.poll(() => client.textContent('#status'), { timeout: 10_000 }).toBe('The visit has ended');
  });
});
