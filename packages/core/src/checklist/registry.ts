import {
  type BuiltInStepId,
  CHECKLIST_STEP_IDS,
  type ChecklistPolicyInfo,
  type ChecklistStepDef,
  NETWORK_TEST_LIMITS,
} from '@alcove/protocol';
import { AlcoveError } from '../session/errors.js';
import type { CheckContext, ResolvedChecklistOptions } from './checks/base.js';
import { BrowserCheck } from './checks/browser.js';
import { CameraCheck } from './checks/camera.js';
import { ConsentCheck } from './checks/consent.js';
import { CustomCheck } from './checks/custom.js';
import { EmergencyPlanCheck } from './checks/emergency-plan.js';
import { EnvironmentCheck } from './checks/environment.js';
import { LocationCheck } from './checks/location.js';
import { MICROPHONE_DEFAULTS, MicrophoneCheck } from './checks/microphone.js';
import { NetworkCheck } from './checks/network.js';
import { SPEAKER_DEFAULTS, SpeakerCheck } from './checks/speaker.js';
import type { ChecklistOptions } from './types.js';

/** The module of each built-in step id. */
export interface CheckById {
  consent: ConsentCheck;
  location: LocationCheck;
  'emergency-plan': EmergencyPlanCheck;
  environment: EnvironmentCheck;
  browser: BrowserCheck;
  camera: CameraCheck;
  microphone: MicrophoneCheck;
  speaker: SpeakerCheck;
  network: NetworkCheck;
}
/** Any step of a checklist. */
export type AnyCheck = CheckById[BuiltInStepId] | CustomCheck;

/** The module that implements each built-in step. */
const FACTORIES: { readonly [K in BuiltInStepId]: new (def: ChecklistStepDef, ctx: CheckContext) => CheckById[K] } = {
  consent: ConsentCheck,
  location: LocationCheck,
  'emergency-plan': EmergencyPlanCheck,
  environment: EnvironmentCheck,
  browser: BrowserCheck,
  camera: CameraCheck,
  microphone: MicrophoneCheck,
  speaker: SpeakerCheck,
  network: NetworkCheck,
};

/** Steps whose results describe this device, not this session: kept when another session binds. */
export const DEVICE_STEPS: ReadonlySet<string> = new Set(['browser', 'camera', 'microphone', 'speaker']);

/** Options with their documented defaults. */
export function resolveOptions(o: ChecklistOptions): ResolvedChecklistOptions {
  return {
    rememberAnswers: o.rememberAnswers ?? false,
    rememberConsent: o.rememberConsent ?? true,
    storageKey: o.storageKey ?? 'default',
    resumeMaxAgeMs: o.resumeMaxAgeMs ?? 4 * 60 * 60 * 1000,
    submitDebounceMs: o.submitDebounceMs ?? 300,
    requireE2ee: o.requireE2ee ?? true,
    camera: { measureMs: o.camera?.measureMs ?? 1500 },
    microphone: { ...MICROPHONE_DEFAULTS, ...o.microphone },
    speaker: { ...SPEAKER_DEFAULTS, ...o.speaker },
    networkTestMaxMs: Math.min(o.networkTestMaxMs ?? NETWORK_TEST_LIMITS.maxDurationMs, NETWORK_TEST_LIMITS.maxDurationMs),
  };
}

const isBuiltIn = (id: string): id is BuiltInStepId => (CHECKLIST_STEP_IDS as readonly string[]).includes(id);

/** Creates the module of a step: the built-in one for its id, else a custom step. */
export function createCheck(def: ChecklistStepDef, ctx: CheckContext): AnyCheck {
  return isBuiltIn(def.id) ? new FACTORIES[def.id](def, ctx) : new CustomCheck(def, ctx);
}

/**
 * Guard: a policy must at least list its steps and jurisdictions (server policies are validated by
 * the protocol schema; this catches an app passing something else).
 * @throws {AlcoveError} `INVALID_ARGUMENT`.
 */
export function assertPolicy(policy: ChecklistPolicyInfo): void {
  if (typeof policy !== 'object' || policy === null || !Array.isArray(policy.steps) || !Array.isArray(policy.jurisdictions)) {
    throw new AlcoveError('INVALID_ARGUMENT', 'a checklist policy needs steps and jurisdictions');
  }
}
