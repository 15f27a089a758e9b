/** Token revocation state: rules, persistence across a restart, pruning. Real files in a temp folder. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REVOCATIONS_FILE, TokenRevocations } from './revocations.js';

const dir = mkdtempSync(join(tmpdir(), 'alcove-revocations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TokenRevocations', () => {
  it('refuses a revoked id, and after a revoke-all every earlier token of the participant but not later ones', () => {
    let now = 1_000_000_500; // ms, half a second into a second
    const r = new TokenRevocations({ now: () => now });
    const exp = Math.floor(now / 1000) + 600;
    r.recordMinted('tok_a', 'S', 'p', exp);
    r.recordMinted('tok_b', 'S', 'p', exp);
    r.recordMinted('tok_c', 'S', 'q', exp);
    const iat = Math.floor(now / 1000);
    expect(r.isRevoked({ sid: 'S', pid: 'p', iat, jti: 'tok_a' })).toBe(false);
    r.revoke('tok_a');
    expect(r.isRevoked({ sid: 'S', pid: 'p', iat, jti: 'tok_a' })).toBe(true);
    expect(r.isRevoked({ sid: 'S', pid: 'p', iat, jti: 'tok_b' })).toBe(false);
    now += 100;
    expect(r.revokeParticipant('S', 'p')).toEqual({ revokedAt: now, tokens: 1 });
    expect(r.isRevoked({ sid: 'S', pid: 'p', iat, jti: 'tok_b' })).toBe(true);
    expect(r.isRevoked({ sid: 'S', pid: 'q', iat, jti: 'tok_c' })).toBe(false);
    // Minted elsewhere (no known jti): refused up to and including the revocation's second.
    expect(r.isRevoked({ sid: 'S', pid: 'p', iat })).toBe(true);
    expect(r.isRevoked({ sid: 'S', pid: 'p', iat: iat + 1 })).toBe(false);
    // Minted through the API after the revocation, even in the same second: accepted.
    now += 1;
    r.recordMinted('tok_d', 'S', 'p', exp);
    expect(r.isRevoked({ sid: 'S', pid: 'p', iat, jti: 'tok_d' })).toBe(false);
    expect(r.minted('tok_d')).toEqual({ sessionId: 'S', participantId: 'p' });
  });

  it('keeps revocations across a restart and forgets them once the tokens have expired', () => {
    let now = 2_000_000_000;
    const file = join(dir, REVOCATIONS_FILE);
    const first = new TokenRevocations({ file, now: () => now });
    first.recordMinted('tok_x', 'S', 'p', Math.floor(now / 1000) + 60);
    first.revoke('tok_x');
    first.revokeParticipant('S', 'q');
    first.flush();
    expect(readFileSync(file, 'utf8')).not.toContain('secret');
    const second = new TokenRevocations({ file, now: () => now });
    expect(second.isRevoked({ sid: 'S', pid: 'p', iat: 1, jti: 'tok_x' })).toBe(true);
    expect(second.isRevoked({ sid: 'S', pid: 'q', iat: Math.floor(now / 1000) })).toBe(true);
    expect(second.minted('tok_x')).toEqual({ sessionId: 'S', participantId: 'p' });
    // Two days later the token has expired and the revoke-all is older than any token can live.
    now += 2 * 86_400_000;
    second.recordMinted('tok_y', 'S', 'r', Math.floor(now / 1000) + 60);
    expect(second.minted('tok_x')).toBeUndefined();
    expect(second.isRevoked({ sid: 'S', pid: 'q', iat: Math.floor(now / 1000) - 100_000 })).toBe(false);
  });

  it('refuses to start on a revocation file it cannot read', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{"version":2}');
    expect(() => new TokenRevocations({ file })).toThrow();
  });
});
