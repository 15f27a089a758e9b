/**
 * Tenants: each has its own join-token keys (a token signed with one tenant's key never verifies
 * for another tenant's session), its own admin API keys, and its own quotas of open sessions and
 * live participants.
 * @packageDocumentation
 */
import { decodeJwt } from 'jose';
import type { JoinTokenClaims } from '@alcove/protocol';
import type { WebhookEndpoint } from '../webhooks/dispatcher.js';
import { InvalidTokenError, TokenKeyError } from './errors.js';
import {
  createJoinTokenSigner,
  createJoinTokenVerifier,
  type EdDsaKeyInput,
  type Hs256SecretInput,
  type JoinTokenSigner,
  type JoinTokenVerifier,
} from './tokens.js';

/** The tenant of sessions created without one, and of the server's top-level keys. */
export const DEFAULT_TENANT = 'default';
/** A tenant id: 1–64 of `A-Z a-z 0-9 _ -`. */
export const TENANT_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Quotas of one tenant. Unset: only the server-wide limits apply. */
export interface TenantQuotas {
  /** Most open (not ended) sessions at once. */
  readonly maxSessions?: number;
  /** Most participants (waiting, admitted or within their reconnect grace) across the tenant's live sessions. */
  readonly maxParticipants?: number;
}

/** One tenant (`tenants` of `createAlcoveServer`'s options). */
export interface TenantOptions extends TenantQuotas {
  /** Tenant id (see {@link TENANT_ID_RE}); `default` configures the server's own tenant. */
  readonly id: string;
  /** HS256 secrets, the current first: the first signs (admin API), every one verifies. */
  readonly hs256Secrets?: readonly Hs256SecretInput[];
  /** Ed25519 public keys that verify this tenant's EdDSA tokens. */
  readonly eddsaPublicKeys?: readonly EdDsaKeyInput[];
  /** Ed25519 private key the admin API signs this tenant's tokens with (when it has no HS256 secret). */
  readonly eddsaPrivateKey?: EdDsaKeyInput;
  /** Admin API keys of this tenant (they see and create only this tenant's sessions). */
  readonly apiKeys?: readonly string[];
  /**
   * This tenant's own webhook receivers. When it has any, its sessions' events go to these only (never
   * to the deployment-level `webhooks.endpoints`, never to another tenant's); the deployment-level
   * options (`retry`, `fetch`, `allowPrivateNetworks`) apply to them too. Default: none (its events go
   * to the deployment-level receivers). Like every listed tenant, it needs a join-token key of its own.
   * @throws `WebhookConfigError` from `createAlcoveServer` for an invalid receiver (the message names the tenant).
   */
  readonly webhooks?: readonly WebhookEndpoint[];
}

/** Options of {@link createTenantKeyring}. */
export interface TenantKeyringOptions {
  readonly tenants: readonly TenantOptions[];
  /** The tenant a session belongs to (`undefined` for an unknown session or one without a tenant). */
  readonly tenantOf: (sessionId: string) => string | undefined;
  readonly maxTtlS?: number;
  readonly clockSkewS?: number;
  readonly isBarred?: (sessionId: string, participantId: string) => boolean;
  readonly now?: () => number;
}

/** Per-tenant token verification and signing. */
export interface TenantKeyring {
  /**
   * Verifies a join token with the keys of the tenant its session belongs to (the session id is read
   * from the unverified payload only to choose the keys; the signature then covers it).
   * @throws {@link InvalidTokenError} for any failure, including a tenant without keys.
   */
  readonly verify: JoinTokenVerifier;
  /** Signs with the key of the session's tenant; `undefined` when no tenant can sign. */
  readonly signer: JoinTokenSigner | undefined;
  /** Tenant ids configured. */
  readonly tenantIds: readonly string[];
  /** The quotas of a tenant (empty object when none). */
  quotas(tenant: string): TenantQuotas;
}

/**
 * Builds the keyring. Every tenant listed needs at least one verification key (an HS256 secret or an
 * Ed25519 public or private key). A session of a tenant not listed (one named only by an API key)
 * is verified and signed with the `default` tenant's keys: list a tenant to isolate it.
 * @throws {@link TokenKeyError} for a bad tenant id, a duplicate tenant, a tenant without keys or an
 *   unusable key; `RangeError` for a quota that is not a positive integer.
 * @example
 * ```ts
 * const keyring = createTenantKeyring({
 *   tenants: [{ id: 'acme', hs256Secrets: [newSecret, oldSecret], maxSessions: 50 }],
 *   tenantOf: (sid) => registry.get(sid)?.tenant,
 * });
 * const claims = await keyring.verify(token);
 * ```
 */
export function createTenantKeyring(options: TenantKeyringOptions): TenantKeyring {
  const verifiers = new Map<string, JoinTokenVerifier>();
  const signers = new Map<string, JoinTokenSigner>();
  const quotas = new Map<string, TenantQuotas>();
  for (const t of options.tenants) {
    if (typeof t.id !== 'string' || !TENANT_ID_RE.test(t.id)) throw new TokenKeyError('A tenant id must be 1-64 of A-Z a-z 0-9 _ -.');
    if (verifiers.has(t.id)) throw new TokenKeyError(`Tenant ${t.id} is configured twice.`);
    const hs = t.hs256Secrets ?? [];
    const ed = [...(t.eddsaPublicKeys ?? []), ...(t.eddsaPrivateKey !== undefined ? [t.eddsaPrivateKey] : [])];
    if (hs.length === 0 && ed.length === 0) throw new TokenKeyError(`Tenant ${t.id} has no join-token key.`);
    verifiers.set(
      t.id,
      createJoinTokenVerifier({
        ...(hs.length > 0 ? { hs256Secret: hs } : {}),
        ...(ed.length > 0 ? { eddsaPublicKey: ed } : {}),
        ...(options.maxTtlS !== undefined ? { maxTtlS: options.maxTtlS } : {}),
        ...(options.clockSkewS !== undefined ? { clockSkewS: options.clockSkewS } : {}),
        ...(options.isBarred ? { isBarred: options.isBarred } : {}),
        ...(options.now ? { now: options.now } : {}),
      }),
    );
    const common = { ...(options.maxTtlS !== undefined ? { maxTtlS: options.maxTtlS } : {}), ...(options.now ? { now: options.now } : {}) };
    const first = hs[0];
    if (first !== undefined) signers.set(t.id, createJoinTokenSigner({ hs256Secret: first, ...common }));
    else if (t.eddsaPrivateKey !== undefined) signers.set(t.id, createJoinTokenSigner({ eddsaPrivateKey: t.eddsaPrivateKey, ...common }));
    checkQuota(t.id, 'maxSessions', t.maxSessions);
    checkQuota(t.id, 'maxParticipants', t.maxParticipants);
    quotas.set(t.id, {
      ...(t.maxSessions !== undefined ? { maxSessions: t.maxSessions } : {}),
      ...(t.maxParticipants !== undefined ? { maxParticipants: t.maxParticipants } : {}),
    });
  }
  const tenantOfToken = (token: string): string => {
    let sid: unknown;
    try {
      sid = decodeJwt(token).sid;
    } catch {
      sid = undefined;
    }
    return (typeof sid === 'string' ? options.tenantOf(sid) : undefined) ?? DEFAULT_TENANT;
  };
  const verifierOf = (tenant: string): JoinTokenVerifier | undefined => verifiers.get(tenant) ?? verifiers.get(DEFAULT_TENANT);
  const verify: JoinTokenVerifier = async (token) => {
    const tenant = typeof token === 'string' ? tenantOfToken(token) : DEFAULT_TENANT;
    // A tenant with no keys configured (named only by an API key) shares the default tenant's keys.
    const verifier = verifiers.get(tenant) ?? verifiers.get(DEFAULT_TENANT);
    if (!verifier) throw new InvalidTokenError('tenant');
    const claims: JoinTokenClaims = await verifier(token);
    // The payload chose the keys; the verified claims must name a session of that same tenant.
    if (verifierOf(options.tenantOf(claims.sid) ?? DEFAULT_TENANT) !== verifier) throw new InvalidTokenError('tenant');
    return claims;
  };
  const anySigner = [...signers.values()][0];
  const signer: JoinTokenSigner | undefined = anySigner
    ? {
        maxTtlS: anySigner.maxTtlS,
        mint(claims, ttlS) {
          const tenant = options.tenantOf(claims.sid) ?? DEFAULT_TENANT;
          const s = verifiers.has(tenant) ? signers.get(tenant) : signers.get(DEFAULT_TENANT);
          if (!s) return Promise.reject(new TokenKeyError(`Tenant ${tenant} has no signing key.`));
          return s.mint(claims, ttlS);
        },
      }
    : undefined;
  return {
    verify,
    signer,
    tenantIds: [...verifiers.keys()],
    quotas: (tenant) => quotas.get(tenant) ?? {},
  };
}

function checkQuota(tenant: string, field: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) {
    throw new RangeError(`Tenant ${tenant}: ${field} must be a positive integer.`);
  }
}
