import type { ChecklistPolicyInfo, ConsentReceipt, RequestData } from '@alcove/protocol';
import type { AnyCheck } from './registry.js';
import type { CameraCheck } from './checks/camera.js';
import type { ConsentCheck } from './checks/consent.js';
import type { EmergencyPlanCheck } from './checks/emergency-plan.js';
import type { EnvironmentCheck } from './checks/environment.js';
import type { LocationCheck } from './checks/location.js';
import type { MicrophoneCheck } from './checks/microphone.js';
import type { NetworkCheck } from './checks/network.js';
import type { SpeakerCheck } from './checks/speaker.js';
import type { SealedSummary } from './summary.js';
import { type ChecklistSigner, toWireStatus } from './types.js';

/** The slice of a checklist the summary and the submission are built from. */
export interface ChecklistView {
  readonly policy: ChecklistPolicyInfo;
  readonly steps: readonly AnyCheck[];
  readonly complete: boolean;
  readonly consent: ConsentCheck | undefined;
  readonly location: LocationCheck | undefined;
  readonly emergencyPlan: EmergencyPlanCheck | undefined;
  readonly environment: EnvironmentCheck | undefined;
  readonly camera: CameraCheck | undefined;
  readonly microphone: MicrophoneCheck | undefined;
  readonly speaker: SpeakerCheck | undefined;
  readonly network: NetworkCheck | undefined;
}

const statuses = (v: ChecklistView): Record<string, ReturnType<typeof toWireStatus>> =>
  Object.fromEntries(v.steps.map((s) => [s.id, toWireStatus(s.status)]));

/** What the hosts see (sealed): answers and results of every step. */
export function buildSummary(v: ChecklistView, at: number): SealedSummary {
  const loc = v.location?.details;
  const plan = v.emergencyPlan?.answer;
  const env = v.environment?.details;
  const cam = v.camera?.details;
  const mic = v.microphone?.details;
  const spk = v.speaker?.details;
  const net = v.network?.result;
  const consent = v.consent;
  const { deviceId: _c, ...camera } = cam ?? {};
  return {
    at,
    complete: v.complete,
    steps: statuses(v),
    ...(loc
      ? {
          location: {
            ...loc.address,
            ...(loc.licensure?.jurisdiction ? { jurisdiction: loc.licensure.jurisdiction } : {}),
            ...(loc.licensure ? { licensure: loc.licensure.outcome } : {}),
          },
        }
      : {}),
    ...(plan ? { emergency: plan } : {}),
    ...(env && Object.keys(env).length ? { environment: env } : {}),
    ...(cam ? { camera } : {}),
    ...(mic ? { microphone: { metered: mic.metered, soundDetected: mic.soundDetected, peakLevel: mic.peakLevel } } : {}),
    ...(spk ? { speaker: { heard: spk.heard } } : {}),
    ...(net ? { network: net } : {}),
    ...(consent?.acknowledged && consent.details ? { consent: consent.details } : {}),
  };
}

/**
 * What the server learns (`checklist.submit`): statuses, the consent receipt signed for this session
 * and participant, and the licensure outcome (`jurisdiction` only when the policy shares it).
 */
export async function buildSubmission(
  v: ChecklistView,
  binding: { readonly sessionId: string; readonly participantId: string; readonly signer: ChecklistSigner },
  cachedReceipt?: ConsentReceipt,
): Promise<RequestData<'checklist.submit'>> {
  const policy = v.policy;
  const consent = v.consent;
  const receipt = consent?.acknowledged
    ? (cachedReceipt ?? (await consent.receipt(binding.sessionId, binding.participantId, binding.signer)))
    : undefined;
  const lic = policy.licensure !== 'off' && v.location ? (v.location.licensure ?? { outcome: 'unknown' as const }) : undefined;
  return {
    status: { steps: statuses(v), complete: v.complete },
    ...(receipt ? { consent: receipt } : {}),
    ...(lic
      ? { licensure: { outcome: lic.outcome, ...(policy.shareJurisdiction && lic.jurisdiction ? { jurisdiction: lic.jurisdiction } : {}) } }
      : {}),
  };
}
