import type { Session, SessionEvents } from '@alcove/core';
import { AlcoveErrorEvent } from '../events.js';
import { errorCode } from '../i18n/messages.js';
import { AlcoveElement } from './alcove-element.js';

/**
 * What the elements need of a session: the subset of `@alcove/core`'s `Session` they use. The
 * checklist members work when the session was created with `checklistSupport()` of
 * `@alcove/core/checklist` (`<alcove-session>` always does); without it they are empty.
 */
export type SessionLike = Pick<
  Session,
  | 'on'
  | 'off'
  | 'join'
  | 'leave'
  | 'state'
  | 'role'
  | 'policy'
  | 'participants'
  | 'waiting'
  | 'localTracks'
  | 'remoteTracks'
  | 'attach'
  | 'setMicrophoneEnabled'
  | 'setCameraEnabled'
  | 'switchDevice'
  | 'startScreenShare'
  | 'stopScreenShare'
  | 'listDevices'
  | 'setAudioOutput'
  | 'sendChat'
  | 'admit'
  | 'deny'
  | 'remove'
  | 'lock'
  | 'unlock'
  | 'end'
  | 'confirmSecurityCode'
  | 'participantId'
  | 'checklist'
  | 'attachChecklist'
  | 'checklistSummaries'
  | 'emergencyInfo'
> &
  /** Guests while waiting: the hosts' names and credentials lines (optional for stand-ins). */
  Partial<Pick<Session, 'hosts'>>;

/** Listeners by session event. */
export type SessionHandlers = { [E in keyof SessionEvents]?: (...args: SessionEvents[E]) => void };

/** Subscribes `handlers` to `session`; returns the unsubscribe function. */
export function listen(session: SessionLike, handlers: SessionHandlers): () => void {
  const entries = Object.entries(handlers) as [keyof SessionEvents, (...a: unknown[]) => void][];
  const s = session as unknown as { on(e: string, f: (...a: unknown[]) => void): void; off(e: string, f: (...a: unknown[]) => void): void };
  for (const [e, f] of entries) s.on(e, f);
  return () => {
    for (const [e, f] of entries) s.off(e, f);
  };
}

/**
 * An element that shows part of a session: give it `session` (an `@alcove/core` `Session`) and it
 * subscribes while connected. `<alcove-session>` hands its session to its parts; a page that
 * builds its own layout does the same.
 */
export abstract class SessionPart extends AlcoveElement {
  #session: SessionLike | undefined;
  #off: (() => void) | undefined;

  /** The session shown (property only). */
  get session(): SessionLike | undefined {
    return this.#session;
  }
  set session(value: SessionLike | undefined) {
    if (value === this.#session) return;
    this.#unsubscribe();
    this.#session = value;
    this.sessionChanged();
    if (this.isConnected) this.#subscribe();
    this.update();
  }

  override connectedCallback(): void {
    this.#subscribe();
    super.connectedCallback();
  }

  disconnectedCallback(): void {
    this.#unsubscribe();
  }

  /** The session events this part follows. */
  protected abstract handlers(): SessionHandlers;

  /** Called when a different session is set (reset per-session state here). */
  protected sessionChanged(): void {}

  /** Reports a failed action as `alcove-error` (text comes from the catalogue by code). */
  protected report(e: unknown): void {
    this.emit(new AlcoveErrorEvent(errorCode(e)));
  }

  /** Runs a session action, reporting a failure instead of throwing. */
  protected async act(fn: (s: SessionLike) => Promise<unknown> | unknown): Promise<boolean> {
    const s = this.#session;
    if (!s) return false;
    try {
      await fn(s);
      return true;
    } catch (e) {
      this.report(e);
      return false;
    }
  }

  /** A participant's display name (untrusted: text only), or `''`. */
  protected nameOf(id: string): string {
    return this.#session?.participants.find((p) => p.id === id)?.displayName ?? '';
  }

  #subscribe(): void {
    if (this.#session && !this.#off) this.#off = listen(this.#session, this.handlers());
  }

  #unsubscribe(): void {
    this.#off?.();
    this.#off = undefined;
  }
}
