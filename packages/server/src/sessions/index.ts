/** The session registry, policies and attendance. */
export { SessionError } from './errors.js';
export type { SessionErrorCode } from './errors.js';
export { POLICY_LIMITS, resolvePolicy } from './policy.js';
export { CHECKLIST_POLICY_LIMITS, checklistPolicyInfo, resolveChecklist } from './checklist-policy.js';
export { JOURNAL_FILE, MAX_EVENTS_PER_PARTICIPANT, MAX_TRACKED_PARTICIPANTS, SESSIONS_FILE, SessionRegistry } from './registry.js';
export { COMPACT_EVERY } from './store.js';
export type { SessionRegistryEvents, SessionRegistryOptions } from './registry.js';
export { ATTENDANCE_EVENTS } from './types.js';
export type * from './types.js';
