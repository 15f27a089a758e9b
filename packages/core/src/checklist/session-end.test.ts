import type { ChecklistPolicyInfo } from '@alcove/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Session } from '../session/session.js';
import { createFakePlatform } from '../test/fake-platform.js';
import { MemoryStorage } from '../test/fake-platform.js';
import { createScriptedRoom } from '../test/scripted-room.js';
import { Checklist } from './checklist.js';
import { checklistSupport } from './index.js';
import { createTestPlatform } from './test/fakes.js';

// What a client typed in the checklist is kept in the tab's sessionStorage only while the session
// is on (a reload in the checklist or the waiting room resumes it). Every way a session ends takes
// it out of storage; a failed session keeps it (the person reloads to try again).

const policy: ChecklistPolicyInfo = {
  steps: [
    { id: 'location', required: true, allowWarning: true },
    { id: 'emergency-plan', required: true, allowWarning: false },
  ],
  requiredBeforeAdmission: true,
  jurisdictions: ['US-TN'],
  licensure: 'off',
  shareJurisdiction: false,
  prefillLocation: false,
};
/** Canaries: strings nothing but the client's typing puts anywhere. */
const STREET = '12 Canary Row Qx7';
const CONTACT = 'Lee Canaryfield';
const CALLBACK = '615 555 0199';
const CANARIES = [STREET, CONTACT, CALLBACK, '+16155550199', '+16155550142'];

/** Every key and value of the storage that contains a canary. */
const leaks = (storage: MemoryStorage): string[] =>
  [...storage.map].flatMap(([k, v]) => (CANARIES.some((c) => k.includes(c) || v.includes(c)) ? [k] : []));

function type(c: Checklist): void {
  c.location!.setAddress({ country: 'US', region: 'US-TN', locality: 'Nashville', street: STREET });
  c.emergencyPlan!.setPlan({ contactName: CONTACT, contactPhone: '+1 615 555 0142', callbackPhone: CALLBACK, plan: 'therapist-calls' });
}

const flush = (ms = 0): Promise<unknown> => vi.advanceTimersByTimeAsync(ms);

describe("the checklist's copy of the answers in the tab's storage", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  /** A client with a checklist, waiting in a session whose policy has it, answers typed. */
  async function waitingClient(
    extra: Partial<Parameters<typeof Session.create>[0]> = {},
  ): Promise<{ session: Session; checklist: Checklist; storage: MemoryStorage; room: ReturnType<typeof createScriptedRoom> }> {
    const storage = new MemoryStorage();
    const checklist = new Checklist({ platform: createTestPlatform({ sessionStorage: storage }) });
    const room = createScriptedRoom({ state: 'waiting', policy: { checklist: policy } });
    room.handle('checklist.submit', () => ({ admissible: true, missing: [] }));
    const session = Session.create({
      serverUrl: 'ws://127.0.0.1:1/ws',
      token: 'x'.repeat(32),
      platform: createFakePlatform(room),
      simulcast: false,
      checklist: checklistSupport(checklist),
      ...extra,
    });
    await session.join();
    await flush(10);
    expect(session.state).toBe('waiting');
    expect(checklist.bound).toBe(true);
    type(checklist);
    await flush(1000);
    return { session, checklist, storage, room };
  }

  it('is there while waiting, so a reload resumes the answers', async () => {
    const { session, checklist, storage } = await waitingClient();
    expect(leaks(storage)).toEqual(['alcove.checklist.progress.default']);
    // A reload: a new checklist on the same tab storage.
    const reloaded = new Checklist({ platform: createTestPlatform({ sessionStorage: storage }) });
    expect(reloaded.location!.address?.street).toBe(STREET);
    expect(reloaded.emergencyPlan!.details?.contactName).toBe(CONTACT);
    await session.leave();
    checklist.close();
  });

  const ends: [string, (s: Session, room: ReturnType<typeof createScriptedRoom>) => Promise<unknown>, string][] = [
    ['the client leaves', (s) => s.leave(), 'left'],
    ['the host ends the session for all', async (_s, room) => room.last.notify('session.ended', { reason: 'host' }), 'session-ended'],
    ['the host removes the client', async (_s, room) => room.last.notify('session.removed', {}), 'removed'],
    ['the host turns the client away', async (_s, room) => room.last.notify('session.denied', {}), 'denied'],
  ];
  for (const [what, end, reason] of ends) {
    it(`is gone once ${what}, and stays gone while the checklist lives on`, async () => {
      const { session, checklist, storage, room } = await waitingClient();
      expect(leaks(storage)).not.toEqual([]);
      const ended: string[] = [];
      session.on('ended', (r) => ended.push(r));
      await end(session, room);
      await flush(10);
      expect(ended).toEqual([reason]);
      expect(leaks(storage)).toEqual([]);
      expect([...storage.map.keys()]).toEqual([]);
      // The answers stay in memory (the page may offer to join again), but a change no longer writes them back.
      expect(checklist.location!.address?.street).toBe(STREET);
      checklist.emergencyPlan!.setPlan({
        contactName: CONTACT,
        contactPhone: '+1 615 555 0142',
        callbackPhone: CALLBACK,
        plan: 'client-rejoins',
      });
      await flush(1000);
      expect(leaks(storage)).toEqual([]);
      // A reload after the end resumes nothing.
      expect(new Checklist({ platform: createTestPlatform({ sessionStorage: storage }) }).location!.address).toBeUndefined();
      checklist.close();
    });
  }

  it('is kept when the session fails (a reload to try again resumes), and gone once the checklist is closed', async () => {
    const { session, checklist, storage, room } = await waitingClient({ reconnectPolicy: { nextRetryDelayMs: () => null } });
    const failed: unknown[] = [];
    session.on('failed', (f) => failed.push(f.error.code));
    room.last.drop();
    await flush(10);
    expect(session.state).toBe('failed');
    expect(failed).toHaveLength(1);
    expect(leaks(storage)).toEqual(['alcove.checklist.progress.default']);
    checklist.close();
    expect(leaks(storage)).toEqual([]);
  });

  it('is gone after close() of a checklist that never met a session, and bind() keeps it again', async () => {
    const storage = new MemoryStorage();
    const checklist = new Checklist({ policy, platform: createTestPlatform({ sessionStorage: storage }) });
    type(checklist);
    expect(leaks(storage)).toHaveLength(1);
    checklist.forgetProgress();
    expect(leaks(storage)).toEqual([]);
    checklist.location!.setAddress({ country: 'US', region: 'US-TN', locality: 'Memphis', street: STREET });
    expect(leaks(storage)).toEqual([]);
    checklist.bind({
      sessionId: 'S2',
      participantId: 'me',
      policy,
      signer: { identityKey: 'A'.repeat(43), sign: () => new Uint8Array(64) },
      submit: async () => ({ admissible: true, missing: [] }),
      seal: () => undefined,
      request: () => Promise.reject(new Error('unused')),
    });
    expect(leaks(storage)).toHaveLength(1);
    checklist.close();
    checklist.close();
    expect(leaks(storage)).toEqual([]);
    expect(storage.map.size).toBe(0);
  });
});
