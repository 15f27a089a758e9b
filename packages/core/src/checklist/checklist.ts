import {
  type BuiltInStepId,
  type ChecklistPolicyInfo,
  type ConsentReceipt,
  type RequestData,
  type ResponseData,
  isChecklistStepId,
} from '@alcove/protocol';
import { createBrowserPlatform } from '../platform/browser-platform.js';
import { createLogger } from '../platform/logger.js';
import type { Platform } from '../platform/platform.js';
import { SwallowedErrors } from '../platform/swallowed-errors.js';
import { AlcoveError } from '../session/errors.js';
import { GuardedEmitter } from '../session/guarded-emitter.js';
import type { BaseCheck, CheckContext, PersistedStep, ResolvedChecklistOptions } from './checks/base.js';
import type { BrowserCheck } from './checks/browser.js';
import type { CameraCheck } from './checks/camera.js';
import type { ConsentCheck } from './checks/consent.js';
import { CustomCheck } from './checks/custom.js';
import type { EmergencyPlanCheck } from './checks/emergency-plan.js';
import type { EnvironmentCheck } from './checks/environment.js';
import type { LocationCheck } from './checks/location.js';
import type { MicrophoneCheck } from './checks/microphone.js';
import type { NetworkCheck } from './checks/network.js';
import type { SpeakerCheck } from './checks/speaker.js';
import { ChecklistError } from './errors.js';
import type { ChecklistEvents } from './events.js';
import { type AnyCheck, type CheckById, DEVICE_STEPS, assertPolicy, createCheck, resolveOptions } from './registry.js';
import { ProgressStore, RememberedStore } from './storage.js';
import { Submitter } from './submitter.js';
import { buildSubmission, buildSummary } from './submission.js';
import { type SealedSummary, encodeSummary } from './summary.js';
import {
  CHECKLIST_TRANSITIONS,
  type ChecklistBinding,
  type ChecklistDevices,
  type ChecklistOptions,
  type ChecklistProgress,
  type ChecklistResult,
  type ChecklistState,
  type ChecklistStateReason,
  DEFAULT_CHECKLIST_POLICY,
  type LicensureResult,
} from './types.js';

export type { AnyCheck, CheckById } from './registry.js';

/**
 * The pre-session checklist, driven by the session policy: which steps, which are required, custom
 * steps with their own text. Works before `join()` (device checks, answers kept locally) and while
 * waiting; once the session {@link bind}s it, every change is submitted (`checklist.submit`: statuses,
 * the signed consent receipt, the licensure outcome) and the answers are handed to the session to
 * seal to the hosts. Resumes after a reload in the same tab (what the client typed is kept in the
 * tab's `sessionStorage` only until the session ends: see {@link Checklist.forgetProgress}); typed
 * events; a serialisable result.
 * @example
 * const checklist = new Checklist({ policy, rememberAnswers: true });
 * checklist.on('progress', ({ requiredDone, requiredTotal }) => bar.update(requiredDone / requiredTotal));
 * await checklist.start();                    // browser capability, connection type
 * checklist.location?.setAddress(form);       // throws ChecklistError with `field` on bad input
 * await checklist.camera?.run();
 * // later the session binds it (lead's code): checklist.bind({ sessionId, participantId, policy, signer, submit, seal, request })
 */
export class Checklist extends GuardedEmitter<ChecklistEvents> {
  readonly #platform: Platform;
  readonly #options: ResolvedChecklistOptions;
  readonly #remembered: RememberedStore;
  readonly #progress: ProgressStore;
  readonly #submitter: Submitter<ResponseData<'checklist.submit'>>;
  readonly #ctx: CheckContext;
  readonly #swallowed: SwallowedErrors;
  #policy: ChecklistPolicyInfo;
  #steps: AnyCheck[] = [];
  #state: ChecklistState = 'idle';
  #binding: ChecklistBinding | undefined;
  #sessionId: string | undefined;
  #deviceIds: { cameraId?: string; microphoneId?: string; speakerId?: string } = {};
  #quiet = 0;
  #lastSealed: string | undefined;
  #lastSubmitted: string | undefined;
  #lastResult: ResponseData<'checklist.submit'> | undefined;
  #receipt: { key: string; receipt: ConsentReceipt } | undefined;
  /** Whether the in-progress state is kept in the tab's storage (off once the session ended, until bound again). */
  #keepProgress = true;

  constructor(options: ChecklistOptions = {}) {
    super();
    this.#platform = options.platform ?? createBrowserPlatform();
    this.#swallowed = new SwallowedErrors(this.#platform.logger ?? createLogger());
    this.#options = resolveOptions(options);
    if (options.policy !== undefined) assertPolicy(options.policy);
    this.#policy = options.policy ?? DEFAULT_CHECKLIST_POLICY;
    this.#remembered = new RememberedStore(this.#platform.persistentStorage);
    this.#progress = new ProgressStore(this.#platform.sessionStorage, this.#options.storageKey);
    this.#submitter = new Submitter(this.#platform, this.#options.submitDebounceMs, {
      send: () => this.#send(),
      onSent: (r) => this.emit('submitted', r),
      onError: (e) => this.emit('error', e),
    });
    this.#ctx = {
      platform: this.#platform,
      options: this.#options,
      now: () => this.#now(),
      policy: () => this.#policy,
      binding: () => this.#binding,
      countryHint: () => this.location?.address?.country,
      remembered: this.#remembered,
      changed: (step) => this.#stepChanged(step),
      swallowed: (site, error) => this.#swallowed.record(site, error),
    };
    this.#quietly(() => {
      this.#rebuild(this.#policy);
      this.#restore();
    });
    this.#updateState('restored');
  }

  // --- reading --------------------------------------------------------------------------------------

  /** `idle`, `inProgress`, `complete` or `closed`. */
  get state(): ChecklistState {
    return this.#state;
  }
  /** The policy the steps follow. */
  get policy(): ChecklistPolicyInfo {
    return this.#policy;
  }
  /** The steps, in policy order. */
  get steps(): readonly AnyCheck[] {
    return this.#steps;
  }
  /**
   * Errors the steps caught on purpose (the network test's best-effort requests and closes), counted
   * by site and logged at debug through `Platform.logger`; a bound session adds them to its own
   * `diagnostics.swallowedErrors`.
   */
  get diagnostics(): { readonly swallowedErrors: Record<string, number> } {
    return { swallowedErrors: this.#swallowed.snapshot() };
  }
  /** Whether a session is bound. */
  get bound(): boolean {
    return this.#binding !== undefined;
  }
  /** All required steps satisfied. */
  get complete(): boolean {
    return this.#steps.every((s) => s.satisfied);
  }
  /** The first step to work on: the first without a final status, else the first required one not satisfied. */
  get current(): AnyCheck | undefined {
    return this.#steps.find((s) => !s.done) ?? this.#steps.find((s) => !s.satisfied);
  }
  get progress(): ChecklistProgress {
    const required = this.#steps.filter((s) => s.required);
    return {
      done: this.#steps.filter((s) => s.done).length,
      total: this.#steps.length,
      requiredDone: required.filter((s) => s.satisfied).length,
      requiredTotal: required.length,
      complete: this.complete,
    };
  }
  /** The licensure result of the location step (absent when off or not answered). */
  get licensure(): LicensureResult | undefined {
    return this.location?.licensure;
  }
  /** The devices chosen here; the session uses the same ones (and may take the camera stream). */
  get devices(): ChecklistDevices {
    const cameraId = this.camera?.deviceId ?? this.#deviceIds.cameraId;
    const microphoneId = this.microphone?.deviceId ?? this.#deviceIds.microphoneId;
    const speakerId = this.speaker?.speakerId ?? this.#deviceIds.speakerId;
    const cameraStream = this.camera?.stream;
    return {
      ...(cameraId ? { cameraId } : {}),
      ...(microphoneId ? { microphoneId } : {}),
      ...(speakerId ? { speakerId } : {}),
      ...(cameraStream ? { cameraStream } : {}),
    };
  }

  /** A step by id. */
  step<K extends BuiltInStepId>(id: K): CheckById[K] | undefined;
  step(id: string): AnyCheck | undefined;
  step(id: string): AnyCheck | undefined {
    return this.#steps.find((s) => s.id === id);
  }
  /**
   * A step by id, or throw.
   * @throws {ChecklistError} `STEP_NOT_FOUND`.
   */
  require<K extends BuiltInStepId>(id: K): CheckById[K];
  require(id: string): AnyCheck;
  require(id: string): AnyCheck {
    const s = this.step(id);
    if (!s) throw new ChecklistError('STEP_NOT_FOUND', 'the policy has no such step', { stepId: id });
    return s;
  }

  /** A custom step (`custom-…`) by id. */
  custom(id: string): CustomCheck | undefined {
    const s = this.step(id);
    return s instanceof CustomCheck ? s : undefined;
  }
  /** The custom steps, in policy order. */
  get customSteps(): readonly CustomCheck[] {
    return this.#steps.filter((s): s is CustomCheck => s instanceof CustomCheck);
  }

  /** The consent step, when the policy has one. */
  get consent(): ConsentCheck | undefined {
    return this.step('consent');
  }
  /** The location and licensure step, when the policy has one. */
  get location(): LocationCheck | undefined {
    return this.step('location');
  }
  /** The emergency-plan step, when the policy has one. */
  get emergencyPlan(): EmergencyPlanCheck | undefined {
    return this.step('emergency-plan');
  }
  /** The private space / network, device and connection type step, when the policy has one. */
  get environment(): EnvironmentCheck | undefined {
    return this.step('environment');
  }
  /** The browser capability step, when the policy has one. */
  get browser(): BrowserCheck | undefined {
    return this.step('browser');
  }
  /** The camera step, when the policy has one. */
  get camera(): CameraCheck | undefined {
    return this.step('camera');
  }
  /** The microphone step, when the policy has one. */
  get microphone(): MicrophoneCheck | undefined {
    return this.step('microphone');
  }
  /** The speaker step, when the policy has one. */
  get speaker(): SpeakerCheck | undefined {
    return this.step('speaker');
  }
  /** The network test step, when the policy has one. */
  get network(): NetworkCheck | undefined {
    return this.step('network');
  }

  // --- running --------------------------------------------------------------------------------------

  /** Runs what needs no input: the browser capability check, and the connection type where detectable. */
  async start(signal?: AbortSignal): Promise<void> {
    this.#assertOpen();
    this.environment?.detect();
    const browser = this.browser;
    if (browser && !browser.busy) await browser.run(signal);
  }

  /**
   * Binds the checklist to the session (waiting or admitted). A different policy rebuilds the step
   * list, keeping the answers of steps that still exist; a different session than the one resumed
   * clears this session's answers (device results stay). From now on every change is submitted and
   * the summary handed to `binding.seal`.
   * @throws {AlcoveError} `INVALID_ARGUMENT` for an incomplete binding; {@link ChecklistError} `CHECKLIST_CLOSED`.
   */
  bind(binding: ChecklistBinding): void {
    this.#assertOpen();
    const b = binding as Partial<ChecklistBinding> | undefined;
    if (
      !b ||
      typeof b.sessionId !== 'string' ||
      typeof b.participantId !== 'string' ||
      !b.policy ||
      !b.signer ||
      typeof b.signer.sign !== 'function' ||
      typeof b.submit !== 'function' ||
      typeof b.seal !== 'function' ||
      typeof b.request !== 'function'
    ) {
      throw new AlcoveError('INVALID_ARGUMENT', 'bind() needs sessionId, participantId, policy, signer, submit, seal and request');
    }
    assertPolicy(binding.policy);
    const otherSession = this.#sessionId !== undefined && this.#sessionId !== binding.sessionId;
    this.#binding = binding;
    this.#sessionId = binding.sessionId;
    this.#keepProgress = true;
    this.#lastSealed = undefined;
    this.#lastSubmitted = undefined;
    this.#receipt = undefined;
    this.#quietly(() => {
      if (otherSession) for (const s of this.#steps) if (!DEVICE_STEPS.has(s.id)) s.reset();
      if (JSON.stringify(binding.policy) !== JSON.stringify(this.#policy)) this.#rebuild(binding.policy);
    });
    this.#submitter.resume();
    this.#announce('policy', false);
    this.#submitter.schedule(0);
  }

  /** Stops submitting (the session left). Answers stay. */
  unbind(): void {
    this.#binding = undefined;
    this.#submitter.cancel();
  }

  /**
   * Submits and seals now instead of after the debounce (e.g. after a reconnect).
   * @returns The server's answer, or `undefined` when not bound or the submission failed (retried).
   */
  flush(): Promise<ResponseData<'checklist.submit'> | undefined> {
    if (!this.#binding) return Promise.resolve(undefined);
    return this.#submitter.flush();
  }

  /** The last answer of the server to a submission. */
  get admission(): ResponseData<'checklist.submit'> | undefined {
    return this.#lastResult;
  }

  /** Hands the camera's live stream to the caller (the session); the checklist no longer stops it. */
  takeCameraStream(): MediaStream | undefined {
    return this.camera?.takeStream();
  }

  /** Resets every step and forgets the in-progress state of this tab (remembered answers stay). */
  reset(): void {
    this.#assertOpen();
    this.#quietly(() => {
      for (const s of this.#steps) s.reset();
    });
    this.#progress.clear();
    this.#announce('reset');
  }

  /** Forgets everything remembered on this device (prefill, consents) and the in-progress state. */
  forgetDevice(): void {
    this.#remembered.clear();
    this.#progress.clear();
  }

  /**
   * The session is over (left, ended by the host, removed, denied, quick exit): removes what the
   * client typed from the tab's storage and keeps nothing there until the checklist is bound to a
   * session again. The answers stay in memory (a page may offer to join again); what
   * `rememberAnswers` keeps on the device is not touched (see {@link Checklist.forgetDevice}). A `Session`
   * calls this when it ends; `close()` does it too. Idempotent.
   * @example
   * session.on('ended', () => checklist.forgetProgress());
   */
  forgetProgress(): void {
    this.#keepProgress = false;
    this.#progress.clear();
  }

  /**
   * Releases devices and timers and removes the in-progress state from the tab's storage (a reload
   * never runs `close()`, so it still resumes). Call it when the checklist is done with for good.
   * Idempotent.
   */
  close(): void {
    if (this.#state === 'closed') return;
    this.#submitter.cancel();
    this.#binding = undefined;
    this.#quietly(() => {
      for (const s of this.#steps) s.close();
    });
    this.forgetProgress();
    this.#move('closed', 'closed');
    this.removeAllListeners();
  }

  // --- results --------------------------------------------------------------------------------------

  /** The serialisable result (JSON-safe; contains what the client entered — keep it on the device). */
  result(): ChecklistResult {
    const { cameraStream: _stream, ...devices } = this.devices;
    const licensure = this.licensure;
    const network = this.network?.result;
    return {
      version: 1,
      state: this.#state,
      complete: this.complete,
      steps: this.#steps.map((s) => s.snapshot()),
      progress: this.progress,
      ...(licensure ? { licensure } : {}),
      ...(network ? { network } : {}),
      devices,
      at: Math.floor(this.#now()),
    };
  }

  toJSON(): ChecklistResult {
    return this.result();
  }

  /** What the hosts see, sealed (see {@link SealedSummary}). */
  summary(): SealedSummary {
    return buildSummary(this, Math.floor(this.#now()));
  }

  /**
   * The `checklist.submit` data for `binding` (the consent receipt signed with its ids, cached).
   * Asynchronous: the device key may sign through WebCrypto.
   */
  async submission(binding: Pick<ChecklistBinding, 'sessionId' | 'participantId' | 'signer'>): Promise<RequestData<'checklist.submit'>> {
    const d = this.consent?.acknowledged ? this.consent.details : undefined;
    const key = d
      ? [binding.sessionId, binding.participantId, binding.signer.identityKey, d.version, d.sha256, d.acknowledgedAt].join('\n')
      : undefined;
    const cached = key !== undefined && this.#receipt?.key === key ? this.#receipt.receipt : undefined;
    const data = await buildSubmission(this, binding, cached);
    if (key !== undefined && data.consent) this.#receipt = { key, receipt: data.consent };
    return data;
  }

  // --- internals ------------------------------------------------------------------------------------

  #now(): number {
    return this.#platform.wallClock?.() ?? Date.now();
  }

  #assertOpen(): void {
    if (this.#state === 'closed') throw new ChecklistError('CHECKLIST_CLOSED', 'the checklist was closed');
  }

  /** Runs `fn` without per-step announcements (rebuild, restore, reset). */
  #quietly(fn: () => void): void {
    this.#quiet++;
    try {
      fn();
    } finally {
      this.#quiet--;
    }
  }

  #rebuild(policy: ChecklistPolicyInfo): void {
    this.#policy = policy;
    const old = new Map<string, AnyCheck>(this.#steps.map((s) => [s.id, s]));
    const next: AnyCheck[] = [];
    for (const def of policy.steps) {
      if (!isChecklistStepId(def.id) || next.some((s) => s.id === def.id)) continue;
      const existing = old.get(def.id);
      if (existing) {
        old.delete(def.id);
        existing.applyDef(def);
        next.push(existing);
      } else {
        next.push(createCheck(def, this.#ctx));
      }
    }
    for (const removed of old.values()) removed.close();
    this.#steps = next;
  }

  #restore(): void {
    const saved = this.#progress.load(this.#now(), this.#options.resumeMaxAgeMs);
    if (!saved) return;
    this.#sessionId = saved.sessionId;
    this.#deviceIds = { ...saved.devices };
    this.camera?.setDeviceId(saved.devices.cameraId);
    this.microphone?.setDeviceId(saved.devices.microphoneId);
    this.speaker?.setSpeakerId(saved.devices.speakerId);
    for (const s of this.#steps) {
      const p: PersistedStep | undefined = saved.steps[s.id];
      if (!p) continue;
      try {
        s.restore(p);
      } catch {
        // storage is not trusted: a step that cannot restore starts afresh
      }
    }
  }

  #stepChanged(step: BaseCheck): void {
    if (this.#quiet > 0 || this.#state === 'closed') return;
    this.#persist();
    this.emit('stepChanged', step.snapshot());
    this.emit('progress', this.progress);
    this.#updateState('step');
    if (this.#binding) this.#submitter.schedule();
  }

  /** After a quiet batch: save, tell listeners once, submit. */
  #announce(reason: ChecklistStateReason, submit = true): void {
    this.#persist();
    this.emit('stepsChanged', this.#steps);
    this.emit('progress', this.progress);
    this.#updateState(reason);
    if (submit && this.#binding) this.#submitter.schedule();
  }

  #persist(): void {
    const { cameraStream: _s, ...devices } = this.devices;
    this.#deviceIds = devices;
    if (!this.#keepProgress) return;
    const steps: Record<string, PersistedStep> = {};
    for (const s of this.#steps) {
      const p = s.persist();
      if (p) steps[s.id] = p;
    }
    this.#progress.save({
      v: 1,
      savedAt: Math.floor(this.#now()),
      ...(this.#sessionId ? { sessionId: this.#sessionId } : {}),
      steps,
      devices,
    });
  }

  #updateState(reason: ChecklistStateReason): void {
    if (this.#state === 'closed') return;
    const touched = this.#steps.some((s) => s.status !== 'idle' || s.details !== undefined);
    this.#move(this.complete && (touched || this.#steps.length === 0) ? 'complete' : touched ? 'inProgress' : 'idle', reason);
  }

  #move(to: ChecklistState, reason: ChecklistStateReason): void {
    const from = this.#state;
    if (from === to || !CHECKLIST_TRANSITIONS[from].includes(to)) return;
    this.#state = to;
    this.emit('stateChanged', { from, to, reason });
  }

  async #send(): Promise<ResponseData<'checklist.submit'>> {
    const b = this.#binding;
    if (!b) throw new ChecklistError('CHECKLIST_NOT_BOUND', 'not bound');
    const summary = this.summary();
    const sealKey = JSON.stringify({ ...summary, at: 0 });
    if (sealKey !== this.#lastSealed) {
      try {
        encodeSummary(summary); // guarantees the host can parse it and that it fits
        b.seal(summary);
        this.#lastSealed = sealKey;
      } catch (e) {
        // sealing is the session's; a failure there must not hold back the status submission
        this.emit(
          'error',
          e instanceof AlcoveError ? e : new AlcoveError('E2EE_HANDSHAKE_REFUSED', 'sealing the checklist summary failed', { cause: e }),
        );
      }
    }
    const data = await this.submission(b);
    const key = JSON.stringify(data);
    if (key === this.#lastSubmitted && this.#lastResult) return this.#lastResult;
    const result = await b.submit(data);
    if (this.#binding === b) {
      this.#lastSubmitted = key;
      this.#lastResult = result;
    }
    return result;
  }
}
