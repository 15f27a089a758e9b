/**
 * Durable `Idempotency-Key` answers: the real server restarted on the same data folder answers a
 * retried create with the first session (same id, same status) and creates no second one; another
 * body with the same key is refused with `IDEMPOTENCY_CONFLICT`; keys expire; tenants never share a
 * key; the journal is bounded (count cap, rewritten without dropped records) and survives a torn
 * last line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AdminApiError, AlcoveAdminClient } from '../client/index.js';
import { SessionRegistry } from '../sessions/registry.js';
import { startTestServer, type TestServer } from '../signaling/testing/harness.js';
import { createAdminHandler } from './admin-handler.js';
import { IDEMPOTENCY_FILE, IdempotencyStore } from './idempotency.js';
import { TokenRevocations, REVOCATIONS_FILE } from './revocations.js';

const KEY_A = 'tenant-a-key-0123456789abcdef';
const KEY_B = 'tenant-b-key-0123456789abcdef';
const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'alcove-idem-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A create through raw HTTP, so the status and the replay header are visible. */
async function create(base: string, apiKey: string, idempotencyKey: string, policy: Record<string, unknown>) {
  const res = await fetch(`${base}/v1/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify({ policy }),
  });
  return { status: res.status, replayed: res.headers.get('idempotent-replayed'), json: (await res.json()) as any };
}

describe('Idempotency-Key across a server restart (real server, same data folder)', () => {
  it('answers the first session again after a restart, creates no second one, refuses another body, keeps tenants apart', async () => {
    const dataDir = tempDir();
    const options = { dataDir, apiKeys: [KEY_A, { key: KEY_B, tenant: 'tenant-b' }] };
    const key = 'appointment-1842';
    let ts: TestServer | undefined = await startTestServer(options);
    let first: Awaited<ReturnType<typeof create>>;
    try {
      first = await create(ts.server.url as string, KEY_A, key, { maxParticipants: 3 });
      expect(first.status).toBe(201);
      expect(first.replayed).toBeNull();
    } finally {
      await ts.close();
      ts = undefined;
    }
    // The record is on disk, without the raw key.
    const journal = readFileSync(join(dataDir, IDEMPOTENCY_FILE), 'utf8');
    expect(journal).toContain(first.json.session.id);
    expect(journal).not.toContain(key);

    ts = await startTestServer(options);
    try {
      const base = ts.server.url as string;
      const again = await create(base, KEY_A, key, { maxParticipants: 3 });
      expect(again.status).toBe(first.status);
      expect(again.replayed).toBe('true');
      expect(again.json.session.id).toBe(first.json.session.id);
      expect(again.json.session.state).toBe(first.json.session.state);
      expect(again.json).toEqual(first.json);
      // Exactly one session exists: the first.
      const a = new AlcoveAdminClient({ baseUrl: base, apiKey: KEY_A });
      const listed = await a.listSessions();
      expect(listed.sessions.map((s) => s.id)).toEqual([first.json.session.id]);
      expect(ts.server.registry.size).toBe(1);

      // The same key with another body is refused, with a clear code; nothing is created.
      const other = await create(base, KEY_A, key, { maxParticipants: 4 });
      expect(other.status).toBe(409);
      expect(other.json.error.code).toBe('IDEMPOTENCY_CONFLICT');
      await expect(a.createSession({ maxParticipants: 4 }, { idempotencyKey: key })).rejects.toSatisfy(
        (e) => e instanceof AdminApiError && e.code === 'IDEMPOTENCY_CONFLICT' && e.status === 409,
      );
      expect(ts.server.registry.size).toBe(1);

      // Another tenant's same key is its own key: a new session of that tenant, also remembered.
      const b1 = await create(base, KEY_B, key, { maxParticipants: 3 });
      expect(b1.status).toBe(201);
      expect(b1.replayed).toBeNull();
      expect(b1.json.session.id).not.toBe(first.json.session.id);
      const b2 = await create(base, KEY_B, key, { maxParticipants: 4 });
      expect(b2.json.error.code).toBe('IDEMPOTENCY_CONFLICT');
      // And tenant A still gets its own first answer.
      expect((await create(base, KEY_A, key, { maxParticipants: 3 })).json.session.id).toBe(first.json.session.id);
      expect(ts.server.registry.size).toBe(2);
    } finally {
      await ts.close();
    }
  });
});

describe('Idempotency-Key under concurrent retries (real server)', () => {
  it('creates one session however many requests with the same key arrive at once', async () => {
    const ts = await startTestServer({ dataDir: tempDir(), apiKeys: [KEY_A] });
    try {
      const base = ts.server.url as string;
      const answers = await Promise.all(Array.from({ length: 8 }, () => create(base, KEY_A, 'burst-1', { maxParticipants: 2 })));
      expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
      expect(new Set(answers.map((a) => a.json.session.id)).size).toBe(1);
      expect(answers.filter((a) => a.replayed === null)).toHaveLength(1);
      expect(ts.server.registry.size).toBe(1);
    } finally {
      await ts.close();
    }
  });
});

describe('Idempotency-Key expiry through the handler', () => {
  it('a key is answered from the first create until its TTL, then a retry creates a new session (also after a reload)', async () => {
    const dataDir = tempDir();
    let t = 1_700_000_000_000;
    const now = () => t;
    const TTL = 60_000;
    const start = async () => {
      const registry = SessionRegistry.open({ dataDir });
      const handler = createAdminHandler({
        registry,
        apiKeys: [KEY_A],
        revocations: new TokenRevocations({ file: join(dataDir, REVOCATIONS_FILE), now }),
        idempotencyTtlMs: TTL,
        now,
      });
      const server = createServer((req, res) => void handler(req, res));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      return {
        base,
        registry,
        close: async () => {
          await new Promise((r) => server.close(r));
          registry.close();
        },
      };
    };
    let s = await start();
    let firstId: string;
    try {
      const first = await create(s.base, KEY_A, 'k-1', {});
      firstId = first.json.session.id;
      t += TTL - 1;
      expect((await create(s.base, KEY_A, 'k-1', {})).json.session.id).toBe(firstId);
    } finally {
      await s.close();
    }
    // Reloaded just before the TTL: still remembered.
    s = await start();
    try {
      expect((await create(s.base, KEY_A, 'k-1', {})).replayed).toBe('true');
    } finally {
      await s.close();
    }
    t += 1;
    // Reloaded at the TTL: forgotten; a retry is a new create (another body is no conflict either).
    s = await start();
    try {
      const later = await create(s.base, KEY_A, 'k-1', { maxParticipants: 4 });
      expect(later.status).toBe(201);
      expect(later.replayed).toBeNull();
      expect(later.json.session.id).not.toBe(firstId);
      expect(s.registry.size).toBe(2);
    } finally {
      await s.close();
    }
  });
});

describe('IdempotencyStore', () => {
  it('keys records per tenant: the same key of two tenants never meets', () => {
    const store = new IdempotencyStore();
    const a = store.lookup('a', 'k', 'f1');
    expect(a.kind).toBe('new');
    if (a.kind !== 'new') return;
    store.remember(a.id, 'f1', 201, { x: 1 });
    expect(store.lookup('a', 'k', 'f1')).toMatchObject({ kind: 'replay', record: { status: 201, body: { x: 1 } } });
    expect(store.lookup('a', 'k', 'f2')).toEqual({ kind: 'conflict' });
    expect(store.lookup('b', 'k', 'f2').kind).toBe('new');
    // A tenant name cannot be crafted to alias another tenant's key.
    expect(store.lookup('a\nk', '', 'f1').kind).toBe('new');
  });

  it('expires records after the TTL, in memory and when loaded from the file', () => {
    const file = join(tempDir(), IDEMPOTENCY_FILE);
    let t = 1_000_000;
    const store = new IdempotencyStore({ file, ttlMs: 1000, now: () => t });
    const id = (store.lookup('default', 'k', 'f') as { id: string }).id;
    store.remember(id, 'f', 201, {});
    t += 999;
    expect(store.lookup('default', 'k', 'f').kind).toBe('replay');
    expect(new IdempotencyStore({ file, ttlMs: 1000, now: () => t }).lookup('default', 'k', 'f').kind).toBe('replay');
    t += 1;
    expect(store.lookup('default', 'k', 'f').kind).toBe('new');
    const reloaded = new IdempotencyStore({ file, ttlMs: 1000, now: () => t });
    expect(reloaded.lookup('default', 'k', 'f').kind).toBe('new');
    expect(reloaded.size).toBe(0);
    store.close();
  });

  it('caps the count (the oldest go first) and rewrites the file without what it dropped', () => {
    const file = join(tempDir(), IDEMPOTENCY_FILE);
    let t = 0;
    const store = new IdempotencyStore({ file, maxEntries: 10, now: () => t });
    for (let i = 0; i < 200; i++) {
      t++;
      const found = store.lookup('default', `key-${i}`, 'f');
      if (found.kind !== 'new') throw new Error(`key-${i} was ${found.kind}`);
      store.remember(found.id, 'f', 201, { i });
    }
    expect(store.size).toBe(10);
    expect(store.lookup('default', 'key-189', 'f').kind).toBe('new');
    expect(store.lookup('default', 'key-190', 'f')).toMatchObject({ kind: 'replay', record: { body: { i: 190 } } });
    store.close();
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
    expect(lines).toBeLessThanOrEqual(64);
    const reloaded = new IdempotencyStore({ file, maxEntries: 10, now: () => t });
    expect(reloaded.size).toBe(10);
    expect(reloaded.lookup('default', 'key-199', 'f')).toMatchObject({ kind: 'replay', record: { body: { i: 199 } } });
    expect(reloaded.lookup('default', 'key-0', 'f').kind).toBe('new');
  });

  it('ignores a torn last line and refuses a corrupt file', () => {
    const dir = tempDir();
    const file = join(dir, IDEMPOTENCY_FILE);
    const store = new IdempotencyStore({ file });
    const id = (store.lookup('default', 'k', 'f') as { id: string }).id;
    store.remember(id, 'f', 201, { ok: true });
    store.close();
    appendFileSync(file, '{"k":"torn","f":');
    const reloaded = new IdempotencyStore({ file });
    expect(reloaded.lookup('default', 'k', 'f').kind).toBe('replay');
    expect(readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);
    const bad = join(dir, 'bad.journal');
    writeFileSync(bad, 'not json\n{"k":"x"}\n');
    expect(() => new IdempotencyStore({ file: bad })).toThrow(/not an idempotency journal/);
  });
});
