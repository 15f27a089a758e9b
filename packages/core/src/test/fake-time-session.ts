import type { ParticipantInfo, ProducerInfo } from '@alcove/protocol';
import { afterEach, beforeEach, vi } from 'vitest';
import { Session } from '../session/session.js';
import { createFakePlatform, type FakePlatform } from './fake-platform.js';
import { createScriptedRoom, type ScriptedRoom } from './scripted-room.js';

/** The remote host `p2` that a {@link useFakeTimeSession} room holds besides this client. */
export const REMOTE_HOST: ParticipantInfo = { id: 'p2', role: 'host', displayName: 'T', connection: 'connected' };

/** Options of {@link FakeTimeSession.join}. */
export interface FakeTimeJoinOptions {
  /** The remote producers the room lists at join. Default none. */
  readonly producers?: ProducerInfo[];
  /** Called with the new session before it joins, to add listeners. */
  readonly listen?: (session: Session) => void;
}

/** What {@link useFakeTimeSession} gives a test. */
export interface FakeTimeSession {
  /** The room of the latest {@link FakeTimeSession.join}. */
  readonly room: ScriptedRoom;
  /** The platform of the latest {@link FakeTimeSession.join}. */
  readonly platform: FakePlatform;
  /** Codes of the session's `error` events since the latest {@link FakeTimeSession.join}. */
  readonly errors: string[];
  /**
   * Creates a scripted room holding {@link REMOTE_HOST} and `producers`, and a session on it
   * (fake platform, simulcast off) whose `error` codes go to `errors`; calls `listen`; joins.
   */
  join(options?: FakeTimeJoinOptions): Promise<Session>;
  /** Leaves the session now (the after-each hook then has none to leave). */
  leave(): Promise<void>;
}

/**
 * Registers, in the calling `describe`, fake timers before each test and, after each, the leave of
 * the session the test joined and real timers again. For the unit tests of a joined session's media
 * (consume, retries, recovery) on a scripted room.
 * @example
 * describe('consume', () => {
 *   const fx = useFakeTimeSession();
 *   it('…', async () => {
 *     const s = await fx.join({ producers: [MIC] });
 *     fx.room.last.notify('media.producerAdded', CAM);
 *   });
 * });
 */
export function useFakeTimeSession(): FakeTimeSession {
  let room: ScriptedRoom | undefined;
  let platform: FakePlatform | undefined;
  let session: Session | undefined;
  let errors: string[] = [];
  const leave = async (): Promise<void> => {
    const s = session;
    session = undefined;
    await s?.leave();
  };
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(async () => {
    try {
      await leave();
    } finally {
      vi.useRealTimers();
    }
  });
  return {
    get room(): ScriptedRoom {
      if (!room) throw new Error('join() first');
      return room;
    },
    get platform(): FakePlatform {
      if (!platform) throw new Error('join() first');
      return platform;
    },
    get errors(): string[] {
      return errors;
    },
    async join(options = {}) {
      room = createScriptedRoom({ participants: [REMOTE_HOST], producers: options.producers ?? [] });
      platform = createFakePlatform(room);
      const s = Session.create({ serverUrl: 'ws://127.0.0.1:1/ws', token: 'x'.repeat(32), platform, simulcast: false });
      session = s;
      const codes: string[] = [];
      errors = codes;
      s.on('error', (e) => codes.push(e.code));
      options.listen?.(s);
      await s.join();
      return s;
    },
    leave,
  };
}
