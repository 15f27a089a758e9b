/** Join tokens and resume tickets. */
export { INVALID_TOKEN_MESSAGE, InvalidTokenError, TokenKeyError } from './errors.js';
export type { InvalidTokenReason } from './errors.js';
export {
  FALLBACK_DISPLAY_NAME,
  MAX_DISPLAY_NAME_LENGTH,
  MAX_JOIN_TOKEN_LENGTH,
  MIN_HS256_SECRET_BYTES,
  sanitizeDisplayName,
  assertTokenForSession,
  checkJoinTokenClaims,
  createJoinTokenSigner,
  createJoinTokenVerifier,
  importEdDsaPrivateKey,
  importEdDsaPublicKey,
  mintJoinToken,
} from './tokens.js';
export type {
  EdDsaKeyInput,
  Hs256SecretInput,
  JoinTokenInput,
  JoinTokenSigner,
  JoinTokenSigningKey,
  JoinTokenVerifier,
  JoinTokenVerifierOptions,
  MintJoinTokenOptions,
} from './tokens.js';
export { ResumeTicketStore, TICKET_BYTES } from './tickets.js';
export type { ResumeTicketStoreOptions, TicketHolder } from './tickets.js';
export { DEFAULT_TENANT, TENANT_ID_RE, createTenantKeyring } from './tenants.js';
export type { TenantKeyring, TenantKeyringOptions, TenantOptions, TenantQuotas } from './tenants.js';
