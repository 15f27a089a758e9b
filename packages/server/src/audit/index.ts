/** The hash-chained audit trail and its verifier. */
export { AuditLog, loadOrCreateAuditKey } from './audit-log.js';
export type { AuditLogOptions } from './audit-log.js';
export { AuditError } from './errors.js';
export type { AuditErrorCode } from './errors.js';
export { GENESIS_HASH, canonicalRecord, recordHash } from './canonical.js';
export { auditMac, headFileOf, runAuditVerify, runAuditVerifyCommand, verifyAuditBytes, verifyAuditFile } from './verify.js';
export type { TextSink, VerifyAuditOptions } from './verify.js';
export { AUDIT_ENTRY_TYPES } from './types.js';
export type * from './types.js';
