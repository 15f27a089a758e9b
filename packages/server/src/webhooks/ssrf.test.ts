/**
 * Webhook URLs to loopback, private, link-local and metadata addresses are refused unless the
 * operator allows private networks; a host name that resolves to such an address is refused at
 * delivery (no request is made). Real HTTP receivers on 127.0.0.1 where a delivery is expected.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../signaling/testing/harness.js';
import { FakeMediaEngine } from '../media/fake-engine.js';
import { createAlcoveServer } from '../server.js';
import { isBlockedAddress, isBlockedHostname } from './address-policy.js';
import { WebhookDispatcher } from './dispatcher.js';
import { WebhookConfigError } from './errors.js';

const SECRET = 'webhook-secret-0123456789abcdef';
let receiver: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (receiver ? receiver.close(r) : r(undefined)));
  receiver = undefined;
});

async function startReceiver(): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  receiver = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((r) => receiver?.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, hits: () => hits };
}

describe('webhook destination policy', () => {
  it('classifies addresses', () => {
    for (const a of [
      '127.0.0.1',
      '127.8.9.1',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00:ec2::254',
      'fc00::5',
      '::ffff:127.0.0.1',
      '::ffff:169.254.169.254',
      '64:ff9b::a9fe:a9fe',
      'ff02::1',
      'not-an-ip',
    ]) {
      expect(isBlockedAddress(a), a).toBe(true);
    }
    for (const a of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])
      expect(isBlockedAddress(a), a).toBe(false);
    for (const h of ['localhost', 'LOCALHOST.', 'api.localhost', 'metadata.google.internal', '[::1]', '169.254.169.254', '[fd00:ec2::254]'])
      expect(isBlockedHostname(h), h).toBe(true);
    for (const h of ['ehr.example', 'hooks.example.org', '8.8.8.8']) expect(isBlockedHostname(h), h).toBe(false);
  });

  it('refuses loopback, private, link-local and metadata URLs at construction unless explicitly allowed', () => {
    for (const url of [
      'http://127.0.0.1:9/hook',
      'http://localhost/hook',
      'https://10.0.0.5/hook',
      'https://192.168.0.10/hook',
      'https://172.20.1.1/hook',
      'http://169.254.169.254/latest/meta-data',
      'https://metadata.google.internal/computeMetadata/v1',
      'http://[::1]/hook',
      'https://[fd00:ec2::254]/hook',
      'https://[::ffff:7f00:1]/hook',
    ]) {
      expect(() => new WebhookDispatcher({ endpoints: [{ url, secret: SECRET }] }), url).toThrow(WebhookConfigError);
    }
    expect(() => new WebhookDispatcher({ endpoints: [{ url: 'https://ehr.example/hook', secret: SECRET }] })).not.toThrow();
    expect(
      () => new WebhookDispatcher({ endpoints: [{ url: 'http://127.0.0.1:9/hook', secret: SECRET }], allowPrivateNetworks: true }),
    ).not.toThrow();
  });

  it('refuses at delivery a host name that resolves to a private or metadata address: no request is made', async () => {
    const { url, hits } = await startReceiver();
    const port = new URL(url).port;
    const reports: Array<{ delivered: boolean; attempts: number }> = [];
    const d = new WebhookDispatcher({
      endpoints: [{ url: `http://hooks.example.test:${port}/hook`, secret: SECRET }],
      allowInsecureHttp: true,
      // DNS answers with the metadata service's address (a rebinding or a hostile record).
      resolveHost: async () => ['169.254.169.254'],
      // The real network path, pointed at our receiver, so a request would be seen.
      fetch: (_input, init) => fetch(url, init),
      onDelivery: (r) => reports.push(r),
    });
    d.emit('session.created', { sessionId: 'S1' });
    await d.idle();
    expect(reports).toEqual([expect.objectContaining({ delivered: false, attempts: 1 })]);
    expect(hits()).toBe(0);
    expect(d.deliveries()[0]).toMatchObject({ outcome: 'refused', attempts: [{ error: 'refused-address' }], sessionId: 'S1' });
    await d.close();
  });

  it('delivers when the host name resolves to a public address, and the log shows the attempt', async () => {
    const { url, hits } = await startReceiver();
    const d = new WebhookDispatcher({
      endpoints: [{ url: 'https://hooks.example.test/hook', secret: SECRET }],
      resolveHost: async () => ['93.184.216.34'],
      fetch: (_input, init) => fetch(url, init),
    });
    d.emit('session.created', { sessionId: 'S2' });
    await d.idle();
    expect(hits()).toBe(1);
    expect(d.deliveries()[0]).toMatchObject({ outcome: 'delivered', attempts: [{ status: 204 }] });
    await d.close();
  });

  it('without a custom fetch, a delivery connects to exactly the address it checked (no rebinding in between)', async () => {
    const { url, hits } = await startReceiver();
    const port = new URL(url).port;
    let lookups = 0;
    // The name does not exist in real DNS: the delivery can only reach the receiver through the
    // address the check resolved, pinned for the connection.
    const refused = new WebhookDispatcher({
      endpoints: [{ url: `http://hooks.example.test:${port}/hook`, secret: SECRET }],
      allowInsecureHttp: true,
      resolveHost: async () => {
        lookups++;
        return ['127.0.0.1'];
      },
      retry: { maxAttempts: 3, baseMs: 1 },
    });
    refused.emit('session.created', { sessionId: 'S3' });
    await refused.idle();
    await refused.close();
    expect(hits()).toBe(0);
    expect(lookups).toBe(1);
    expect(refused.deliveries()[0]).toMatchObject({ outcome: 'refused', attempts: [{ error: 'refused-address' }] });

    const allowed = new WebhookDispatcher({
      endpoints: [{ url: `http://hooks.example.test:${port}/hook`, secret: SECRET }],
      allowInsecureHttp: true,
      allowPrivateNetworks: true,
      resolveHost: async () => ['127.0.0.1'],
    });
    allowed.emit('session.created', { sessionId: 'S4' });
    await allowed.idle();
    await allowed.close();
    expect(hits()).toBe(1);
    expect(allowed.deliveries()[0]).toMatchObject({ outcome: 'delivered', attempts: [{ status: 204 }] });
  });

  it('the server refuses a loopback webhook endpoint unless allowPrivateNetworks is set', async () => {
    const engine = new FakeMediaEngine();
    const base = { port: 0, tokens: { hs256Secret: TEST_SECRET }, createWorker: engine.createWorker, logLevel: 'error' as const };
    await expect(
      createAlcoveServer({ ...base, webhooks: { endpoints: [{ url: 'http://127.0.0.1:9/hook', secret: SECRET }] } }),
    ).rejects.toThrow(WebhookConfigError);
    const ok = await createAlcoveServer({
      ...base,
      webhooks: { endpoints: [{ url: 'http://127.0.0.1:9/hook', secret: SECRET }], allowPrivateNetworks: true },
    });
    await ok.close();
  });
});
