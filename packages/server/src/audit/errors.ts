/** Codes of {@link AuditError}. */
export type AuditErrorCode = 'AUDIT_INVALID_ENTRY' | 'AUDIT_CORRUPT' | 'AUDIT_WRITE_FAILED' | 'AUDIT_CLOSED';

/** A failure of the audit log: an entry that would carry forbidden data, a broken file, a failed write. */
export class AuditError extends Error {
  readonly code: AuditErrorCode;
  constructor(code: AuditErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AuditError';
    this.code = code;
  }
}
