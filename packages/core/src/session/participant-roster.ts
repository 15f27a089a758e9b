import type { ParticipantInfo } from '@alcove/protocol';
import type { RemoteTrack } from '../media/types.js';
import type { LeaveReason } from './events.js';
import type { RemoteParticipant } from './types.js';

/** Callbacks of {@link ParticipantRoster}. */
export interface RosterCallbacks {
  readonly selfId: () => string;
  readonly tracksOf: (participantId: string) => readonly RemoteTrack[];
  onJoined(p: RemoteParticipant): void;
  onUpdated(p: RemoteParticipant): void;
  /** Called before the participant is dropped, so media and stats can forget them. */
  onLeft(p: RemoteParticipant, reason: LeaveReason): void;
}

/**
 * Everyone else admitted, kept in step with join/resume results and `participant.*`
 * notifications; reports joins, updates (connection `reconnecting`/`connected`, name, role) and leaves.
 */
export class ParticipantRoster {
  readonly #c: RosterCallbacks;
  readonly #byId = new Map<string, ParticipantInfo>();

  constructor(callbacks: RosterCallbacks) {
    this.#c = callbacks;
  }

  get ids(): string[] {
    return [...this.#byId.keys()];
  }

  get list(): RemoteParticipant[] {
    return [...this.#byId.values()].map((p) => this.#view(p));
  }

  /** Replaces the roster with `list` (after join, resume or admission). */
  sync(list: readonly ParticipantInfo[]): void {
    const seen = new Set<string>();
    for (const p of list) {
      if (p.id === this.#c.selfId()) continue;
      seen.add(p.id);
      this.upsert(p);
    }
    for (const id of this.ids) if (!seen.has(id)) this.remove(id, 'left');
  }

  upsert(p: ParticipantInfo): void {
    if (p.id === this.#c.selfId()) return;
    const prev = this.#byId.get(p.id);
    this.#byId.set(p.id, p);
    if (!prev) this.#c.onJoined(this.#view(p));
    else if (
      prev.connection !== p.connection ||
      prev.displayName !== p.displayName ||
      prev.role !== p.role ||
      prev.identityKey !== p.identityKey
    ) {
      this.#c.onUpdated(this.#view(p));
    }
  }

  /** The identity key the server published for `id` (base64), when it did. */
  identityKeyOf(id: string): string | undefined {
    return this.#byId.get(id)?.identityKey;
  }

  remove(id: string, reason: LeaveReason): void {
    const p = this.#byId.get(id);
    if (!p) return;
    const view = this.#view(p);
    this.#byId.delete(id);
    this.#c.onLeft(view, reason);
  }

  #view(p: ParticipantInfo): RemoteParticipant {
    return { id: p.id, role: p.role, displayName: p.displayName, connection: p.connection, tracks: this.#c.tracksOf(p.id) };
  }
}
