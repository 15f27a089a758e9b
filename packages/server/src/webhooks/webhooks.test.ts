import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookDispatcher, type WebhookDeliveryReport } from './dispatcher.js';
import { WebhookVerificationError } from './errors.js';
import { signWebhook, verifyWebhook } from './signature.js';
import type { WebhookEvent } from './types.js';

const SECRET = 'whsec_0123456789abcdef0123';

interface Received {
  id: string;
  attempt: string;
  signature: string;
  body: string;
}

/** A local receiver: answers with `statuses` in turn (then 200), verifies and de-duplicates by id. */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; effects: WebhookEvent[]; server: Server }> {
  const received: Received[] = [];
  const effects: WebhookEvent[] = [];
  const seen = new Set<string>();
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        id: String(req.headers['alcove-webhook-id']),
        attempt: String(req.headers['alcove-webhook-attempt']),
        signature: String(req.headers['alcove-signature']),
        body,
      });
      const status = statuses.shift() ?? 200;
      if (status === 200) {
        const event = verifyWebhook({ body, header: req.headers['alcove-signature'] as string, secret: SECRET });
        if (!seen.has(event.id)) {
          seen.add(event.id);
          effects.push(event);
        }
      }
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, received, effects, server };
}
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

describe('webhooks', () => {
  it('delivers a signed event that verifyWebhook accepts', async () => {
    const rx = await receiver([]);
    const hooks = new WebhookDispatcher({
      endpoints: [{ url: rx.url, secret: SECRET }],
      allowPrivateNetworks: true,
      retry: { baseMs: 10 },
    });
    const id = hooks.emit('participant.admitted', { sessionId: 's1', participantId: 'client-1', role: 'client' });
    await hooks.idle();
    expect(rx.received).toHaveLength(1);
    const r = rx.received[0] as Received;
    expect(r.id).toBe(id);
    expect(r.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const event = verifyWebhook({ body: r.body, header: r.signature, secret: SECRET });
    expect(event).toMatchObject({ id, type: 'participant.admitted', data: { sessionId: 's1', participantId: 'client-1', role: 'client' } });
    await hooks.close();
  });

  it('retries 500, 500 then 200 with the same idempotency key; the receiver applies it once', async () => {
    const rx = await receiver([500, 500]);
    const reports: WebhookDeliveryReport[] = [];
    const hooks = new WebhookDispatcher({
      // Loopback receivers: private addresses allowed explicitly.
      allowPrivateNetworks: true,
      endpoints: [{ url: rx.url, secret: SECRET }],
      retry: { baseMs: 20, maxAttempts: 5 },
      onDelivery: (r) => reports.push(r),
    });
    const id = hooks.emit('session.ended', { sessionId: 's1', reason: 'host' });
    await hooks.idle();
    expect(rx.received.map((r) => r.id)).toEqual([id, id, id]);
    expect(rx.received.map((r) => r.attempt)).toEqual(['1', '2', '3']);
    expect(new Set(rx.received.map((r) => r.body)).size).toBe(1);
    expect(rx.effects).toHaveLength(1);
    expect(reports).toEqual([expect.objectContaining({ eventId: id, delivered: true, attempts: 3, status: 200 })]);
    await hooks.close();
  });

  it('a redelivered event (at least once) has no second effect at the receiver', async () => {
    // The receiver processes the event but its 200 is lost: simulate by answering 503 after applying.
    const effects: string[] = [];
    const seen = new Set<string>();
    let calls = 0;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const e = verifyWebhook({ body: Buffer.concat(chunks), header: req.headers['alcove-signature'] as string, secret: SECRET });
        if (!seen.has(e.id)) {
          seen.add(e.id);
          effects.push(e.type);
        }
        res.writeHead(++calls === 1 ? 503 : 200).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    const hooks = new WebhookDispatcher({
      // Loopback receivers: private addresses allowed explicitly.
      allowPrivateNetworks: true,
      endpoints: [{ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, secret: SECRET }],
      retry: { baseMs: 10 },
    });
    hooks.emit('participant.removed', { sessionId: 's', participantId: 'p', role: 'guardian' });
    await hooks.idle();
    expect(calls).toBe(2);
    expect(effects).toEqual(['participant.removed']);
  });

  it('gives up on 4xx, retries network errors up to maxAttempts', async () => {
    const rx = await receiver([400]);
    const reports: WebhookDeliveryReport[] = [];
    const hooks = new WebhookDispatcher({
      // Loopback receivers: private addresses allowed explicitly.
      allowPrivateNetworks: true,
      endpoints: [
        { url: rx.url, secret: SECRET },
        { url: 'http://127.0.0.1:1/closed', secret: SECRET },
      ],
      retry: { baseMs: 5, maxAttempts: 3 },
      onDelivery: (r) => reports.push(r),
    });
    hooks.emit('session.created', { sessionId: 's1' });
    await hooks.idle();
    expect(rx.received).toHaveLength(1);
    const byEndpoint = reports.sort((a, b) => a.endpointIndex - b.endpointIndex);
    expect(byEndpoint[0]).toMatchObject({ delivered: false, attempts: 1, status: 400 });
    expect(byEndpoint[1]).toMatchObject({ delivered: false, attempts: 3 });
    await hooks.close();
    expect(hooks.emit('session.created', { sessionId: 's2' })).toBeUndefined();
  });

  it('close() waits for a pending retry, then aborts what is left after its timeout', async () => {
    const rx = await receiver([500, 500, 500, 500, 500, 500]);
    const hooks = new WebhookDispatcher({
      endpoints: [{ url: rx.url, secret: SECRET }],
      allowPrivateNetworks: true,
      retry: { baseMs: 60_000, maxAttempts: 5 },
    });
    hooks.emit('session.created', { sessionId: 's1' });
    await new Promise((r) => setTimeout(r, 100));
    await hooks.close({ timeoutMs: 200 });
    expect(hooks.pending).toBe(0);
  });

  it('rejects a tampered body, a wrong secret, an old or future timestamp, malformed headers', () => {
    const body = JSON.stringify({ id: 'evt_1', type: 'session.created', createdAt: new Date().toISOString(), data: { sessionId: 's1' } });
    const t = Math.floor(Date.now() / 1000);
    const header = signWebhook(body, SECRET, t);
    expect(verifyWebhook({ body, header, secret: SECRET }).id).toBe('evt_1');
    expect(verifyWebhook({ body, header, secret: ['old-secret-0123456789', SECRET] }).id).toBe('evt_1');
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(WebhookVerificationError);
        return (e as WebhookVerificationError).code;
      }
      return undefined;
    };
    expect(code(() => verifyWebhook({ body: body.replace('s1', 's2'), header, secret: SECRET }))).toBe('INVALID_SIGNATURE');
    expect(code(() => verifyWebhook({ body: `${body} `, header, secret: SECRET }))).toBe('INVALID_SIGNATURE');
    expect(code(() => verifyWebhook({ body, header, secret: 'another-secret-0123456' }))).toBe('INVALID_SIGNATURE');
    const old = signWebhook(body, SECRET, t - 301);
    expect(code(() => verifyWebhook({ body, header: old, secret: SECRET }))).toBe('TIMESTAMP_OUT_OF_TOLERANCE');
    expect(code(() => verifyWebhook({ body, header: signWebhook(body, SECRET, t + 301), secret: SECRET }))).toBe(
      'TIMESTAMP_OUT_OF_TOLERANCE',
    );
    // Replaying an old signature with a new t fails (t is signed).
    expect(code(() => verifyWebhook({ body, header: old.replace(/^t=\d+/, `t=${t}`), secret: SECRET }))).toBe('INVALID_SIGNATURE');
    for (const h of [undefined, '', 'v1=abc', `t=${t}`, 'garbage', `t=${t},v1=${'0'.repeat(64)}`]) {
      expect(code(() => verifyWebhook({ body, header: h, secret: SECRET }))).toBe('INVALID_SIGNATURE');
    }
    const notEvent = JSON.stringify({ hello: 1 });
    expect(code(() => verifyWebhook({ body: notEvent, header: signWebhook(notEvent, SECRET, t), secret: SECRET }))).toBe(
      'MALFORMED_WEBHOOK',
    );
  });

  it('refuses insecure or credentialed endpoints and short secrets', () => {
    expect(() => new WebhookDispatcher({ endpoints: [{ url: 'http://ehr.example/hook', secret: SECRET }] })).toThrow(/https/);
    expect(() => new WebhookDispatcher({ endpoints: [{ url: 'https://u:p@ehr.example/hook', secret: SECRET }] })).toThrow(/credentials/);
    expect(() => new WebhookDispatcher({ endpoints: [{ url: 'https://ehr.example/hook', secret: 'short' }] })).toThrow(/secret/);
    expect(() => new WebhookDispatcher({ endpoints: [{ url: 'https://ehr.example/hook', secret: SECRET }] })).not.toThrow();
  });
});
