/**
 * Failed admin authentications reach the audit trail coalesced per client address: at most one
 * `admin.authFailed` line per address per window, with a count; the address only as a keyed
 * pseudonym; never the presented key.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../audit/audit-log.js';
import type { AuditEntry, AuditRecord } from '../audit/types.js';
import { verifyAuditFile } from '../audit/verify.js';
import { SessionRegistry } from '../sessions/registry.js';
import { waitFor } from '@alcove/testing';
import { createAdminHandler } from './admin-handler.js';
import { AuthFailureAudit } from './auth-audit.js';
import { FakeMediaEngine } from '../media/fake-engine.js';
import { createAlcoveServer } from '../server.js';

describe('AuthFailureAudit (fake timers)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the first failure at once, then at most one line per address per minute with the count', () => {
    vi.useFakeTimers();
    const lines: Omit<AuditEntry, 'actor'>[] = [];
    const a = new AuthFailureAudit({ append: (e) => lines.push(e), pseudonym: (s) => `p_${s.length}${s.slice(-1)}` });
    a.record('10.0.0.1', 'UNAUTHENTICATED');
    expect(lines).toEqual([{ type: 'admin.authFailed', reason: 'UNAUTHENTICATED', detail: { count: 1, source: 'p_161' } }]);
    for (let i = 0; i < 9; i++) a.record('10.0.0.1', 'UNAUTHENTICATED');
    a.record('10.0.0.2', 'NOT_ALLOWED'); // another address has its own window
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ reason: 'NOT_ALLOWED', detail: { count: 1, source: 'p_162' } });
    vi.advanceTimersByTime(59_999);
    expect(lines).toHaveLength(2);
    vi.advanceTimersByTime(1);
    // The window ended: its 9 further failures become one line; the quiet address writes nothing.
    expect(lines).toHaveLength(3);
    expect(lines[2]).toEqual({ type: 'admin.authFailed', reason: 'repeated', detail: { count: 9, source: 'p_161' } });
    // That line opened the next window: failures in it wait for its end.
    for (let i = 0; i < 3; i++) a.record('10.0.0.1', 'RATE_LIMITED');
    expect(lines).toHaveLength(3);
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatchObject({ reason: 'repeated', detail: { count: 3 } });
    // A quiet minute closes the window; the next failure is written at once again.
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(4);
    a.record('10.0.0.1', 'UNAUTHENTICATED');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatchObject({ reason: 'UNAUTHENTICATED', detail: { count: 1 } });
    // flush() writes what is pending.
    a.record('10.0.0.1', 'UNAUTHENTICATED');
    a.flush();
    expect(lines).toHaveLength(6);
    expect(lines[5]).toMatchObject({ reason: 'repeated', detail: { count: 1 } });
  });

  it('close() writes the counts still pending, and after it each failure at once (no window, no timer)', () => {
    vi.useFakeTimers();
    const lines: Omit<AuditEntry, 'actor'>[] = [];
    const a = new AuthFailureAudit({ append: (e) => lines.push(e), pseudonym: (s) => `p_${s.slice(-1)}` });
    a.record('10.0.0.1', 'UNAUTHENTICATED');
    a.record('10.0.0.1', 'UNAUTHENTICATED');
    a.record('10.0.0.1', 'NOT_ALLOWED');
    a.record('10.0.0.2', 'UNAUTHENTICATED');
    expect(lines.map((l) => l.detail)).toEqual([
      { count: 1, source: 'p_1' },
      { count: 1, source: 'p_2' },
    ]);
    a.close();
    expect(lines).toHaveLength(3);
    expect(lines[2]).toEqual({ type: 'admin.authFailed', reason: 'repeated', detail: { count: 2, source: 'p_1' } });
    expect(vi.getTimerCount()).toBe(0);
    a.record('10.0.0.1', 'RATE_LIMITED');
    a.record('10.0.0.1', 'RATE_LIMITED');
    expect(lines.slice(3).map((l) => [l.reason, l.detail?.count])).toEqual([
      ['RATE_LIMITED', 1],
      ['RATE_LIMITED', 1],
    ]);
    expect(vi.getTimerCount()).toBe(0);
    a.close();
    expect(lines).toHaveLength(5);
  });
});

describe('server.close(): failed authentications still being counted reach the audit trail', () => {
  it('a failed admin authentication right before close is in the audit file (real server, real HTTP)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alcove-authaudit-close-'));
    // The default one-minute window: without the flush on close, the second failure would be lost.
    const server = await createAlcoveServer({
      port: 0,
      dataDir: dir,
      tokens: { hs256Secret: 'auth-audit-close-secret-0123456789abcdef' },
      apiKeys: [`good_${randomBytes(16).toString('hex')}`],
      logLevel: 'error',
      createWorker: new FakeMediaEngine().createWorker,
    });
    try {
      const { port } = await server.start();
      const bad = `bad_${randomBytes(12).toString('hex')}`;
      const get = (): Promise<number> =>
        new Promise((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, path: '/v1/sessions', headers: { authorization: `Bearer ${bad}` } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          });
          req.on('error', reject);
          req.end();
        });
      expect(await get()).toBe(401); // written at once
      expect(await get()).toBe(401); // counted in the window
      expect(await get()).toBe(401); // counted in the window
      await server.close();
      const lines = readFileSync(join(dir, 'audit.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as AuditRecord)
        .filter((r) => r.type === 'admin.authFailed');
      expect(lines.map((l) => [l.reason, l.detail?.count])).toEqual([
        ['UNAUTHENTICATED', 1],
        ['repeated', 2],
      ]);
      expect(lines[0]!.detail?.source).toBe(lines[1]!.detail?.source);
      expect(readFileSync(join(dir, 'audit.log'), 'utf8')).not.toContain(bad);
      expect((await verifyAuditFile(join(dir, 'audit.log'))).ok).toBe(true);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('admin handler: failed authentications in the audit trail (real audit log, real HTTP)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alcove-authaudit-'));
  const KEY = `good_${randomBytes(16).toString('hex')}`;
  const WINDOW_MS = 2000;
  let server: Server;
  let port: number;
  let audit: AuditLog;
  let registry: SessionRegistry;

  beforeAll(async () => {
    registry = SessionRegistry.open({ dataDir: dir });
    audit = await AuditLog.open(join(dir, 'audit.log'), { pseudonymKey: randomBytes(32) });
    const handler = createAdminHandler({ registry, apiKeys: [KEY], audit, authFailuresPerMinute: 1000, authAuditWindowMs: WINDOW_MS });
    server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await audit?.close();
    registry?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** GET /v1/sessions from a chosen loopback address with a chosen Authorization header. */
  const get = (localAddress: string, authorization?: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/v1/sessions', localAddress, headers: authorization ? { authorization } : {} },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end();
    });

  const authLines = async (): Promise<AuditRecord[]> => {
    await audit.flush();
    return readFileSync(join(dir, 'audit.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as AuditRecord)
      .filter((r) => r.type === 'admin.authFailed');
  };

  it('coalesces repeated bad keys per address into counted lines, without the key or the address', async () => {
    const badKeys = Array.from({ length: 6 }, (_, i) => `bad_${i}_${randomBytes(12).toString('hex')}`);
    for (const k of badKeys) expect(await get('127.0.0.1', `Bearer ${k}`)).toBe(401);
    expect(await get('127.0.0.1')).toBe(401); // no key at all
    expect(await get('127.0.0.1', 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe(403); // a join token
    expect(await get('127.0.0.2', `Bearer ${badKeys[0]}`)).toBe(401); // another address
    expect(await get('127.0.0.1', `Bearer ${KEY}`)).toBe(200); // a valid key is not a failure

    // Each address: its first failure at once, the rest counted into lines at the ends of windows
    // (one line per window: how many depends on how fast the requests went, the totals do not).
    const totals = (ls: AuditRecord[]): Map<string, number> => {
      const m = new Map<string, number>();
      for (const l of ls) m.set(String(l.detail?.source), (m.get(String(l.detail?.source)) ?? 0) + Number(l.detail?.count));
      return m;
    };
    const lines = await waitFor('every failure counted', authLines, (ls) => [...totals(ls).values()].reduce((a, b) => a + b, 0) >= 9, {
      timeoutMs: 30_000,
    });
    const byTotal = [...totals(lines)].sort((a, b) => a[1] - b[1]);
    expect(byTotal.map(([, n]) => n)).toEqual([1, 8]);
    for (const [s] of byTotal) expect(s).toMatch(/^p_[0-9a-f]{32}$/);
    const busy = lines.filter((l) => l.detail?.source === byTotal[1]?.[0]);
    expect(busy[0]).toMatchObject({ reason: 'UNAUTHENTICATED', detail: { count: 1 } });
    expect(busy.length).toBeGreaterThanOrEqual(2);
    expect(busy.length).toBeLessThan(8); // coalesced, not one line per failure
    for (const l of busy.slice(1)) expect(l.reason).toBe('repeated');
    const quiet = lines.filter((l) => l.detail?.source === byTotal[0]?.[0]);
    expect(quiet.map((l) => [l.reason, l.detail?.count])).toEqual([['UNAUTHENTICATED', 1]]);
    for (const l of lines) expect(l.actor).toBe('admin');

    // Nothing of the keys or the addresses is in the trail, and the trail still verifies.
    const text = readFileSync(join(dir, 'audit.log'), 'utf8');
    for (const k of badKeys) {
      expect(text).not.toContain(k);
      expect(text).not.toContain(k.slice(0, 8));
    }
    expect(text).not.toContain('127.0.0.');
    expect(text).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    expect((await verifyAuditFile(join(dir, 'audit.log'))).ok).toBe(true);
  });
});
