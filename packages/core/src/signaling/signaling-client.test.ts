import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Notification } from '@alcove/protocol';
import { createFakePlatform } from '../test/fake-platform.js';
import { FakeServer } from '../test/fake-server.js';
import { SignalingClient, type SignalingLossReason } from './signaling-client.js';

describe('SignalingClient', () => {
  let server: FakeServer;
  let lost: SignalingLossReason[];
  let notes: Notification[];
  let client: SignalingClient;

  beforeEach(async () => {
    vi.useFakeTimers();
    server = new FakeServer();
    server.handle('session.ping', () => ({ now: 1 }));
    lost = [];
    notes = [];
    client = new SignalingClient(
      createFakePlatform(server),
      { onLost: (r) => lost.push(r), onNotification: (n) => notes.push(n) },
      { requestTimeoutMs: 3000 },
    );
    await client.connect('ws://x');
  });
  afterEach(() => {
    client.close();
    vi.useRealTimers();
  });

  it('matches responses to requests by id and validates them', async () => {
    server.handle('chat.send', (d) => ({ id: d.id, at: 5 }));
    const [a, b] = await Promise.all([
      client.request('chat.send', { id: 'a', seq: 1, body: 'eA', keys: [] }),
      client.request('chat.send', { id: 'b', seq: 2, body: 'eQ', keys: [] }),
    ]);
    expect(a).toEqual({ id: 'a', at: 5 });
    expect(b).toEqual({ id: 'b', at: 5 });
    const ids = server.last.received.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('rejects with the wire code on an error response', async () => {
    server.handle('host.lock', () => ({ error: 'NOT_ALLOWED' }));
    await expect(client.request('host.lock', {})).rejects.toMatchObject({ name: 'SignalingError', code: 'NOT_ALLOWED' });
  });

  it('rejects a response that breaks the schema with PROTOCOL_ERROR', async () => {
    server.handle('session.ping', () => ({ now: 'soon' }) as never);
    await expect(client.request('session.ping', {})).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
  });

  it('times out a request that gets no answer and leaves nothing pending', async () => {
    server.handle('host.lock', () => 'no-reply');
    const p = client.request('host.lock', {});
    const check = expect(p).rejects.toMatchObject({ code: 'REQUEST_TIMEOUT' });
    await vi.advanceTimersByTimeAsync(3000);
    await check;
    expect(client.pendingCount).toBe(0);
  });

  it('dispatches notifications and ignores invalid ones', async () => {
    server.last.notify('session.lockChanged', { locked: true });
    server.last.socket.deliver(JSON.stringify({ v: 1, method: 'session.lockChanged', data: { locked: 'yes' } }));
    await vi.advanceTimersByTimeAsync(0);
    expect(notes).toEqual([{ v: 1, method: 'session.lockChanged', data: { locked: true } }]);
  });

  it('detects a silent server through missed heartbeats within 2 s', async () => {
    client.startHeartbeat(10_000);
    await vi.advanceTimersByTimeAsync(3000);
    expect(lost).toEqual([]);
    expect(server.requests('session.ping').length).toBeGreaterThan(3);
    server.last.silent = true;
    await vi.advanceTimersByTimeAsync(2000);
    expect(lost).toEqual(['heartbeat']);
    expect(client.open).toBe(false);
  });

  it('reports a closed socket once and rejects pending requests', async () => {
    server.handle('host.lock', () => 'no-reply');
    const p = client.request('host.lock', {});
    server.last.drop();
    await expect(p).rejects.toMatchObject({ code: 'CONNECTION_LOST' });
    expect(lost).toEqual(['closed']);
    client.close();
    expect(lost).toEqual(['closed']);
  });

  it('fails to connect to an unreachable server', async () => {
    server.reachable = false;
    const c = new SignalingClient(createFakePlatform(server), { onLost: () => undefined, onNotification: () => undefined });
    await expect(c.connect('ws://x')).rejects.toMatchObject({ name: 'ConnectionError', code: 'CONNECTION_FAILED' });
  });
});
