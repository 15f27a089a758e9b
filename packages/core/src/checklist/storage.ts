import type { KeyValueStorage } from '../platform/platform.js';
import type { PersistedStep } from './checks/base.js';
import { STEP_STATUSES, type StepStatus } from './types.js';

/**
 * Keys Alcove writes. In-progress state goes to the tab's `sessionStorage` (survives a reload in the
 * same tab); what is remembered across sessions goes to `persistentStorage` (`localStorage`).
 */
export const STORAGE_KEYS = {
  /** In-progress checklist of one scope (`storageKey` option), in `sessionStorage`. */
  progress: (scope: string): string => `alcove.checklist.progress.${scope}`,
  /** Remembered answers and consents, in `persistentStorage`. */
  remembered: 'alcove.checklist.remembered',
} as const;

/** The in-progress state kept per tab. */
export interface PersistedProgress {
  readonly v: 1;
  /** Unix ms of the last save. */
  readonly savedAt: number;
  /** The session it was bound to, once bound (a different session starts afresh). */
  readonly sessionId?: string;
  readonly steps: Readonly<Record<string, PersistedStep>>;
  readonly devices: { readonly cameraId?: string; readonly microphoneId?: string; readonly speakerId?: string };
}

/** A consent acknowledgement remembered on the device. */
export interface RememberedConsent {
  readonly version: string;
  readonly sha256: string;
  /** Unix ms of the acknowledgement. */
  readonly at: number;
}

/** What is remembered across sessions on this device. */
export interface RememberedAnswers {
  /** The last location input (prefill only). */
  readonly location?: unknown;
  /** The last emergency contact and callback number as entered (prefill only). */
  readonly contacts?: unknown;
  readonly consents?: readonly RememberedConsent[];
}

/** Consents remembered at most (oldest dropped). */
const MAX_CONSENTS = 8;

function parse(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const optString = (x: unknown): x is string | undefined => x === undefined || (typeof x === 'string' && x.length <= 512);

/**
 * Remembered answers in device storage. Storage is untrusted input: every read is validated and a
 * malformed entry reads as nothing. Writes do nothing where there is no storage.
 */
export class RememberedStore {
  readonly #storage: KeyValueStorage | undefined;

  constructor(storage: KeyValueStorage | undefined) {
    this.#storage = storage;
  }

  /** Whether anything can be remembered here. */
  get available(): boolean {
    return this.#storage !== undefined;
  }

  read(): RememberedAnswers {
    const raw = parse(this.#storage?.get(STORAGE_KEYS.remembered) ?? null);
    if (!isRecord(raw)) return {};
    const consents = Array.isArray(raw.consents)
      ? raw.consents.filter(
          (c): c is RememberedConsent =>
            isRecord(c) &&
            typeof c.version === 'string' &&
            typeof c.sha256 === 'string' &&
            typeof c.at === 'number' &&
            Number.isFinite(c.at),
        )
      : [];
    return {
      ...(raw.location !== undefined ? { location: raw.location } : {}),
      ...(raw.contacts !== undefined ? { contacts: raw.contacts } : {}),
      consents: consents.slice(-MAX_CONSENTS),
    };
  }

  #write(next: RememberedAnswers): void {
    if (!this.#storage) return;
    if (next.location === undefined && next.contacts === undefined && !next.consents?.length) this.#storage.remove(STORAGE_KEYS.remembered);
    else this.#storage.set(STORAGE_KEYS.remembered, JSON.stringify(next));
  }

  /** Remembers (or with `undefined` forgets) the last location input. */
  setLocation(location: unknown): void {
    const { location: _old, ...rest } = this.read();
    this.#write(location === undefined ? rest : { ...rest, location });
  }

  /** Remembers (or forgets) the last contacts input. */
  setContacts(contacts: unknown): void {
    const { contacts: _old, ...rest } = this.read();
    this.#write(contacts === undefined ? rest : { ...rest, contacts });
  }

  /** The remembered acknowledgement of exactly this version and hash. */
  consent(version: string, sha256: string): RememberedConsent | undefined {
    return this.read().consents?.find((c) => c.version === version && c.sha256 === sha256);
  }

  addConsent(consent: RememberedConsent): void {
    const cur = this.read();
    const others = (cur.consents ?? []).filter((c) => !(c.version === consent.version && c.sha256 === consent.sha256));
    this.#write({ ...cur, consents: [...others, consent].slice(-MAX_CONSENTS) });
  }

  removeConsent(version: string, sha256: string): void {
    const cur = this.read();
    this.#write({ ...cur, consents: (cur.consents ?? []).filter((c) => !(c.version === version && c.sha256 === sha256)) });
  }

  /** Forgets everything remembered on this device. */
  clear(): void {
    this.#storage?.remove(STORAGE_KEYS.remembered);
  }
}

/** The in-progress checklist in the tab's storage. Reads are validated; stale entries are dropped. */
export class ProgressStore {
  readonly #storage: KeyValueStorage | undefined;
  readonly #key: string;

  constructor(storage: KeyValueStorage | undefined, scope: string) {
    this.#storage = storage;
    this.#key = STORAGE_KEYS.progress(scope);
  }

  /** The saved progress if present, well-formed and younger than `maxAgeMs`. */
  load(now: number, maxAgeMs: number): PersistedProgress | undefined {
    const raw = parse(this.#storage?.get(this.#key) ?? null);
    if (!isRecord(raw) || raw.v !== 1 || typeof raw.savedAt !== 'number' || !isRecord(raw.steps) || !isRecord(raw.devices))
      return undefined;
    if (!(now - raw.savedAt <= maxAgeMs && raw.savedAt <= now + 60_000)) {
      this.clear();
      return undefined;
    }
    if (!optString(raw.sessionId)) return undefined;
    const steps: Record<string, PersistedStep> = {};
    for (const [id, s] of Object.entries(raw.steps)) {
      if (!isRecord(s) || !(STEP_STATUSES as readonly string[]).includes(s.status as string)) continue;
      // A step saved mid-run resumes idle (its answers, if any, are replayed through validation).
      const status: StepStatus = s.status === 'running' ? 'idle' : (s.status as StepStatus);
      steps[id] = {
        status,
        ...(typeof s.reason === 'string' ? { reason: s.reason as NonNullable<PersistedStep['reason']> } : {}),
        ...(typeof s.errorCode === 'string' ? { errorCode: s.errorCode } : {}),
        ...(s.state !== undefined ? { state: s.state } : {}),
      };
    }
    const d = raw.devices;
    const devices = {
      ...(typeof d.cameraId === 'string' ? { cameraId: d.cameraId } : {}),
      ...(typeof d.microphoneId === 'string' ? { microphoneId: d.microphoneId } : {}),
      ...(typeof d.speakerId === 'string' ? { speakerId: d.speakerId } : {}),
    };
    return { v: 1, savedAt: raw.savedAt, ...(raw.sessionId ? { sessionId: raw.sessionId } : {}), steps, devices };
  }

  save(progress: PersistedProgress): void {
    this.#storage?.set(this.#key, JSON.stringify(progress));
  }

  clear(): void {
    this.#storage?.remove(this.#key);
  }
}
