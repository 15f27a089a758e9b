import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebhookDispatcher } from './dispatcher.js';
import { verifyWebhook } from './signature.js';

const SECRET = 'whsec_0123456789abcdef0123';
const dir = mkdtempSync(join(tmpdir(), 'alcove-outbox-'));
const servers: Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  rmSync(dir, { recursive: true, force: true });
});

describe('webhook outbox (at least once across restarts)', () => {
  it('replays an undelivered event after a restart with the same id; the receiver applies it once', async () => {
    let status = 500;
    const ids: string[] = [];
    const effects = new Map<string, string>();
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const e = verifyWebhook({ body: Buffer.concat(chunks), header: req.headers['alcove-signature'] as string, secret: SECRET });
        ids.push(e.id);
        if (status === 200 && !effects.has(e.id)) effects.set(e.id, e.type);
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    servers.push(server);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/h`;
    const outboxFile = join(dir, 'outbox-1.jsonl');

    const first = await WebhookDispatcher.open({
      endpoints: [{ url, secret: SECRET }],
      allowPrivateNetworks: true,
      outboxFile,
      retry: { baseMs: 60_000 },
    });
    const id = first.emit('participant.removed', { sessionId: 's1', participantId: 'p1', role: 'client' }) as string;
    while (ids.length === 0) await new Promise((r) => setTimeout(r, 10));
    await first.close({ timeoutMs: 20 }); // shutdown while waiting to retry
    expect(readFileSync(outboxFile, 'utf8')).toContain(id);

    status = 200;
    const second = await WebhookDispatcher.open({
      endpoints: [{ url, secret: SECRET }],
      allowPrivateNetworks: true,
      outboxFile,
      retry: { baseMs: 10 },
    });
    await second.idle();
    await second.close();
    expect(ids).toEqual([id, id]);
    expect([...effects]).toEqual([[id, 'participant.removed']]);
    expect(readFileSync(outboxFile, 'utf8')).toBe(''); // compacted once nothing is pending

    // A third start has nothing to replay.
    const third = await WebhookDispatcher.open({ endpoints: [{ url, secret: SECRET }], allowPrivateNetworks: true, outboxFile });
    expect(third.pending).toBe(0);
    await third.close();
  });

  it('ignores a torn last line and drops replays for endpoints no longer configured', async () => {
    const outboxFile = join(dir, 'outbox-2.jsonl');
    const body = JSON.stringify({ id: 'evt_x', type: 'session.created', createdAt: new Date().toISOString(), data: { sessionId: 's' } });
    appendFileSync(
      outboxFile,
      `${JSON.stringify({ op: 'add', id: 'evt_x', type: 'session.created', body, urls: ['https://gone.example/h'] })}\n{"op":"add","id":"evt_y","ty`,
    );
    const d = await WebhookDispatcher.open({
      endpoints: [{ url: 'https://ehr.example/h', secret: SECRET }],
      outboxFile,
      fetch: () => Promise.reject(new Error('no network in tests')),
    });
    expect(d.pending).toBe(0);
    await d.close();
    expect(readFileSync(outboxFile, 'utf8')).toBe('');
  });
});
