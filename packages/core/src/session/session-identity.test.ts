import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IdentityStore, VerifiedPeer } from '../e2ee/identity-store.js';
import { createFakePlatform } from '../test/fake-platform.js';
import { createScriptedRoom } from '../test/scripted-room.js';
import { Session } from './session.js';

// The session's device identity comes from an IdentityStore (SessionOptions.identityStore): an
// asynchronous store (IndexedDB, an app's own) is awaited before connecting; the same store gives
// the same identity to every session; `identity: 'ephemeral'` never touches it.

/** An asynchronous store whose answers the test releases. */
function deferredStore() {
  const saved: Uint8Array[] = [];
  const calls: string[] = [];
  let release: (() => void) | undefined;
  let gate: Promise<void> = Promise.resolve();
  const store: IdentityStore = {
    loadSeed: async () => {
      calls.push('loadSeed');
      await gate;
      return saved.at(-1)?.slice();
    },
    saveSeed: async (s) => {
      calls.push('saveSeed');
      saved.push(s.slice());
    },
    verifiedPeers: async (): Promise<readonly VerifiedPeer[]> => {
      calls.push('verifiedPeers');
      return [];
    },
    rememberVerified: async () => undefined,
  };
  return {
    store,
    saved,
    calls,
    hold: () => {
      gate = new Promise((r) => {
        release = r;
      });
    },
    release: () => release?.(),
  };
}

describe('Session device identity', () => {
  let sessions: Session[] = [];
  const make = (extra: Partial<Parameters<typeof Session.create>[0]>) => {
    const room = createScriptedRoom();
    const s = Session.create({
      serverUrl: 'ws://127.0.0.1:1/ws',
      token: 'x'.repeat(32),
      platform: createFakePlatform(room),
      simulcast: false,
      publish: { audio: false, video: false },
      ...extra,
    });
    sessions.push(s);
    return { room, session: s };
  };

  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    for (const s of sessions) await s.leave();
    sessions = [];
    vi.useRealTimers();
  });

  it('waits for an asynchronous store before connecting, and keeps one identity across sessions', async () => {
    const d = deferredStore();
    d.hold();
    const { room, session } = make({ identityStore: d.store });
    const joining = session.join();
    await vi.advanceTimersByTimeAsync(50);
    expect(session.state).toBe('connecting');
    expect(room.requests('session.join')).toHaveLength(0);
    d.release();
    await joining;
    expect(session.state).toBe('joined');
    expect(d.saved).toHaveLength(1);
    expect(d.saved[0]).toHaveLength(32);
    // A later session on the same device: the saved seed is read, nothing new is saved.
    const second = make({ identityStore: d.store });
    await second.session.join();
    expect(d.saved).toHaveLength(1);
    expect(d.calls.filter((c) => c === 'saveSeed')).toHaveLength(1);
    expect(d.calls.filter((c) => c === 'loadSeed')).toHaveLength(2);
  });

  it('leaving while the store has not answered ends the join', async () => {
    const d = deferredStore();
    d.hold();
    const { session } = make({ identityStore: d.store });
    const joining = session.join();
    const outcome = joining.then(
      () => 'joined',
      (e: { code?: string }) => e.code,
    );
    await session.leave();
    d.release();
    expect(await outcome).toBe('ABORTED');
    expect(session.state).toBe('ended');
  });

  it("an 'ephemeral' identity never reads or writes the store", async () => {
    const d = deferredStore();
    const { session } = make({ identityStore: d.store, identity: 'ephemeral' });
    await session.join();
    expect(d.calls).toEqual([]);
  });

  it('without E2EE the state is off', async () => {
    const { session } = make({});
    await session.join();
    expect(session.e2eeState.state).toBe('off');
  });
});
