import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlcoveAdminClient } from '@alcove/server/client';
import { createAlcoveServer, type AlcoveServer } from '@alcove/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runAppointment, startWebhookReceiver, type WebhookReceiver } from './flow.js';

// The scripted flow against the real server: admin API over HTTP, signed webhooks to a local
// receiver, and a client that really connects over WebSocket and lands in the waiting room.

const API_KEY = 'ak_example_0123456789abcdefghijklmnop';
const TOKEN_SECRET = 'example-token-secret-0123456789abcdef';
const WEBHOOK_SECRET = 'whsec_example_0123456789abcdef';

/** Connects like a client app and joins with `token`; resolves with the join result's state. */
function joinAsClient(wsUrl: string, token: string): Promise<{ state: string; socket: WebSocket }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl);
    socket.on('open', () => socket.send(JSON.stringify({ v: 1, id: 1, method: 'session.join', data: { token, e2ee: true } })));
    socket.on('message', (raw) => {
      const m = JSON.parse(String(raw)) as { id?: number; ok?: boolean; data?: { state: string }; error?: { code: string } };
      if (m.id !== 1) return;
      if (m.ok && m.data) resolve({ state: m.data.state, socket });
      else reject(new Error(m.error?.code ?? 'join failed'));
    });
    socket.on('error', reject);
  });
}

describe('examples/scripted-flow', () => {
  let server: AlcoveServer;
  let receiver: WebhookReceiver;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'alcove-flow-'));
    receiver = await startWebhookReceiver(WEBHOOK_SECRET);
    server = await createAlcoveServer({
      port: 0,
      apiKeys: [API_KEY],
      tokens: { hs256Secret: TOKEN_SECRET },
      dataDir,
      logLevel: 'error',
      // The receiver is on loopback: private addresses are allowed explicitly.
      webhooks: {
        endpoints: [{ url: receiver.url, secret: WEBHOOK_SECRET }],
        retry: { baseMs: 50, maxAttempts: 5 },
        allowPrivateNetworks: true,
      },
    });
    await server.start();
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('creates a session, sees the client wait, ends it, and reads attendance', async () => {
    const admin = new AlcoveAdminClient({ baseUrl: server.url as string, apiKey: API_KEY });
    const tokens: Record<string, { token: string; pid: string }> = {};
    const lines: string[] = [];
    let socket: WebSocket | undefined;
    const result = await runAppointment({
      admin,
      log: (l) => lines.push(l),
      deliver: (who, token, pid) => {
        tokens[who] = { token, pid };
      },
      whileOpen: async () => {
        const joined = await joinAsClient(server.wsUrl as string, tokens.client!.token);
        socket = joined.socket;
        expect(joined.state).toBe('waiting');
        const waiting = await receiver.next('participant.waiting');
        expect(waiting.data).toMatchObject({ participantId: tokens.client!.pid, role: 'client' });
      },
    });
    socket?.close();

    const created = await receiver.next('session.created');
    const ended = await receiver.next('session.ended');
    expect(created.data).toMatchObject({ sessionId: result.sessionId });
    expect(ended.data).toMatchObject({ sessionId: result.sessionId });
    // Each event was handed over once, whatever the retries.
    expect(new Set(receiver.events.map((e) => e.id)).size).toBe(receiver.events.length);
    // Secure defaults reached the session, and nothing secret reached the log lines.
    expect(lines[0]).toBe('session created (waiting room on, E2EE required)');
    for (const l of lines) for (const t of Object.values(tokens)) expect(l).not.toContain(t.token);

    const therapist = result.attendance.find((p) => p.participantId === tokens.therapist!.pid);
    const client = result.attendance.find((p) => p.participantId === tokens.client!.pid);
    expect(therapist?.neverJoined).toBe(true);
    expect(client?.neverJoined).toBe(true); // waited, was never admitted
    expect(client?.role).toBe('client');
  });

  it('refuses a forged webhook', async () => {
    const res = await fetch(receiver.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'Alcove-Signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` },
      body: JSON.stringify({
        id: 'evt_forged',
        type: 'session.ended',
        createdAt: new Date().toISOString(),
        data: { sessionId: 'x', reason: 'x' },
      }),
    });
    expect(res.status).toBe(400);
    expect(receiver.events.some((e) => e.id === 'evt_forged')).toBe(false);
  });
});
