import type { ChecklistPolicyInfo, HostKey, NotificationData, RequestData, RequestMethod, ResponseData, Role } from '@alcove/protocol';
import type { Checklist } from '../checklist/checklist.js';
import type { SealedSummary } from '../checklist/summary.js';
import type { DeviceKey } from '../e2ee/identity-store.js';
import type { PlatformTimers } from '../platform/platform.js';

/**
 * The pre-session checklist as a `Session` plug-in. The checklist's code (the steps, the sealed
 * channel to the hosts, Ed25519 signing) lives in the `@alcove/core/checklist` entry, so an app
 * that never uses the checklist does not carry it: pass `checklistSupport()` from that entry as
 * `SessionOptions.checklist` to turn it on.
 */
export interface ChecklistSupport {
  /** Internal: called once by the session with the device identity (it signs the sealed channel's handshakes and the consent receipt). */
  createBinding(host: ChecklistSessionHost, identity: DeviceKey): SessionChecklistLike;
}

/** What the checklist plug-in needs from the session. Internal. */
export interface ChecklistSessionHost {
  request<M extends RequestMethod>(method: M, data: RequestData<M>, signal?: AbortSignal): Promise<ResponseData<M>>;
  readonly timers: PlatformTimers;
  /** Host: a guest's answers arrived (or changed). */
  summary(participantId: string, summary: SealedSummary): void;
  /** A sealed message was refused or could not be read. */
  problem(participantId: string, reason: string): void;
  /** Counts and logs (debug) an error the plug-in swallows, e.g. a relay that failed while reconnecting. */
  swallowed?(site: string, error: unknown): void;
}

/** The join or resume result, as far as the checklist needs it. */
export interface ChecklistJoinInfo {
  readonly sessionId: string;
  readonly participantId: string;
  readonly role: Role;
  readonly policy: { readonly checklist?: ChecklistPolicyInfo | undefined };
  readonly hosts?: readonly HostKey[] | undefined;
}

/** The devices a checklist chose (the call uses the same ones). */
export interface ChosenDevices {
  readonly cameraId?: string | undefined;
  readonly microphoneId?: string | undefined;
  readonly speakerId?: string | undefined;
}

/** The session's side of the plug-in. Internal. */
export interface SessionChecklistLike {
  readonly checklist: Checklist | undefined;
  readonly summaries: ReadonlyMap<string, SealedSummary>;
  readonly identityKey: string;
  attach(checklist: Checklist): void;
  joined(r: ChecklistJoinInfo): void;
  hostsChanged(hosts: readonly HostKey[]): void;
  message(d: NotificationData<'checklist.message'>): void;
  participantGone(participantId: string): void;
  devices(): ChosenDevices;
  fallback(): { callbackNumber?: string; plan?: string } | undefined;
  /** `ended`: the session is over for good (left, ended, removed, denied), not failed: the tab's copy of the answers goes. */
  close(ended: boolean): void;
}
