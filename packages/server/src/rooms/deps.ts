/**
 * What rooms need from the rest of the server, as narrow structural interfaces: the session
 * registry, resume tickets, audit log, webhooks and logger built by the services side satisfy them,
 * and tests may pass their own.
 * @packageDocumentation
 */
import type { AuditEntry } from '../audit/types.js';
import type { WebhookEventMap, WebhookEventType } from '../webhooks/types.js';
import type { Logger } from '../logger.js';
import type { AttendanceEventKind, SessionRecord } from '../sessions/types.js';
import type { CreateEngineWorker, EngineWorker } from '../media/engine-types.js';
import type { MediaLimits } from '../media/media-room.js';
import type { NetworkTestLimits } from '../media/network-test.js';
import type { TurnOptions } from '../turn/credentials.js';

/** The part of `SessionRegistry` rooms use. */
export interface RoomRegistry {
  get(id: string): SessionRecord | undefined;
  end(id: string, reason: string): unknown;
  setLocked(id: string, locked: boolean): unknown;
  markRemoved(id: string, participantId: string): void;
  markDenied(id: string, participantId: string): void;
  isBarred(id: string, participantId: string): boolean;
  recordAttendance(id: string, participantId: string, event: AttendanceEventKind, at?: number): void;
}

/** The part of `ResumeTicketStore` rooms use. */
export interface RoomTickets {
  issue(sessionId: string, participantId: string): string;
  redeem(ticket: string): { sessionId: string; participantId: string } | undefined;
  /** The holder without consuming the ticket (lets a refused resume leave it to its owner). */
  peek?(ticket: string): { sessionId: string; participantId: string } | undefined;
  revokeParticipant(sessionId: string, participantId: string): void;
  revokeSession(sessionId: string): void;
}

/** Where rooms send audit entries and webhook events (never names, tokens, keys, chat or addresses). */
export interface RoomEvents {
  /** An auditable fact; failures are the sink's concern, never the room's. */
  audit(entry: AuditEntry): void;
  /** A webhook-worthy fact. */
  webhook<T extends WebhookEventType>(type: T, data: WebhookEventMap[T]): void;
}

/** Options of the live side (room manager and signalling). */
export interface LiveOptions {
  /** How long a dropped admitted participant is kept (`reconnecting`) before it leaves. Default 20 000. */
  readonly graceMs?: number;
  /** Heartbeat interval clients are told and the server pings at. Default 10 000. */
  readonly heartbeatMs?: number;
  /** Listen address for WebRTC transports. Default 127.0.0.1. */
  readonly rtcListenIp?: string;
  /** Address announced in ICE candidates. */
  readonly announcedAddress?: string;
  /** Offer the worker's ICE-TCP port beside UDP (passive candidates). Default true. */
  readonly rtcTcp?: boolean;
  /** TURN relays: each admitted participant gets short-lived credentials (`iceServers`). */
  readonly turn?: TurnOptions;
  /** Media resource limits per participant. */
  readonly mediaLimits?: Partial<MediaLimits>;
  /** Drop the audio-level header extension in rooms of at most this many participants. Default 2. */
  readonly dropAudioLevelUpTo?: number;
  /**
   * A waiting-room entry not admitted within this long is told `session.ended` (`waiting-expired`)
   * and removed, ms. Default 3 600 000 (one hour).
   */
  readonly waitingTimeoutMs?: number;
  /**
   * A session without a connected host for this long ends (`host-absent`), even while clients are
   * connected or waiting, ms — counted once a host has been connected, or while anyone is admitted
   * without one. Default 900 000 (15 minutes).
   */
  readonly hostAbsentTimeoutMs?: number;
  /** Network-test limits (defaults from `NETWORK_TEST_LIMITS` of `@alcove/protocol`). */
  readonly networkTestLimits?: Partial<NetworkTestLimits>;
}

/** Everything a room manager is built from. */
export interface RoomDeps {
  readonly registry: RoomRegistry;
  readonly tickets: RoomTickets;
  readonly events: RoomEvents;
  readonly logger: Logger;
  /** The media worker (created once per server). */
  readonly worker: EngineWorker;
  readonly options?: LiveOptions;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
}

export type { CreateEngineWorker };
