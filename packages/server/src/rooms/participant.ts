/**
 * A participant of a live room and the connection interface rooms send through.
 * @packageDocumentation
 */
import type {
  ChecklistStatus,
  ErrorCode,
  LicensureOutcome,
  ParticipantInfo,
  Role,
  ServerMessage,
  SessionHost,
  WaitingEntry,
} from '@alcove/protocol';

/** What a room needs from a signalling connection. */
export interface RoomConnection {
  /** Opaque per-connection id (for logs). */
  readonly id: string;
  /** Sends one message; a closed connection drops it. */
  send(message: ServerMessage): void;
  /** Closes the connection (after flushing what was sent). */
  close(code: number, reason: string): void;
}

/** Where a participant is: in the waiting room or admitted into the session. */
export type ParticipantState = 'waiting' | 'admitted';

/** Most chat ids remembered per sender for de-duplication. */
export const CHAT_DEDUP_WINDOW = 512;

/** One participant of a live room. */
export class Participant {
  readonly id: string;
  readonly role: Role;
  /** Shown to other admitted participants and to hosts; never logged. */
  readonly displayName: string;
  /** Hosts: the credentials line of the join token (`cred`), shown to waiting guests; never logged. */
  readonly credentials: string | undefined;
  state: ParticipantState;
  /** The live connection; `undefined` while reconnecting (grace window). */
  connection: RoomConnection | undefined;
  /** When the participant entered the waiting room (unix ms). */
  readonly since: number;
  /** Checklist step statuses as the server evaluated them (never answers). */
  checklist: ChecklistStatus | undefined;
  /** Licensure outcome the client reported (never its location). */
  licensure: LicensureOutcome | undefined;
  /** Whether the host may admit the participant now (set when the session has a checklist). */
  admissible: boolean | undefined;
  /** Required checklist steps not done, in policy order. */
  missing: readonly string[] = [];
  identityKey: string | undefined;
  graceTimer: NodeJS.Timeout | undefined;
  /** Chat ids already relayed → acknowledgement time (ids only, never content). */
  readonly chatIds = new Map<string, number>();
  /** Test fault hooks only (`FaultHooks.refuseRequests`): requests to answer with an error instead. */
  readonly refusals = new Map<string, { readonly code: ErrorCode; count: number }>();

  constructor(init: {
    id: string;
    role: Role;
    displayName: string;
    credentials?: string | undefined;
    state: ParticipantState;
    connection: RoomConnection;
    since: number;
  }) {
    this.id = init.id;
    this.role = init.role;
    this.displayName = init.displayName;
    this.credentials = init.credentials;
    this.state = init.state;
    this.connection = init.connection;
    this.since = init.since;
  }

  /** Whether the participant is admitted (connected or within its grace window). */
  get admitted(): boolean {
    return this.state === 'admitted';
  }

  /** As other admitted participants see it. */
  info(): ParticipantInfo {
    return {
      id: this.id,
      role: this.role,
      displayName: this.displayName,
      connection: this.connection ? 'connected' : 'reconnecting',
      ...(this.identityKey ? { identityKey: this.identityKey } : {}),
    };
  }

  /** A host as waiting guests see it (`session.hosts`): name and credentials line. */
  sessionHost(): SessionHost {
    return {
      participantId: this.id,
      displayName: this.displayName,
      ...(this.credentials !== undefined ? { credentials: this.credentials } : {}),
    };
  }

  /** As a host sees it in the waiting room. */
  waitingEntry(): WaitingEntry {
    return {
      id: this.id,
      role: this.role,
      displayName: this.displayName,
      since: this.since,
      ...(this.checklist ? { checklist: this.checklist } : {}),
      ...(this.licensure ? { licensure: this.licensure } : {}),
      ...(this.admissible !== undefined ? { admissible: this.admissible } : {}),
    };
  }

  /** Remembers a chat id; returns the earlier acknowledgement time when it is a re-send. */
  rememberChat(id: string, at: number): number | undefined {
    const earlier = this.chatIds.get(id);
    if (earlier !== undefined) return earlier;
    this.chatIds.set(id, at);
    if (this.chatIds.size > CHAT_DEDUP_WINDOW) {
      const oldest = this.chatIds.keys().next().value as string;
      this.chatIds.delete(oldest);
    }
    return undefined;
  }
}
