import { describe, expect, it } from 'vitest';
import { ResumeTicketStore } from './tickets.js';

describe('ResumeTicketStore', () => {
  it('issues ≥128-bit base64url tickets that redeem once', () => {
    const store = new ResumeTicketStore();
    const t = store.issue('s1', 'p1');
    expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/); // 24 bytes = 192 bits
    expect(store.redeem(t)).toEqual({ sessionId: 's1', participantId: 'p1' });
    expect(store.redeem(t)).toBeUndefined();
    const many = new Set(Array.from({ length: 1000 }, (_, i) => store.issue('s1', `p${i}`)));
    expect(many.size).toBe(1000);
  });

  it('revokes by participant, by session, on reissue and on expiry', () => {
    let now = 0;
    const store = new ResumeTicketStore({ ttlMs: 1000, now: () => now });
    const a = store.issue('s1', 'a');
    const b = store.issue('s1', 'b');
    const c = store.issue('s2', 'c');
    store.revokeParticipant('s1', 'a');
    expect(store.redeem(a)).toBeUndefined();
    store.revokeSession('s1');
    expect(store.redeem(b)).toBeUndefined();
    const c2 = store.issue('s2', 'c');
    expect(store.redeem(c)).toBeUndefined();
    now = 1000;
    expect(store.redeem(c2)).toBeUndefined();
    expect(store.redeem('not a ticket')).toBeUndefined();
    expect(store.redeem('A'.repeat(500))).toBeUndefined();
  });

  it('bounds the number of live tickets', () => {
    const store = new ResumeTicketStore({ maxTickets: 10 });
    const first = store.issue('s', 'p0');
    for (let i = 1; i < 20; i++) store.issue('s', `p${i}`);
    expect(store.size).toBe(10);
    expect(store.redeem(first)).toBeUndefined();
  });
});
