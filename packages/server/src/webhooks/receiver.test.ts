/**
 * The integrator's webhook receiver against real deliveries from the dispatcher over HTTP on
 * 127.0.0.1: verified, stale timestamps and bad signatures refused, duplicates (retries) recognised.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookDispatcher } from './dispatcher.js';
import { createWebhookReceiver } from './receiver.js';
import { signWebhook } from './signature.js';

const SECRET = 'webhook-secret-0123456789abcdef';
let srv: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (srv ? srv.close(r) : r(undefined)));
  srv = undefined;
});

describe('createWebhookReceiver', () => {
  it('accepts each event once across retries, answering 2xx to duplicates', async () => {
    const receiver = createWebhookReceiver({ secret: SECRET });
    const handled: string[] = [];
    const duplicates: string[] = [];
    let calls = 0;
    srv = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        calls++;
        try {
          const { event, duplicate } = await receiver.receive({
            body: Buffer.concat(chunks),
            headers: req.headers as Record<string, string>,
          });
          if (duplicate) duplicates.push(event.id);
          else handled.push(event.id);
          // The first delivery "fails" after processing (e.g. a slow answer): the dispatcher retries.
          res.writeHead(calls === 1 ? 503 : 204).end();
        } catch {
          res.writeHead(400).end();
        }
      });
    });
    await new Promise<void>((r) => srv?.listen(0, '127.0.0.1', r));
    const d = new WebhookDispatcher({
      endpoints: [{ url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}/h`, secret: SECRET }],
      allowPrivateNetworks: true,
      retry: { baseMs: 10, maxAttempts: 3 },
    });
    const id = d.emit('participant.admitted', { sessionId: 'S', participantId: 'p1', role: 'client' });
    await d.idle();
    await d.close();
    expect(handled).toEqual([id]);
    expect(duplicates).toEqual([id]);
    expect(d.deliveries()[0]).toMatchObject({ outcome: 'delivered', attempts: [{ status: 503 }, { status: 204 }] });
  });

  it('refuses a stale or future timestamp, a wrong secret and a tampered body; forget() lets a retry through', async () => {
    let now = 1_700_000_000_000;
    const receiver = createWebhookReceiver({ secret: [SECRET, 'next-secret-0123456789abcdef'], toleranceS: 300, now: () => now });
    const body = JSON.stringify({ id: 'evt_1', type: 'session.created', createdAt: new Date(now).toISOString(), data: { sessionId: 'S' } });
    const t = Math.floor(now / 1000);
    const sig = (b: string, s = SECRET, at = t) => ({ 'Alcove-Signature': signWebhook(b, s, at) });
    await expect(receiver.receive({ body, headers: sig(body, SECRET, t - 301) })).rejects.toMatchObject({
      code: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    await expect(receiver.receive({ body, headers: sig(body, SECRET, t + 301) })).rejects.toMatchObject({
      code: 'TIMESTAMP_OUT_OF_TOLERANCE',
    });
    await expect(receiver.receive({ body, headers: sig(body, 'wrong-secret-0123456789abcdef') })).rejects.toMatchObject({
      code: 'INVALID_SIGNATURE',
    });
    await expect(receiver.receive({ body: body.replace('"S"', '"T"'), headers: sig(body) })).rejects.toMatchObject({
      code: 'INVALID_SIGNATURE',
    });
    await expect(receiver.receive({ body, headers: {} })).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
    // The second secret (rotation) verifies; a Headers object works too.
    expect(await receiver.receive({ body, headers: new Headers(sig(body, 'next-secret-0123456789abcdef')) })).toMatchObject({
      duplicate: false,
      event: { id: 'evt_1' },
    });
    now += 1000;
    expect((await receiver.receive({ body, headers: sig(body, SECRET, Math.floor(now / 1000)) })).duplicate).toBe(true);
    await receiver.forget('evt_1');
    expect((await receiver.receive({ body, headers: sig(body, SECRET, Math.floor(now / 1000)) })).duplicate).toBe(false);
  });
});
