/**
 * The pre-session checklist (ARCHITECTURE §8): a policy-driven list of steps — consent, location and
 * licensure, emergency plan, environment, browser capability, camera, microphone, speaker, network
 * test and custom steps — each a module with one common shape.
 * @packageDocumentation
 */
export { Checklist } from './checklist.js';
export { checklistSupport } from './sealing/session-checklist.js';
export type { AnyCheck, CheckById } from './checklist.js';
export { ChecklistError } from './errors.js';
export type { ChecklistErrorCode, ChecklistErrorOptions } from './errors.js';
export type { ChecklistEvents, CheckEvents, StepStatusChange } from './events.js';
export {
  ANSWER_LIMITS,
  CHECK_REASONS,
  CHECKLIST_STATES,
  CHECKLIST_TRANSITIONS,
  CONNECTION_TYPES,
  DEFAULT_CHECKLIST_POLICY,
  DEVICE_TYPES,
  FALLBACK_PLANS,
  STEP_STATUSES,
  STEP_TRANSITIONS,
  toWireStatus,
} from './types.js';
export type {
  AddressInput,
  ChecklistBinding,
  ChecklistDevices,
  ChecklistOptions,
  ChecklistProgress,
  ChecklistRequester,
  ChecklistResult,
  ChecklistSigner,
  ChecklistState,
  ChecklistStateChange,
  ChecklistStateReason,
  CameraCheckOptions,
  CheckReason,
  ConnectionType,
  DeviceType,
  EmergencyPlanAnswer,
  EmergencyPlanInput,
  EnvironmentAnswer,
  EnvironmentInput,
  FallbackPlanKind,
  LicensureResult,
  LocationAnswer,
  MicrophoneCheckOptions,
  PhoneNumber,
  SpeakerCheckOptions,
  StepResult,
  StepStatus,
} from './types.js';
export type { Check, StepKind } from './checks/base.js';
export { ConsentCheck, signConsentReceipt, verifyConsentReceipt } from './checks/consent.js';
export type { AcknowledgeOptions, ConsentDetails, ReceiptExpectation } from './checks/consent.js';
export { LocationCheck, validateAddress } from './checks/location.js';
export type { LocationDetails } from './checks/location.js';
export { EmergencyPlanCheck } from './checks/emergency-plan.js';
export type { EmergencyPlanPrefill } from './checks/emergency-plan.js';
export { EnvironmentCheck, connectionTypeOf } from './checks/environment.js';
export { BrowserCheck } from './checks/browser.js';
export type { BrowserDetails } from './checks/browser.js';
export { InputDeviceCheck } from './checks/input-device-check.js';
export type { DeviceListEvents } from './checks/input-device-check.js';
export { CAMERA_THRESHOLDS, CameraCheck } from './checks/camera.js';
export type { CameraDetails, CameraEvents } from './checks/camera.js';
export { MICROPHONE_DEFAULTS, MicrophoneCheck, analyserSizeFor, levelFromSamples } from './checks/microphone.js';
export type { MicrophoneDetails, MicrophoneEvents } from './checks/microphone.js';
export { SPEAKER_DEFAULTS, SpeakerCheck } from './checks/speaker.js';
export type { SpeakerDetails, SpeakerEvents } from './checks/speaker.js';
export { NetworkCheck } from './checks/network.js';
export type { NetworkEvents } from './checks/network.js';
export { CustomCheck } from './checks/custom.js';
export type { CustomDetails } from './checks/custom.js';
export { evaluateLicensure } from './licensure.js';
export type { LicensureLocation } from './licensure.js';
export { PHONE_DIGITS, callingCodeOf, isE164, normalizePhone } from './phone.js';
export type { NormalizePhoneOptions } from './phone.js';
export { NETWORK_PROBE, NETWORK_TEST_TIMING, NETWORK_THRESHOLDS, classifyNetwork, runNetworkTest } from './network-test.js';
export type { NetworkMeasures, NetworkQuality, NetworkTestOptions, NetworkTestResult, RecommendedMode } from './network-test.js';
export { MAX_SUMMARY_BYTES, encodeSummary, parseSummary } from './summary.js';
export type { SealedSummary } from './summary.js';
export { STORAGE_KEYS } from './storage.js';
