import type { ParticipantInfo, Role } from '@alcove/protocol';
import type { Platform } from '../platform/platform.js';
import type { MediaHooks, PublishDefaults, RemoteTrack, SimulcastLayer } from '../media/types.js';
import type { ReconnectPolicy } from '../reconnect/reconnect-policy.js';
import type { SignalingOptions } from '../signaling/signaling-client.js';

/**
 * End-to-end encryption mode. `'auto'` (default) encrypts media whenever an `e2eeWorker` is given
 * and the browser has encoded transforms; without them the client declares `e2ee: false`, which
 * sessions requiring E2EE refuse (fail closed: `E2EE_REQUIRED` at the door, or `E2EE_UNAVAILABLE`
 * and nothing published). `'off'` never encrypts.
 */
export type E2eeMode = 'auto' | 'off';

/**
 * What the therapist and client agreed to do if the call cannot be restored (from the pre-session
 * checklist). Surfaced in the `failed` event; never sent to the server by this library.
 */
export interface FallbackPlan {
  /** The number the therapist calls back. */
  readonly callbackNumber?: string;
  /** Free text, e.g. "therapist calls the client's mobile". */
  readonly plan?: string;
}

/**
 * Host only: a client's emergency details from their sealed checklist answers
 * (`Session.emergencyInfo`). Untrusted input (validated): show as text only.
 */
export interface EmergencyInfo {
  readonly participantId: string;
  /** Unix ms when the client's device built the answers. */
  readonly at: number;
  /** Where the client is for this session. */
  readonly location?: import('../checklist/summary.js').SealedSummary['location'];
  readonly emergencyContact?: { readonly name: string; readonly phone: import('../checklist/types.js').PhoneNumber };
  /** The number to call the client back on if the video fails. */
  readonly callbackPhone?: import('../checklist/types.js').PhoneNumber;
  /** The agreed plan if the video fails. */
  readonly plan?: import('../checklist/types.js').FallbackPlanKind;
  readonly note?: string;
}

/** Options of `Session.create`. */
export interface SessionOptions {
  /** `wss://…` URL of the Alcove server's signalling endpoint. */
  readonly serverUrl: string;
  /** The join token (a JWT minted by the integrator's back end). Sent in the first message, never in a URL. */
  readonly token: string;
  /** Browser APIs; default `createBrowserPlatform()`. */
  readonly platform?: Platform;
  /** Delays between reconnect attempts; default `new DefaultReconnectPolicy()` (jitter, 60 s budget). */
  readonly reconnectPolicy?: ReconnectPolicy;
  /** Default `'auto'`. See {@link E2eeMode}. */
  readonly e2ee?: E2eeMode;
  /** What to publish once admitted. Default camera and microphone. */
  readonly publish?: PublishDefaults;
  /**
   * Camera simulcast: `false` (default), `true` (two layers: half and full resolution) or explicit
   * layers, lowest first. Off by default because `@alcove/sfu` forwards single-layer producers only
   * in this version; turn it on against a simulcast-capable engine (e.g. real mediasoup).
   */
  readonly simulcast?: boolean | readonly SimulcastLayer[];
  /** Shown in the `failed` event when reconnecting gives up. */
  readonly fallback?: FallbackPlan;
  /**
   * Creates the E2EE worker from `@alcove/core/e2ee-worker`, e.g.
   * `() => new Worker(new URL('@alcove/core/e2ee-worker', import.meta.url), { type: 'module' })`.
   * With it (and a browser with encoded transforms) media is end-to-end encrypted; without it,
   * sessions that require E2EE refuse to publish (`E2EE_UNAVAILABLE`).
   */
  readonly e2eeWorker?: () => import('../e2ee/e2ee-controller.js').WorkerLike;
  /** Encoded-transform API: `standard` (`RTCRtpScriptTransform`) or `legacy`; default standard where available. */
  readonly e2eePath?: import('../e2ee/e2ee-controller.js').E2eeTransformPath;
  /**
   * Turns the pre-session checklist on: `checklistSupport(checklist)` from `@alcove/core/checklist`
   * for a client (a `Checklist` created before {@link Session.join}, so it can check devices first;
   * once the server's policy is known the session binds it: statuses go to the server, answers go
   * sealed to the hosts), `checklistSupport()` for a host (who then receives the answers). Without
   * it the session carries none of the checklist's code.
   */
  readonly checklist?: import('./checklist-plugin.js').ChecklistSupport;
  /**
   * Turns sealed chat on: `chatSupport()` from `@alcove/core/chat` (`Session.sendChat`, the
   * `chatMessage` and `chatAcknowledged` events). Without it the session carries none of the chat's
   * code and `sendChat` rejects with `UNSUPPORTED_FEATURE`.
   */
  readonly chat?: import('./chat-plugin.js').ChatSupport;
  /**
   * The device identity (Ed25519) that signs the E2EE handshakes and the consent receipt:
   * `'device'` (default) keeps it in {@link SessionOptions.identityStore} so this device is recognised
   * in later sessions (and peers it verified stay verified); `'ephemeral'` makes a new one for this page.
   */
  readonly identity?: 'device' | 'ephemeral';
  /**
   * Where the device identity and the peers this device verified are kept (with `identity:
   * 'device'`). Default: IndexedDB of this origin (`IndexedDbIdentityStore`): a non-extractable
   * WebCrypto Ed25519 key where the browser has Ed25519 in WebCrypto, else a seed encrypted under a
   * non-extractable WebCrypto key; where IndexedDB is missing, `platform.persistentStorage`.
   * Pass your own to keep it elsewhere (see `docs/e2ee-identity.md`).
   */
  readonly identityStore?: import('../e2ee/identity-store.js').IdentityStore;
  /** Hooks into RTP senders/receivers (where E2EE transforms attach). */
  readonly mediaHooks?: MediaHooks;
  /** Signalling timeouts and heartbeat. Defaults: requests 10 s, ping every 500 ms, lost after 1.5 s of silence. */
  readonly signaling?: SignalingOptions;
  /** How long an ICE restart may take before escalating, ms. Default 5 000. */
  readonly iceRestartTimeoutMs?: number;
  /** Stats poll period, ms (stall detection; quality every second poll). Default 1 000. */
  readonly statsIntervalMs?: number;
  /** No inbound media for this long (while expected) starts an ICE restart, ms. Default 2 000. */
  readonly inboundStallMs?: number;
  /**
   * `'relay'` sends all media through the TURN relays the server hands out (`iceServers` in the
   * join or admission result), so the other side and the media server never see this device's
   * address; media fails with `UNSUPPORTED_FEATURE` if the server offers no TURN. Default `'all'`
   * (direct UDP or TCP to the media server first, the relays as a fallback).
   */
  readonly iceTransportPolicy?: 'all' | 'relay';
}

/** Someone else in the session. */
export interface RemoteParticipant {
  readonly id: string;
  readonly role: Role;
  readonly displayName: string;
  /** `reconnecting` while the server holds them within its grace window after a drop. */
  readonly connection: ParticipantInfo['connection'];
  /** Their tracks this client receives. */
  readonly tracks: readonly RemoteTrack[];
}

/** Details of a reconnect cycle, as in the `reconnecting` and `reconnected` events. */
export interface ReconnectInfo {
  readonly cause: import('../reconnect/reconnect-policy.js').DisconnectCause;
  readonly tier: import('../reconnect/reconnect-policy.js').ReconnectTier;
  readonly attempts?: number;
  readonly elapsedMs?: number;
}
