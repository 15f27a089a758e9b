import { describe, expect, it } from 'vitest';
import { InvalidStateError } from './errors.js';
import { SESSION_STATES, SESSION_TRANSITIONS, StateMachine, type SessionState, type StateChange } from './state-machine.js';

describe('StateMachine', () => {
  it('walks the happy path and reports every move', () => {
    const seen: StateChange[] = [];
    const m = new StateMachine((c) => seen.push(c));
    m.transition('connecting', 'join');
    m.transition('waiting', 'waiting');
    m.transition('joined', 'admitted');
    m.transition('reconnecting', 'connection-lost');
    m.transition('joined', 'recovered');
    m.transition('ended', 'left');
    expect(seen.map((c) => `${c.from}>${c.to}:${c.reason}`)).toEqual([
      'idle>connecting:join',
      'connecting>waiting:waiting',
      'waiting>joined:admitted',
      'joined>reconnecting:connection-lost',
      'reconnecting>joined:recovered',
      'joined>ended:left',
    ]);
    expect(m.final).toBe(true);
  });

  it('rejects every move the table does not list, without changing state or reporting', () => {
    for (const from of SESSION_STATES) {
      for (const to of SESSION_STATES) {
        if (SESSION_TRANSITIONS[from].includes(to)) continue;
        const seen: StateChange[] = [];
        const m = new StateMachine((c) => seen.push(c));
        // Drive to `from` along legal moves.
        const path: Record<SessionState, SessionState[]> = {
          idle: [],
          connecting: ['connecting'],
          waiting: ['connecting', 'waiting'],
          joined: ['connecting', 'joined'],
          reconnecting: ['connecting', 'joined', 'reconnecting'],
          ended: ['ended'],
          failed: ['connecting', 'failed'],
        };
        for (const s of path[from]) m.transition(s, 'join');
        const before = seen.length;
        expect(() => m.transition(to, 'error')).toThrow(InvalidStateError);
        expect(m.state).toBe(from);
        expect(seen.length).toBe(before);
      }
    }
  });

  it('final states have no way out', () => {
    expect(SESSION_TRANSITIONS.ended).toEqual([]);
    expect(SESSION_TRANSITIONS.failed).toEqual([]);
  });
});
