import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionError } from './errors.js';
import { SESSIONS_FILE, SessionRegistry } from './registry.js';

const root = mkdtempSync(join(tmpdir(), 'alcove-registry-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, `d${++n}`);

describe('SessionRegistry', () => {
  it('creates sessions with 128-bit ids and secure defaults', () => {
    const r = SessionRegistry.open();
    const s = r.create();
    expect(s.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(s.policy).toEqual({
      waitingRoom: true,
      e2eeRequired: true,
      recording: false,
      maxParticipants: 6,
      idleTimeoutS: 1800,
      jurisdictions: [],
      checklist: { steps: [], requiredBeforeAdmission: false, licensure: 'off', shareJurisdiction: false, prefillLocation: true },
      screenShare: 'host',
    });
    expect(s.state).toBe('open');
    expect(s.locked).toBe(false);
    expect(new Set(Array.from({ length: 500 }, () => r.create().id)).size).toBe(500);
  });

  it('validates policy input (max participants 2..100, strict fields)', () => {
    const r = SessionRegistry.open();
    expect(r.create({ maxParticipants: 2 }).policy.maxParticipants).toBe(2);
    expect(r.create({ maxParticipants: 100 }).policy.maxParticipants).toBe(100);
    const bad: Array<[unknown, string]> = [
      [{ maxParticipants: 1 }, 'maxParticipants'],
      [{ maxParticipants: 101 }, 'maxParticipants'],
      [{ maxParticipants: 2.5 }, 'maxParticipants'],
      [{ maxParticipants: '6' }, 'maxParticipants'],
      [{ maxParticipants: -1 }, 'maxParticipants'],
      [{ maxParticipants: Number.NaN }, 'maxParticipants'],
      [{ recording: true }, 'recording'],
      [{ waitingRoom: 'yes' }, 'waitingRoom'],
      [{ unknown: 1 }, 'unknown'],
      [{ jurisdictions: ['california'] }, 'jurisdictions'],
      [{ jurisdictions: 'US-CA' }, 'jurisdictions'],
      [{ idleTimeoutS: 10 }, 'idleTimeoutS'],
      [{ screenShare: 'all' }, 'screenShare'],
      [{ checklist: { steps: ['Consent!'] } }, 'checklist.steps[0].id'],
      [{ checklist: { extra: 1 } }, 'checklist.extra'],
      [[], 'policy'],
      ['x', 'policy'],
    ];
    for (const [input, field] of bad) {
      let err: unknown;
      try {
        r.create(input);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(input)).toBeInstanceOf(SessionError);
      expect((err as SessionError).code).toBe('INVALID_POLICY');
      expect((err as SessionError).field).toBe(field);
    }
    const ok = r.create({
      jurisdictions: ['US-CA', 'DE'],
      checklist: { steps: ['camera', 'location'], requiredBeforeAdmission: true },
      screenShare: 'nobody',
    });
    expect(ok.policy.jurisdictions).toEqual(['US-CA', 'DE']);
    expect(ok.policy.checklist.requiredBeforeAdmission).toBe(true);
  });

  it('persists across a reopen: locked stays locked, removed and denied stay barred, ended stays ended', () => {
    const dataDir = freshDir();
    const r1 = SessionRegistry.open({ dataDir });
    const locked = r1.create({ maxParticipants: 2 });
    const gated = r1.create({});
    const ended = r1.create({ waitingRoom: false });
    r1.setLocked(locked.id, true);
    r1.markRemoved(gated.id, 'guardian-2');
    r1.markDenied(gated.id, 'stranger-9');
    r1.recordInvited(gated.id, 'client-1', 'client', 1000);
    r1.recordAttendance(gated.id, 'client-1', 'waiting', 2000);
    r1.recordAttendance(gated.id, 'client-1', 'admitted', 3000);
    r1.end(ended.id, 'host');
    r1.close(); // no restart hook: simulate a crash by simply opening again

    const r2 = SessionRegistry.open({ dataDir });
    expect(r2.get(locked.id)).toMatchObject({ locked: true, state: 'open', policy: { maxParticipants: 2 } });
    expect(r2.get(gated.id)?.policy.waitingRoom).toBe(true);
    expect(r2.isBarred(gated.id, 'guardian-2')).toBe(true);
    expect(r2.isBarred(gated.id, 'stranger-9')).toBe(true);
    expect(r2.isBarred(gated.id, 'client-1')).toBe(false);
    expect(r2.get(ended.id)).toMatchObject({ state: 'ended', endReason: 'host' });
    const a = r2.attendance(gated.id)?.find((p) => p.participantId === 'client-1');
    expect(a).toMatchObject({ role: 'client', invitedAt: 1000, firstJoinedAt: 3000, neverJoined: false });
    expect(() => r2.setLocked(ended.id, true)).toThrow(SessionError);
    // Ending again is a no-op that keeps the first reason.
    expect(r2.end(ended.id, 'admin').endReason).toBe('host');
  });

  it('writes security changes before returning (no close needed)', () => {
    const dataDir = freshDir();
    const r1 = SessionRegistry.open({ dataDir });
    const s = r1.create({});
    r1.setLocked(s.id, true);
    r1.markRemoved(s.id, 'p1');
    const r2 = SessionRegistry.open({ dataDir });
    expect(r2.get(s.id)?.locked).toBe(true);
    expect(r2.isBarred(s.id, 'p1')).toBe(true);
  });

  it('refuses to start on a corrupt snapshot', () => {
    const dataDir = freshDir();
    SessionRegistry.open({ dataDir }).create({});
    writeFileSync(join(dataDir, SESSIONS_FILE), '{"version":1,"sessions":[{"record":');
    expect(() => SessionRegistry.open({ dataDir })).toThrow(expect.objectContaining({ code: 'PERSISTENCE_FAILED' }));
  });

  it('emits ended and lockChanged once; listener errors do not break state', () => {
    const r = SessionRegistry.open();
    const s = r.create();
    const events: string[] = [];
    r.on('ended', (rec, reason) => events.push(`ended:${rec.id === s.id}:${reason}`));
    r.on('lockChanged', (_rec, locked) => {
      events.push(`lock:${locked}`);
      throw new Error('listener bug');
    });
    r.on('listenerError', () => events.push('listenerError'));
    r.setLocked(s.id, true);
    r.setLocked(s.id, true);
    r.end(s.id, 'admin');
    r.end(s.id, 'admin');
    expect(events).toEqual(['lock:true', 'listenerError', 'ended:true:admin']);
    expect(r.get(s.id)?.locked).toBe(true);
  });

  it('tracks attendance: join, leave, reconnects, never-joined', () => {
    const r = SessionRegistry.open();
    const s = r.create();
    r.recordInvited(s.id, 'host-1', 'host', 1);
    r.recordInvited(s.id, 'client-1', 'client', 2);
    r.recordInvited(s.id, 'noshow', 'client', 3);
    r.recordAttendance(s.id, 'host-1', 'joined', 10);
    r.recordAttendance(s.id, 'client-1', 'waiting', 11);
    r.recordAttendance(s.id, 'client-1', 'admitted', 12);
    r.recordAttendance(s.id, 'client-1', 'reconnecting', 20);
    r.recordAttendance(s.id, 'client-1', 'reconnected', 21);
    r.recordAttendance(s.id, 'client-1', 'left', 30);
    const att = r.attendance(s.id) ?? [];
    expect(att.map((a) => [a.participantId, a.neverJoined])).toEqual([
      ['host-1', false],
      ['client-1', false],
      ['noshow', true],
    ]);
    expect(att[1]).toMatchObject({ firstJoinedAt: 12, lastLeftAt: 30, reconnects: 1 });
    expect(att[1]?.events.map((e) => e.event)).toEqual(['waiting', 'admitted', 'reconnecting', 'reconnected', 'left']);
    expect(() => r.recordAttendance(s.id, 'bad id', 'joined')).toThrow(SessionError);
    expect(() => r.recordAttendance(s.id, 'p', 'teleported' as never)).toThrow(SessionError);
    expect(() => r.recordAttendance('nope', 'p', 'joined')).toThrow(expect.objectContaining({ code: 'SESSION_NOT_FOUND' }));
    expect(r.attendance('nope')).toBeUndefined();
  });
});

describe('SessionRegistry retention', () => {
  it('forgets ended sessions after the retention window, never open ones', () => {
    let now = 0;
    const r = SessionRegistry.open({ now: () => now, retainEndedMs: 1000, maxSessions: 3 });
    const a = r.create();
    const b = r.create();
    r.end(a.id, 'host');
    now = 500;
    const c = r.create();
    expect(r.get(a.id)).toBeDefined(); // kept while there is room
    // An ended session stops counting at once: a third open one fits, and `a` is forgotten early.
    const d = r.create();
    expect(r.get(a.id)).toBeUndefined();
    expect(() => r.create()).toThrow(expect.objectContaining({ code: 'TOO_MANY_SESSIONS' })); // b, c, d open
    r.end(c.id, 'host');
    now = 700;
    r.end(d.id, 'host');
    now = 1600;
    expect(r.pruneEnded(now - 1000)).toBe(1); // c ended at 500; d (ended at 700) is still within the window
    expect(r.get(c.id)).toBeUndefined();
    expect(r.get(d.id)).toBeDefined();
    expect(r.get(b.id)).toBeDefined(); // never an open one
    expect(r.size).toBe(2);
  });

  it('holds per-tenant quotas of open sessions; an ended session stops counting at once', () => {
    const r = SessionRegistry.open({ maxSessions: 100, tenantQuota: (t) => (t === 'acme' ? 2 : undefined) });
    const a1 = r.create({}, { tenant: 'acme' });
    r.create({}, { tenant: 'acme' });
    expect(() => r.create({}, { tenant: 'acme' })).toThrow(expect.objectContaining({ code: 'TOO_MANY_SESSIONS' }));
    // Another tenant is not held by acme's quota.
    for (let i = 0; i < 5; i++) r.create({}, { tenant: 'other' });
    r.end(a1.id, 'host');
    expect(r.create({}, { tenant: 'acme' }).tenant).toBe('acme');
  });
});

describe('SessionRegistry journal', () => {
  it('replays the journal after a crash (no close), attendance included once flushed', async () => {
    const dataDir = freshDir();
    const r1 = SessionRegistry.open({ dataDir });
    const s = r1.create({ maxParticipants: 3 });
    r1.recordAttendance(s.id, 'c1', 'joined', 10);
    await new Promise((r) => setImmediate(r)); // the batched attendance write
    r1.setLocked(s.id, true);
    // No close(): a crash. Reopen from the same files.
    const r2 = SessionRegistry.open({ dataDir });
    expect(r2.get(s.id)).toMatchObject({ locked: true, policy: { maxParticipants: 3 } });
    expect(r2.attendance(s.id)?.[0]).toMatchObject({ participantId: 'c1', firstJoinedAt: 10 });
    // Writing continues the sequence on top of the replayed state.
    r2.end(s.id, 'admin');
    expect(SessionRegistry.open({ dataDir }).get(s.id)?.state).toBe('ended');
  });

  it('folds the journal into a snapshot and reloads the same state', async () => {
    const { COMPACT_EVERY, JOURNAL_FILE } = await import('./index.js');
    const { statSync } = await import('node:fs');
    const dataDir = freshDir();
    const r1 = SessionRegistry.open({ dataDir });
    const s = r1.create();
    r1.markRemoved(s.id, 'gone');
    for (let i = 0; i < COMPACT_EVERY + 50; i++) r1.recordAttendance(s.id, `p${i % 500}`, i % 2 ? 'left' : 'joined', i);
    r1.close();
    expect(statSync(join(dataDir, SESSIONS_FILE)).size).toBeGreaterThan(0);
    expect(statSync(join(dataDir, JOURNAL_FILE)).size).toBeLessThan(20_000); // only what came after the snapshot
    const r2 = SessionRegistry.open({ dataDir });
    expect(r2.isBarred(s.id, 'gone')).toBe(true);
    expect(r2.attendance(s.id)).toEqual(r1.attendance(s.id));
  });

  it('ignores a torn last journal line, refuses a corrupt one in the middle', async () => {
    const { appendFileSync, readFileSync } = await import('node:fs');
    const { JOURNAL_FILE } = await import('./index.js');
    const dataDir = freshDir();
    const r1 = SessionRegistry.open({ dataDir });
    const s = r1.create();
    r1.setLocked(s.id, true);
    r1.close();
    appendFileSync(join(dataDir, JOURNAL_FILE), '{"seq":3,"op":"lo');
    const r2 = SessionRegistry.open({ dataDir });
    expect(r2.get(s.id)?.locked).toBe(true);
    r2.setLocked(s.id, false); // appends after the cut, on a fresh line
    r2.close();
    expect(SessionRegistry.open({ dataDir }).get(s.id)?.locked).toBe(false);
    const lines = readFileSync(join(dataDir, JOURNAL_FILE), 'utf8').split('\n');
    writeFileSync(join(dataDir, JOURNAL_FILE), [lines[0], 'garbage', lines[1], ''].join('\n'));
    expect(() => SessionRegistry.open({ dataDir })).toThrow(expect.objectContaining({ code: 'PERSISTENCE_FAILED' }));
  });
});
