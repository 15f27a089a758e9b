import { InvalidStateError } from './errors.js';

/** The states of a session, in the order they are usually met. */
export const SESSION_STATES = ['idle', 'connecting', 'waiting', 'joined', 'reconnecting', 'ended', 'failed'] as const;
/** A session state. */
export type SessionState = (typeof SESSION_STATES)[number];

/**
 * The legal moves. `ended` and `failed` are final. A drop while waiting goes to `reconnecting` and
 * back to `waiting` (there is no resume ticket before admission, so it rejoins).
 */
export const SESSION_TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  idle: ['connecting', 'ended'],
  connecting: ['waiting', 'joined', 'ended', 'failed'],
  waiting: ['joined', 'reconnecting', 'ended', 'failed'],
  joined: ['reconnecting', 'ended', 'failed'],
  reconnecting: ['joined', 'waiting', 'ended', 'failed'],
  ended: [],
  failed: [],
};

/** Why the state changed. */
export type StateChangeReason =
  | 'join'
  | 'admitted'
  | 'waiting'
  | 'joined'
  | 'left'
  | 'denied'
  | 'removed'
  | 'session-ended'
  | 'connection-lost'
  | 'ice'
  | 'offline'
  | 'no-inbound-media'
  | 'transport-closed'
  | 'server-shutdown'
  | 'recovered'
  | 'rejoined-waiting'
  | 'reconnect-failed'
  | 'join-failed'
  | 'error';

/** Payload of `stateChanged`. */
export interface StateChange {
  readonly from: SessionState;
  readonly to: SessionState;
  readonly reason: StateChangeReason;
}

/**
 * A state holder with a transition table. {@link transition} rejects moves the table does not list
 * with {@link InvalidStateError} and reports every legal move to `onChange`.
 * @example
 * const m = new StateMachine((c) => console.log(c.from, '→', c.to));
 * m.transition('connecting', 'join');
 */
export class StateMachine {
  #state: SessionState = 'idle';
  readonly #onChange: (change: StateChange) => void;

  constructor(onChange: (change: StateChange) => void) {
    this.#onChange = onChange;
  }

  /** The current state. */
  get state(): SessionState {
    return this.#state;
  }

  /** Whether the state is final. */
  get final(): boolean {
    return this.#state === 'ended' || this.#state === 'failed';
  }

  /** Whether `to` is a legal move from the current state. */
  can(to: SessionState): boolean {
    return SESSION_TRANSITIONS[this.#state].includes(to);
  }

  /**
   * Moves to `to`.
   * @throws {InvalidStateError} when the table does not allow the move.
   */
  transition(to: SessionState, reason: StateChangeReason): StateChange {
    const from = this.#state;
    if (!this.can(to)) throw new InvalidStateError(`illegal transition ${from} → ${to}`);
    this.#state = to;
    const change: StateChange = { from, to, reason };
    this.#onChange(change);
    return change;
  }
}
