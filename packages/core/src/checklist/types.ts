import type { ChecklistPolicyInfo, CheckStatus, LicensureOutcome, RequestData, RequestMethod, ResponseData } from '@alcove/protocol';
import type { Platform } from '../platform/platform.js';
import type { NetworkTestResult } from './network-test.js';
import type { SealedSummary } from './summary.js';

// --- Step status ---------------------------------------------------------------------------------

/** The statuses of a checklist step, locally. On the wire `idle` and `running` are `pending`. */
export const STEP_STATUSES = ['idle', 'running', 'passed', 'warning', 'failed', 'skipped'] as const;
/** A step's local status. */
export type StepStatus = (typeof STEP_STATUSES)[number];

/**
 * The legal status moves of a step. A step never moves to the status it has (a new answer with the
 * same outcome is a `detailsChanged`, not a move) and a running step cannot start again.
 */
export const STEP_TRANSITIONS: Readonly<Record<StepStatus, readonly StepStatus[]>> = {
  idle: ['running', 'passed', 'warning', 'failed', 'skipped'],
  running: ['idle', 'passed', 'warning', 'failed', 'skipped'],
  passed: ['idle', 'running', 'warning', 'failed', 'skipped'],
  warning: ['idle', 'running', 'passed', 'failed', 'skipped'],
  failed: ['idle', 'running', 'passed', 'warning', 'skipped'],
  skipped: ['idle', 'running', 'passed', 'warning', 'failed'],
};

/**
 * A local status as `checklist.submit` carries it: `idle`/`running` → `pending`, others as is.
 * @example
 * toWireStatus('running'); // 'pending'
 */
export function toWireStatus(status: StepStatus): CheckStatus {
  return status === 'idle' || status === 'running' ? 'pending' : status;
}

/**
 * Why a step is `warning` or `failed` (or, for the browser step, what is missing). Stable codes for
 * the UI's message catalogue.
 */
export const CHECK_REASONS = {
  // browser
  INSECURE_CONTEXT: 'The page is not served over HTTPS (or localhost): the browser hides camera and microphone.',
  NO_MEDIA_DEVICES: 'The browser exposes no camera/microphone API (navigator.mediaDevices).',
  NO_WEBRTC: 'The browser has no WebRTC (RTCPeerConnection).',
  NO_ENCODED_TRANSFORMS: 'The browser cannot transform encoded frames, so media cannot be end-to-end encrypted.',
  // camera, microphone, speaker (device codes as mapped by mapMediaError)
  PERMISSION_DENIED: 'The user or browser denied access to the device.',
  DEVICE_NOT_FOUND: 'No such device.',
  DEVICE_IN_USE: 'Another application holds the device.',
  CONSTRAINTS_NOT_SATISFIED: 'The device cannot satisfy the requested constraints.',
  DEVICE_ABORTED: 'The device request was aborted.',
  MEDIA_FAILED: 'The device failed.',
  UNSUPPORTED_FEATURE: 'The browser lacks a feature this step needs (e.g. output selection).',
  UNSUPPORTED_BROWSER: 'The browser has no media devices.',
  LOW_RESOLUTION: 'The camera delivers less than the recommended resolution.',
  LOW_FRAME_RATE: 'The camera delivers fewer frames per second than recommended.',
  SILENT: 'The microphone picked up no sound for a few seconds.',
  NO_LEVEL_METER: 'The microphone works but its level cannot be measured here (no AudioContext).',
  TONE_NOT_HEARD: 'The client did not hear the test tone.',
  // location and licensure
  COUNTRY_MISSING: 'The location has no country: the licensure check cannot pass.',
  REGION_MISSING: 'The therapist is licensed in subdivisions of this country only: the region is needed.',
  OTHER_REGION: 'The location is in a region of a listed country the therapist is not licensed in.',
  OTHER_COUNTRY: 'The location is in a country the therapist is not licensed in.',
  // environment
  NOT_PRIVATE_SPACE: 'The client is not in a private space.',
  NOT_PRIVATE_NETWORK: 'The client is not on a private network.',
  // consent
  CONSENT_HASH_MISMATCH: 'The consent text does not match its SHA-256: it cannot be acknowledged.',
  CONSENT_DECLINED: 'The client declined the consent document.',
  NO_CONSENT_DOCUMENT: 'The policy asks for consent but names no document.',
  // network
  NETWORK_FAIR: 'The network test result is fair.',
  NETWORK_POOR: 'The network test result is poor: audio only is recommended.',
  NETWORK_TEST_FAILED: 'The network test could not send media through the server and back.',
  NETWORK_TEST_TIMEOUT: 'The network test measured nothing within its time bound.',
} as const;
/** A reason code of a step. */
export type CheckReason = keyof typeof CHECK_REASONS;

// --- Answers --------------------------------------------------------------------------------------

/**
 * Length limits of free-text answers, in UTF-16 code units (`String#length`). Longer input is
 * refused at the step with `ANSWER_TOO_LONG` (never truncated); they keep the sealed summary within
 * `CHECKLIST_LIMITS.maxSealedBytes`.
 */
export const ANSWER_LIMITS = {
  locality: 80,
  street: 120,
  postalCode: 16,
  contactName: 64,
  /** A phone number as typed (digits, spaces, `+ - . ( )`). */
  phone: 32,
  /** Free-text note on the fallback plan. */
  planNote: 160,
} as const;

/** A structured address as the client enters it. */
export interface AddressInput {
  /** ISO 3166-1 alpha-2 (`US`, `de`); case-insensitive. */
  readonly country: string;
  /** ISO 3166-2 subdivision: `US-TN` or just `TN` (the country is prefixed). Optional. */
  readonly region?: string | undefined;
  /** City or town. */
  readonly locality: string;
  /** Street and number (one line). */
  readonly street: string;
  readonly postalCode?: string | undefined;
}

/** A validated, normalised address (upper-case codes, trimmed text). */
export interface LocationAnswer {
  readonly country: string;
  /** Full ISO 3166-2 code, e.g. `US-TN`. */
  readonly region?: string;
  readonly locality: string;
  readonly street: string;
  readonly postalCode?: string;
}

/** A phone number as entered and its E.164 normalisation (show `e164` for the client to confirm). */
export interface PhoneNumber {
  /** Exactly what the client typed. */
  readonly entered: string;
  /** `+` and 8–15 digits. */
  readonly e164: string;
}

/** What happens when the video fails: the therapist calls the callback number, or the client rejoins. */
export const FALLBACK_PLANS = ['therapist-calls', 'client-rejoins'] as const;
/** A fallback plan. */
export type FallbackPlanKind = (typeof FALLBACK_PLANS)[number];

/** The emergency-plan answers as entered. */
export interface EmergencyPlanInput {
  readonly contactName: string;
  readonly contactPhone: string;
  /** The number the therapist calls if the video fails. */
  readonly callbackPhone: string;
  readonly plan: FallbackPlanKind;
  /** Optional note on the plan (at most {@link ANSWER_LIMITS}.planNote). */
  readonly note?: string | undefined;
  /** Required (true) when the policy has a cancellation and no-show policy text. */
  readonly cancellationPolicyAcknowledged?: boolean | undefined;
}

/** The validated emergency plan. */
export interface EmergencyPlanAnswer {
  readonly contactName: string;
  readonly contactPhone: PhoneNumber;
  readonly callbackPhone: PhoneNumber;
  readonly plan: FallbackPlanKind;
  readonly note?: string;
  /** Present when the policy has a cancellation policy: always true then (it must be acknowledged). */
  readonly cancellationPolicyAcknowledged?: boolean;
}

/** Device kinds the client may name. */
export const DEVICE_TYPES = ['computer', 'tablet', 'phone'] as const;
/** A device kind. */
export type DeviceType = (typeof DEVICE_TYPES)[number];
/** Connection kinds the client may name (or the Network Information API reports). */
export const CONNECTION_TYPES = ['wifi', 'ethernet', 'cellular', 'other'] as const;
/** A connection kind. */
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

/** Environment answers (any subset; the step passes once all four are known). */
export interface EnvironmentInput {
  /** The client attests being in a private space where they cannot be overheard. */
  readonly privateSpace?: boolean | undefined;
  /** The client attests being on a private network (not public Wi-Fi). */
  readonly privateNetwork?: boolean | undefined;
  readonly deviceType?: DeviceType | undefined;
  readonly connectionType?: ConnectionType | undefined;
}

/** The environment step's answers and where they came from. */
export interface EnvironmentAnswer {
  readonly privateSpace?: boolean;
  readonly privateNetwork?: boolean;
  readonly deviceType?: DeviceType;
  readonly connectionType?: ConnectionType;
  /** `detected`: from the Network Information API; `asked`: the client said so. */
  readonly connectionTypeSource?: 'detected' | 'asked';
}

// --- Options, binding, results -------------------------------------------------------------------

/** Signs the consent receipt with the client's device identity key (Ed25519). */
export interface ChecklistSigner {
  /** Ed25519 public key, base64 (32 bytes). */
  readonly identityKey: string;
  /**
   * Ed25519 detached signature (64 bytes) of `message`; may answer with a promise (the session's
   * signer does: WebCrypto signs with the non-extractable identity key asynchronously).
   */
  sign(message: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** Sends one signalling request (the session's connection); `signal` cancels waiting for the answer. */
export type ChecklistRequester = <M extends RequestMethod>(
  method: M,
  data: RequestData<M>,
  signal?: AbortSignal,
) => Promise<ResponseData<M>>;

/** What the session hands the checklist once joined (or waiting): ids, policy, signer and senders. */
export interface ChecklistBinding {
  readonly sessionId: string;
  readonly participantId: string;
  readonly policy: ChecklistPolicyInfo;
  readonly signer: ChecklistSigner;
  /** Sends `checklist.submit`. */
  submit(data: RequestData<'checklist.submit'>): Promise<ResponseData<'checklist.submit'>>;
  /** Seals the summary to the hosts (the session's sealed checklist channel). */
  seal(summary: SealedSummary): void;
  /** For the network test (`network.test*`). */
  readonly request: ChecklistRequester;
}

/** Microphone step options. */
export interface MicrophoneCheckOptions {
  /** Silence for this long makes the step `warning`, ms. Default 4 000. */
  readonly silenceWarningMs?: number;
  /** A level at or above this (0..1) counts as sound. Default 0.3 (≈ −42 dBFS). */
  readonly soundThreshold?: number;
  /** Level events per second. Default 10. */
  readonly levelsPerSecond?: number;
}

/** Camera step options. */
export interface CameraCheckOptions {
  /** How long frames are counted after the camera opens, ms. Default 1 500. */
  readonly measureMs?: number;
}

/** Speaker step options. */
export interface SpeakerCheckOptions {
  /** Length of the test tone, ms. Default 2 000. */
  readonly toneMs?: number;
  /** Frequency of the test tone, Hz. Default 440. */
  readonly frequencyHz?: number;
}

/** Options of a {@link Checklist}. */
export interface ChecklistOptions {
  /** The session policy's checklist. Default {@link DEFAULT_CHECKLIST_POLICY} (all built-in steps but consent). */
  readonly policy?: ChecklistPolicyInfo;
  /** Browser APIs. Default `createBrowserPlatform()`. */
  readonly platform?: Platform;
  /**
   * Remember the location and emergency contacts on this device to prefill the next session
   * (only where the policy's `prefillLocation` allows it too). Default false.
   */
  readonly rememberAnswers?: boolean;
  /** Remember consent per document version and hash where the document allows it. Default true. */
  readonly rememberConsent?: boolean;
  /** Scope of the in-progress state kept in `sessionStorage` (e.g. the appointment id). Default `default`. */
  readonly storageKey?: string;
  /** In-progress state older than this is not resumed, ms. Default 4 hours. */
  readonly resumeMaxAgeMs?: number;
  /** Step changes within this long are submitted together, ms. Default 300. */
  readonly submitDebounceMs?: number;
  /** Whether a browser without encoded transforms fails (true, default) or only warns. */
  readonly requireE2ee?: boolean;
  readonly camera?: CameraCheckOptions;
  readonly microphone?: MicrophoneCheckOptions;
  readonly speaker?: SpeakerCheckOptions;
  /** Network test bound, ms (at most `NETWORK_TEST_LIMITS.maxDurationMs`). Default 10 000. */
  readonly networkTestMaxMs?: number;
}

/** The devices chosen in the checklist: the session uses the same ones (and may reuse the camera stream). */
export interface ChecklistDevices {
  readonly cameraId?: string;
  readonly microphoneId?: string;
  readonly speakerId?: string;
  /** The live camera preview, while the camera step holds it. */
  readonly cameraStream?: MediaStream;
}

/** A step as the app (and the serialisable result) sees it. JSON-safe. */
export interface StepResult {
  readonly id: string;
  readonly status: StepStatus;
  readonly required: boolean;
  readonly allowWarning: boolean;
  /** Whether the step counts as done for completion: passed, skipped, warning where allowed; optional steps always. */
  readonly satisfied: boolean;
  readonly reason?: CheckReason;
  /** The error code of a failure (e.g. `PERMISSION_DENIED`). */
  readonly errorCode?: string;
  /** The step's answers or measurements (JSON-safe; contains what the client entered). */
  readonly details?: unknown;
}

/** Progress of the checklist. */
export interface ChecklistProgress {
  /** Steps with a final status (passed, warning, failed, skipped). */
  readonly done: number;
  readonly total: number;
  /** Required steps that are satisfied. */
  readonly requiredDone: number;
  readonly requiredTotal: number;
  /** All required steps satisfied. */
  readonly complete: boolean;
}

/** The licensure outcome and the client's jurisdiction. */
export interface LicensureResult {
  readonly outcome: LicensureOutcome;
  /** ISO 3166-2 subdivision when known, else the country. */
  readonly jurisdiction?: string;
  /** Why the outcome is not `pass`. */
  readonly reason?: Extract<CheckReason, 'COUNTRY_MISSING' | 'REGION_MISSING' | 'OTHER_REGION' | 'OTHER_COUNTRY'>;
}

/** The serialisable result of a checklist (`JSON.stringify`-safe). Contains what the client entered. */
export interface ChecklistResult {
  readonly version: 1;
  readonly state: ChecklistState;
  readonly complete: boolean;
  readonly steps: readonly StepResult[];
  readonly progress: ChecklistProgress;
  readonly licensure?: LicensureResult;
  readonly network?: NetworkTestResult;
  readonly devices: Omit<ChecklistDevices, 'cameraStream'>;
  /** Unix ms. */
  readonly at: number;
}

// --- Checklist state machine ----------------------------------------------------------------------

/** States of a checklist run. */
export const CHECKLIST_STATES = ['idle', 'inProgress', 'complete', 'closed'] as const;
/** A checklist state. */
export type ChecklistState = (typeof CHECKLIST_STATES)[number];
/** Legal moves of a checklist run; `closed` is final. */
export const CHECKLIST_TRANSITIONS: Readonly<Record<ChecklistState, readonly ChecklistState[]>> = {
  idle: ['inProgress', 'complete', 'closed'],
  inProgress: ['idle', 'complete', 'closed'],
  complete: ['idle', 'inProgress', 'closed'],
  closed: [],
};
/** Why a checklist state changed. */
export type ChecklistStateReason = 'step' | 'policy' | 'restored' | 'reset' | 'closed';
/** Payload of the checklist's `stateChanged`. */
export interface ChecklistStateChange {
  readonly from: ChecklistState;
  readonly to: ChecklistState;
  readonly reason: ChecklistStateReason;
}

/**
 * The policy used when none is given (before `join()`): every built-in step except consent (there is
 * no document to acknowledge), all required; device, network and environment steps accept `warning`;
 * licensure off.
 */
export const DEFAULT_CHECKLIST_POLICY: ChecklistPolicyInfo = {
  steps: [
    { id: 'location', required: true, allowWarning: false },
    { id: 'emergency-plan', required: true, allowWarning: false },
    { id: 'environment', required: true, allowWarning: true },
    { id: 'browser', required: true, allowWarning: true },
    { id: 'camera', required: true, allowWarning: true },
    { id: 'microphone', required: true, allowWarning: true },
    { id: 'speaker', required: true, allowWarning: true },
    { id: 'network', required: true, allowWarning: true },
  ],
  requiredBeforeAdmission: false,
  jurisdictions: [],
  licensure: 'off',
  shareJurisdiction: false,
  prefillLocation: true,
};
