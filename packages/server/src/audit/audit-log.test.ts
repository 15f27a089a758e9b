import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog, loadOrCreateAuditKey } from './audit-log.js';
import { AuditError } from './errors.js';
import { runAuditVerify, runAuditVerifyCommand, verifyAuditBytes, verifyAuditFile } from './verify.js';
import type { AuditEntry } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'alcove-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `audit-${++n}.log`);
const KEY = Buffer.alloc(32, 7);

const SID = 'sessAAAAAAAAAAAAAAAAAA';
const CANARIES = ['CANARY_NAME_Zq81', 'eyJhbGciOiJIUzI1NiJ9.CANARYtok.sig', '203.0.113.77', 'CANARY_CHAT_x9'];

/** A scripted session: created, waiting, admitted, denied, removed, locked, ended (and a few more). */
const SCRIPT: AuditEntry[] = [
  { type: 'session.created', sessionId: SID, actor: 'admin' },
  { type: 'admin.tokenMinted', sessionId: SID, participantId: 'therapist-1', role: 'host', actor: 'admin', detail: { ttlS: 900 } },
  { type: 'participant.joined', sessionId: SID, participantId: 'therapist-1', role: 'host' },
  { type: 'participant.waiting', sessionId: SID, participantId: 'client-1', role: 'client' },
  {
    type: 'checklist.completed',
    sessionId: SID,
    participantId: 'client-1',
    detail: { consent: 'passed', location: 'passed', complete: true },
  },
  { type: 'consent.recorded', sessionId: SID, participantId: 'client-1', detail: { documentVersion: '2.1.0' } },
  { type: 'participant.admitted', sessionId: SID, participantId: 'client-1', actor: 'host', actorId: 'therapist-1' },
  { type: 'participant.waiting', sessionId: SID, participantId: 'stranger-9', role: 'observer' },
  { type: 'participant.denied', sessionId: SID, participantId: 'stranger-9', actor: 'host', actorId: 'therapist-1' },
  { type: 'e2ee.verified', sessionId: SID, participantId: 'client-1', actorId: 'therapist-1' },
  { type: 'participant.waiting', sessionId: SID, participantId: 'guardian-2', role: 'guardian' },
  { type: 'participant.admitted', sessionId: SID, participantId: 'guardian-2', actor: 'host', actorId: 'therapist-1' },
  { type: 'participant.removed', sessionId: SID, participantId: 'guardian-2', actor: 'host', actorId: 'therapist-1' },
  { type: 'token.rejected', sessionId: SID, reason: 'INVALID_TOKEN' },
  { type: 'session.locked', sessionId: SID, actor: 'host', actorId: 'therapist-1' },
  { type: 'host.muteRequested', sessionId: SID, participantId: 'client-1', actorId: 'therapist-1' },
  { type: 'participant.reconnected', sessionId: SID, participantId: 'client-1' },
  { type: 'participant.left', sessionId: SID, participantId: 'client-1' },
  { type: 'session.ended', sessionId: SID, actor: 'host', actorId: 'therapist-1', reason: 'host' },
];

async function writeScript(file: string): Promise<void> {
  const log = await AuditLog.open(file, { pseudonymKey: KEY });
  for (const e of SCRIPT) log.append(e);
  await log.close();
}

const lineStarts = (buf: Buffer): number[] => {
  const starts = [0];
  for (let i = 0; i < buf.length - 1; i++) if (buf[i] === 0x0a) starts.push(i + 1);
  return starts;
};

describe('audit log', () => {
  it('writes a verifiable chain for a scripted session with every expected entry', async () => {
    const file = fresh();
    await writeScript(file);
    const r = await verifyAuditFile(file, { head: 'require' });
    expect(r).toMatchObject({ ok: true, entries: SCRIPT.length + 1 });
    const lines = readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // Opening the log wrote its keyed checkpoint first.
    expect(lines.map((l) => l.type)).toEqual(['audit.anchored', ...SCRIPT.map((e) => e.type)]);
    expect(lines.map((l) => l.seq)).toEqual(lines.map((_, i) => i + 1));
    for (let i = 1; i < lines.length; i++) expect(lines[i]?.prev).toBe(lines[i - 1]?.hash);
    // Participant ids are pseudonyms, stable per key, never the clear id.
    const text = readFileSync(file, 'utf8');
    for (const pid of ['therapist-1', 'client-1', 'stranger-9', 'guardian-2']) expect(text).not.toContain(pid);
    expect(lines[4]?.pid).toMatch(/^p_[0-9a-f]{32}$/);
    expect(lines[4]?.pid).toBe(lines[6]?.pid);
    const out: string[] = [];
    expect(await runAuditVerify(file, { write: (s: string) => out.push(s) })).toBe(0);
    expect(out.join('')).toMatch(/^ok: 20 entries/);
  });

  it('continues the chain across a reopen', async () => {
    const file = fresh();
    await writeScript(file);
    const log = await AuditLog.open(file, { pseudonymKey: KEY });
    expect(log.lastSeq).toBe(SCRIPT.length + 2); // two opens, two checkpoints
    log.append({ type: 'session.created', sessionId: 'sessBBBBBBBBBBBBBBBBBB' });
    await log.close();
    expect(await verifyAuditFile(file, { key: KEY })).toMatchObject({ ok: true, entries: SCRIPT.length + 3, checkpoints: 2 });
  });

  it('fails after any single-byte edit: every line, and a spread of positions over the file', async () => {
    const file = fresh();
    await writeScript(file);
    const orig = readFileSync(file);
    const positions = new Set<number>();
    for (const s of lineStarts(orig)) {
      positions.add(s); // first byte of every line
      positions.add(s + 12); // inside seq/at
      positions.add(s + 40); // inside type/ids
      positions.add(s - 1); // the newline before it
    }
    for (let p = 0; p < orig.length; p += 3) positions.add(p);
    positions.add(orig.length - 1); // the final newline
    let checked = 0;
    for (const pos of positions) {
      if (pos < 0 || pos >= orig.length) continue;
      for (const flip of pos % 2 === 0 ? [0x01, 0x20] : [0x01]) {
        const copy = Buffer.from(orig);
        copy[pos] = (copy[pos] as number) ^ flip;
        // In memory for speed (the same check verifyAuditFile runs); every 50th through the file as well.
        if (checked % 50 === 0) {
          writeFileSync(file, copy);
          expect((await verifyAuditFile(file, { head: 'ignore' })).ok).toBe(false);
        }
        const r = verifyAuditBytes(copy);
        if (r.ok) throw new Error(`byte ${pos} ^ ${flip} (${JSON.stringify(String.fromCharCode(orig[pos] as number))}) was not detected`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1500);
    writeFileSync(file, orig);
    expect((await verifyAuditFile(file)).ok).toBe(true);
  }, 60_000);

  it('fails on a deleted line, two swapped lines, a truncated file, an inserted line', async () => {
    const file = fresh();
    await writeScript(file);
    const orig = readFileSync(file, 'utf8');
    const lines = orig.trimEnd().split('\n');
    const put = (ls: string[]): void => writeFileSync(file, `${ls.join('\n')}\n`);
    for (let i = 0; i < lines.length; i++) {
      put(lines.filter((_, j) => j !== i));
      expect((await verifyAuditFile(file)).ok, `deleted line ${i + 1}`).toBe(false);
    }
    for (let i = 0; i + 1 < lines.length; i++) {
      const sw = [...lines];
      [sw[i], sw[i + 1]] = [sw[i + 1] as string, sw[i] as string];
      put(sw);
      expect((await verifyAuditFile(file)).ok, `swapped ${i + 1}/${i + 2}`).toBe(false);
    }
    put([...lines.slice(0, 3), lines[2] as string, ...lines.slice(3)]);
    expect((await verifyAuditFile(file)).ok).toBe(false);
    // Truncation at every line boundary (detected by the head) and in the middle of lines.
    for (let cut = 1; cut < lines.length; cut++) {
      put(lines.slice(0, cut));
      const r = await verifyAuditFile(file);
      expect(r.ok, `cut after line ${cut}`).toBe(false);
    }
    for (const at of [1, 100, Math.floor(orig.length / 2), orig.length - 2]) {
      writeFileSync(file, orig.slice(0, at));
      expect((await verifyAuditFile(file)).ok).toBe(false);
    }
    writeFileSync(file, '');
    expect((await verifyAuditFile(file)).ok).toBe(false); // head says 19 entries
    const out: string[] = [];
    expect(await runAuditVerify(file, { write: (s: string) => out.push(s) })).toBe(1);
    expect(out.join('')).toMatch(/^FAILED at line/);
    expect(await runAuditVerify(join(dir, 'missing.log'), { write: () => {} })).toBe(2);
  });

  it('refuses entries that could carry names, tokens, addresses or chat; the file never holds canaries', async () => {
    const file = fresh();
    const log = await AuditLog.open(file, { pseudonymKey: KEY });
    const attempts: unknown[] = [
      { type: 'participant.joined', sessionId: SID, participantId: 'client-1', displayName: CANARIES[0] },
      { type: 'participant.joined', sessionId: SID, participantId: `${CANARIES[0]} x` },
      { type: 'participant.joined', sessionId: SID, reason: CANARIES[1] },
      { type: 'participant.joined', sessionId: SID, detail: { ip: CANARIES[2] } },
      { type: 'participant.joined', sessionId: SID, detail: { remoteAddress: '203.0.113.77' } },
      { type: 'participant.joined', sessionId: SID, detail: { note: `${CANARIES[3]} hello there` } },
      { type: 'participant.joined', sessionId: SID, detail: { token: 'abc' } },
      { type: 'participant.joined', sessionId: SID, token: CANARIES[1] },
      { type: 'chat.message', sessionId: SID },
      { type: 'participant.joined', sessionId: `${SID} ${CANARIES[0]}` },
    ];
    for (const a of attempts) expect(() => log.append(a as AuditEntry)).toThrow(AuditError);
    // Canary in a participant id is allowed in the input but only its pseudonym is written.
    log.append({ type: 'participant.joined', sessionId: SID, participantId: 'CANARY_NAME_Zq81' });
    await log.close();
    const text = readFileSync(file, 'utf8');
    for (const c of CANARIES) expect(text).not.toContain(c);
    expect(text.split('\n').filter(Boolean)).toHaveLength(2); // the checkpoint and the one entry
    expect((await verifyAuditFile(file)).ok).toBe(true);
  });

  it('refuses to open onto a broken chain', async () => {
    const file = fresh();
    await writeScript(file);
    const buf = readFileSync(file);
    buf[50] = (buf[50] as number) ^ 1;
    writeFileSync(file, buf);
    await expect(AuditLog.open(file, { pseudonymKey: KEY })).rejects.toMatchObject({ code: 'AUDIT_CORRUPT' });
  });

  it('creates and reloads the pseudonym key (mode 0600)', () => {
    const kf = join(dir, 'keys', 'audit.key');
    const k1 = loadOrCreateAuditKey(kf);
    expect(k1.byteLength).toBe(32);
    expect(Buffer.from(loadOrCreateAuditKey(kf)).equals(Buffer.from(k1))).toBe(true);
    const { statSync } = require('node:fs') as typeof import('node:fs');
    expect(statSync(kf).mode & 0o777).toBe(0o600);
  });
});

describe('audit log recovery', () => {
  it('recovers a torn last line (kept aside, audited) and the chain verifies', async () => {
    const file = fresh();
    await writeScript(file);
    const { appendFileSync, readdirSync } = await import('node:fs');
    const partial = '{"seq":20,"at":"2026-01-01T00:00:00.000Z","type":"partic';
    appendFileSync(file, partial); // crash mid-write, head not updated
    const log = await AuditLog.open(file, { pseudonymKey: KEY });
    await log.close();
    const r = await verifyAuditFile(file, { head: 'require', key: KEY });
    expect(r).toMatchObject({ ok: true, entries: SCRIPT.length + 3 });
    const tail = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-2);
    const recovered = JSON.parse(tail[0] as string) as Record<string, unknown>;
    expect(recovered).toMatchObject({ type: 'audit.recovered', reason: 'torn-tail', detail: { bytes: partial.length } });
    expect(JSON.parse(tail[1] as string)).toMatchObject({ type: 'audit.anchored' });
    const torn = readdirSync(dir).filter((f) => f.startsWith(`audit-${n}.log.torn-`));
    expect(torn).toHaveLength(1);
    expect(readFileSync(join(dir, torn[0] as string), 'utf8')).toContain('"type":"partic');
  });

  it('refuses to open when lines recorded in the head were cut off (not a torn write)', async () => {
    const file = fresh();
    await writeScript(file);
    const orig = readFileSync(file, 'utf8');
    writeFileSync(file, orig.slice(0, orig.length - 20)); // cuts into the last, head-recorded line
    await expect(AuditLog.open(file, { pseudonymKey: KEY })).rejects.toMatchObject({ code: 'AUDIT_CORRUPT' });
    const lines = orig.trimEnd().split('\n');
    writeFileSync(file, `${lines.slice(0, -2).join('\n')}\n`); // whole lines removed
    await expect(AuditLog.open(file, { pseudonymKey: KEY })).rejects.toMatchObject({ code: 'AUDIT_CORRUPT' });
    await expect(AuditLog.open(fresh(), { pseudonymKey: KEY, recoverTornTail: false }).then((l) => l.close())).resolves.toBeUndefined();
  });
});

describe('audit verification at scale', () => {
  it('streams a log larger than one read chunk and pinpoints a flipped byte deep inside it', async () => {
    const file = fresh();
    const log = await AuditLog.open(file, { pseudonymKey: KEY });
    for (let i = 0; i < 2500; i++) log.append({ type: 'participant.joined', sessionId: SID, participantId: `p${i}`, role: 'client' });
    await log.close();
    const orig = readFileSync(file);
    expect(orig.length).toBeGreaterThan(3 * 64 * 1024);
    expect(await verifyAuditFile(file, { head: 'require' })).toMatchObject({ ok: true, entries: 2501 });
    const starts = lineStarts(orig);
    const target = 2000; // 1-based line
    const copy = Buffer.from(orig);
    const pos = (starts[target - 1] as number) + 30;
    copy[pos] = (copy[pos] as number) ^ 1;
    writeFileSync(file, copy);
    expect(await verifyAuditFile(file)).toMatchObject({ ok: false, line: target });
  });

  it('recovers a file that holds only a torn first line', async () => {
    const file = fresh();
    writeFileSync(file, '{"seq":1,"at":"20');
    const log = await AuditLog.open(file, { pseudonymKey: KEY });
    await log.close();
    expect(await verifyAuditFile(file)).toMatchObject({ ok: true, entries: 2 });
  });
});

describe('audit truncation without the head file', () => {
  const cutLines = (file: string, keep: number): void => {
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, `${lines.slice(0, keep).join('\n')}\n`);
  };

  it('audit verify exits 1 on a log cut at any line whose head file was deleted, and the log refuses to open on it', async () => {
    const file = fresh();
    await writeScript(file);
    const orig = readFileSync(file, 'utf8');
    const total = orig.trimEnd().split('\n').length;
    for (const keep of [1, 2, Math.floor(total / 2), total - 1]) {
      writeFileSync(file, orig);
      cutLines(file, keep);
      rmSync(`${file}.head`, { force: true });
      const out: string[] = [];
      expect(await runAuditVerify(file, { write: (s: string) => out.push(s) }), `kept ${keep}`).toBe(1);
      expect(out.join('')).toMatch(/head file missing/);
      await expect(AuditLog.open(file, { pseudonymKey: KEY })).rejects.toMatchObject({ code: 'AUDIT_CORRUPT' });
    }
    // An intact log whose head was deleted cannot be shown complete either.
    writeFileSync(file, orig);
    rmSync(`${file}.head`, { force: true });
    expect((await verifyAuditFile(file)).ok).toBe(false);
  });

  it('refuses a head file forged without the key, and a chain rewritten without its checkpoints', async () => {
    const file = fresh();
    await writeScript(file);
    const orig = readFileSync(file, 'utf8');
    const lines = orig
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; hash: string });
    // Cut two lines and write a head that matches the cut chain (what an intruder without the key can do).
    cutLines(file, lines.length - 2);
    const last = lines[lines.length - 3] as { seq: number; hash: string };
    writeFileSync(`${file}.head`, JSON.stringify({ seq: last.seq, hash: last.hash, mac: 'f'.repeat(64) }));
    expect(await verifyAuditFile(file, { key: KEY })).toMatchObject({ ok: false, reason: expect.stringMatching(/not signed/) });
    await expect(AuditLog.open(file, { pseudonymKey: KEY })).rejects.toMatchObject({ code: 'AUDIT_CORRUPT' });
    // With the real key's checkpoint gone (a rebuilt chain of plain entries), the key holder's check fails.
    const plain = fresh();
    const { recordHash, canonicalRecord, GENESIS_HASH } = await import('./canonical.js');
    let prev = GENESIS_HASH;
    const rebuilt = SCRIPT.slice(0, 3).map((_, i) => {
      const rec = { seq: i + 1, at: '2026-01-01T00:00:00.000Z', type: 'session.created' as const, sid: SID, prev };
      const hash = recordHash(rec);
      prev = hash;
      return canonicalRecord({ ...rec, hash }, true);
    });
    writeFileSync(plain, `${rebuilt.join('\n')}\n`);
    expect((await verifyAuditFile(plain)).ok).toBe(true); // without the key only the chain is checked
    expect(await verifyAuditFile(plain, { key: KEY })).toMatchObject({ ok: false, reason: expect.stringMatching(/no keyed checkpoint/) });
    await expect(AuditLog.open(plain, { pseudonymKey: KEY })).rejects.toMatchObject({ code: 'AUDIT_CORRUPT' });
  });

  it('the server refuses to start on a data folder whose audit log was cut and its head deleted', async () => {
    const { createAlcoveServer } = await import('../server.js');
    const { FakeMediaEngine } = await import('../media/fake-engine.js');
    const dataDir = mkdtempSync(join(dir, 'server-'));
    const options = {
      port: 0,
      tokens: { hs256Secret: 'server-secret-server-secret-server-0001' },
      dataDir,
      logLevel: 'silent' as const,
      createWorker: new FakeMediaEngine().createWorker,
    };
    const first = await createAlcoveServer(options);
    await first.close(); // wrote the key, the first checkpoint and the head
    const log = await AuditLog.open(join(dataDir, 'audit.log'), { pseudonymKey: loadOrCreateAuditKey(join(dataDir, 'audit.key')) });
    for (const e of SCRIPT) log.append(e);
    await log.close();
    cutLines(join(dataDir, 'audit.log'), 5);
    rmSync(join(dataDir, 'audit.log.head'));
    await expect(createAlcoveServer(options)).rejects.toMatchObject({ code: 'AUDIT_CORRUPT' });
  });

  it('the CLI form finds audit.key beside the file and checks the checkpoints with it', async () => {
    const sub = mkdtempSync(join(dir, 'cli-'));
    const file = join(sub, 'audit.log');
    writeFileSync(join(sub, 'audit.key'), KEY.toString('hex'));
    await writeScript(file);
    const out: string[] = [];
    expect(await runAuditVerifyCommand([file], { write: (s: string) => out.push(s) })).toBe(0);
    expect(out.join('')).toMatch(/1 keyed checkpoints and the head verified with the key/);
    writeFileSync(join(sub, 'audit.key'), Buffer.alloc(32, 9).toString('hex'));
    expect(await runAuditVerifyCommand([file], { write: () => undefined })).toBe(1);
  });
});
