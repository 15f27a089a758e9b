/**
 * The admin HTTP API (`/v1/...`): API-key auth, JSON, body limit, no CORS. Routes, their schemas
 * and error codes come from {@link ADMIN_ROUTES}; the OpenAPI document is generated from the same
 * table ({@link buildOpenApi}).
 * @packageDocumentation
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { strictJsonParse } from '@alcove/protocol';
import * as v from 'valibot';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditEntry, AuditRecord } from '../audit/types.js';
import type { ResumeTicketStore } from '../auth/tickets.js';
import type { JoinTokenSigner } from '../auth/tokens.js';
import { silentLogger, type Logger } from '../logger.js';
import { SessionError } from '../sessions/errors.js';
import type { SessionRegistry } from '../sessions/registry.js';
import type { ParticipantAttendance, SessionRecord } from '../sessions/types.js';
import { WebhookDispatcher } from '../webhooks/dispatcher.js';
import type { ScopedWebhookDeliveryRecord, TenantWebhookRouter } from '../webhooks/tenant-router.js';
import { readSessionAudit } from './audit-reader.js';
import { AuthFailureAudit } from './auth-audit.js';
import { AuthFailureLimiter, clientAddress, normalizeAddress } from './lockout.js';
import { IDEMPOTENCY_FILE, IdempotencyStore } from './idempotency.js';
import { buildOpenApi } from './openapi.js';
import { TokenRevocations } from './revocations.js';
import { ADMIN_ROUTES, type AdminOperationId, type AdminRoute } from './routes.js';
import { ADMIN_ERRORS, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type AdminErrorCodeName } from './schemas.js';
import type { AdminLiveOps, LiveParticipant, ParticipantStatus, ParticipantView, SessionView } from './types.js';

/** An API key, optionally bound to a tenant (keys of one tenant share its sessions; default tenant `default`). */
export type AdminApiKey = string | { readonly key: string; readonly tenant?: string };

/** Options of {@link createAdminHandler}. */
export interface AdminHandlerOptions {
  readonly registry: SessionRegistry;
  /** Accepted keys (`Authorization: Bearer <key>`), at least 16 characters each. */
  readonly apiKeys: readonly AdminApiKey[];
  /** Mints join tokens; without it `POST …/tokens` answers 501 `NOT_CONFIGURED`. */
  readonly tokenSigner?: JoinTokenSigner;
  /**
   * Remembers minted tokens and revocations; give the same instance to the token verifier's
   * `isRevoked`. Default: a fresh in-memory one (revocations then only hold for this handler's own
   * tokens and do not survive a restart).
   */
  readonly revocations?: TokenRevocations;
  readonly audit?: AuditLog;
  /** The audit file (for `GET …/audit`); without it that route answers 501 `NOT_CONFIGURED`. */
  readonly auditFile?: string;
  /**
   * Where the admin routes' events go, and whose delivery log `GET /v1/webhooks/deliveries` shows: a
   * tenant sees the deliveries to its own receivers, and those to the deployment-level ones of the
   * sessions it can see. A plain dispatcher is the deployment-level one.
   */
  readonly webhooks?: WebhookDispatcher | TenantWebhookRouter;
  /** Tickets of an ended session, a removed participant, or one whose tokens are revoked, are revoked. */
  readonly tickets?: ResumeTicketStore;
  /** The live rooms (admit, deny, remove, mute, lock, end, who is connected). */
  readonly live?: AdminLiveOps;
  /** Largest request body, bytes. Default 65 536. */
  readonly bodyLimitBytes?: number;
  /** Token lifetime when the request gives none, seconds. Default 3 600 (capped by the signer). */
  readonly defaultTokenTtlS?: number;
  readonly logger?: Logger;
  /**
   * Failed authentications allowed per (client address, first 8 characters of the presented key)
   * per minute; beyond it a bad key is answered 429 `RATE_LIMITED` until the minute is over. A valid
   * key is never refused. Addresses are kept in memory only, never logged. Default 60.
   */
  readonly authFailuresPerMinute?: number;
  /**
   * Addresses of reverse proxies whose `X-Forwarded-For` is believed (the client address is the
   * right-most entry that is not one of them). Default none: the socket's peer address is used.
   */
  readonly trustedProxies?: readonly string[];
  /** How long an `Idempotency-Key` is remembered, ms. Default 24 hours. Ignored when `idempotency` is given. */
  readonly idempotencyTtlMs?: number;
  /**
   * Where `Idempotency-Key` answers are kept. Default: the file `idempotency.journal` beside the
   * revocations' file (the data folder) when `revocations` has a file, so a retry after a restart
   * gets the first answer; in memory otherwise.
   */
  readonly idempotency?: IdempotencyStore;
  /**
   * Repeated failed authentications from one client address are audited as at most one
   * `admin.authFailed` line per address per this many ms (the first at once, the rest counted into
   * one line at the end of the window). Default 60 000.
   */
  readonly authAuditWindowMs?: number;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** The request handler; never throws (failures become JSON errors). */
export interface AdminHandler {
  /** Answers one admin API request. */
  (req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * Writes the audit lines still pending — failed authentications coalesced in their window — so
   * none is lost when the server stops; later failures are written as they happen. Call it once
   * no more requests come and before the audit log closes (`AlcoveServer.close()` does). Idempotent.
   */
  close(): void;
}

class HttpError extends Error {
  constructor(
    readonly code: AdminErrorCodeName,
    message?: string,
  ) {
    super(message ?? ADMIN_ERRORS[code].message);
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const IDEMPOTENCY_KEY_RE = /^[\x21-\x7e]{1,255}$/;

/** The public view of a session record. */
export function toSessionView(r: SessionRecord): SessionView {
  return {
    id: r.id,
    state: r.state,
    locked: r.locked,
    policy: r.policy,
    createdAt: r.createdAt,
    ...(r.endedAt !== undefined ? { endedAt: r.endedAt } : {}),
    ...(r.endReason !== undefined ? { endReason: r.endReason } : {}),
  };
}

interface Compiled {
  readonly route: AdminRoute;
  readonly segments: readonly string[];
}

interface Ctx {
  readonly tenant: string;
  readonly params: Record<string, string>;
  readonly query: Record<string, string>;
  readonly body: Record<string, unknown>;
  readonly session: SessionRecord | undefined;
  readonly req: IncomingMessage;
}

type Result = { readonly status?: number; readonly body: unknown };
type Impl = (ctx: Ctx) => Result | Promise<Result>;

const encodeCursor = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
function decodeCursor<T>(cursor: string | undefined, check: (x: unknown) => x is T): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const x: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(x)) return x;
  } catch {
    // fall through
  }
  throw new HttpError('INVALID_MESSAGE', 'cursor is not valid.');
}
const isStr = (x: unknown): x is string => typeof x === 'string' && x.length <= 128;
const limitOf = (q: Record<string, string>): number => {
  const n = q.limit === undefined ? DEFAULT_PAGE_SIZE : Number(q.limit);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE)
    throw new HttpError('INVALID_MESSAGE', `limit must be from 1 to ${MAX_PAGE_SIZE}.`);
  return n;
};

/** Pages a list by a string key: items after the one whose key is the cursor. */
function pageByKey<T>(items: readonly T[], key: (t: T) => string, q: Record<string, string>): { page: T[]; next?: string } {
  const limit = limitOf(q);
  const after = decodeCursor(q.cursor, isStr);
  let start = 0;
  if (after !== undefined) {
    const i = items.findIndex((t) => key(t) === after);
    start = i === -1 ? items.length : i + 1;
  }
  const page = items.slice(start, start + limit);
  const last = page[page.length - 1];
  return { page, ...(start + limit < items.length && last !== undefined ? { next: encodeCursor(key(last)) } : {}) };
}

function issueText(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0];
  if (!first) return 'The request is not valid.';
  const path = (first.path ?? [])
    .map((p) => String(p.key))
    .join('.')
    .slice(0, 80);
  const msg = first.message.replace(/"[^"]{40,}"/g, '"…"').slice(0, 160);
  return path ? `${path}: ${msg}` : msg;
}

/**
 * Creates the admin API handler (every route of {@link ADMIN_ROUTES}). Rules: no key or an unknown key →
 * 401; a join token as the key → 403; a body over the limit → 413; an unknown session and a session
 * of another tenant answer the same 404 `SESSION_NOT_FOUND`; errors are `{error:{code,message}}`; no
 * CORS headers, `no-store`. Mount it for paths under `/v1/`.
 * @throws `TypeError` at creation for an API key shorter than 16 characters.
 * @example
 * ```ts
 * const admin = createAdminHandler({ registry, apiKeys: [process.env.ALCOVE_API_KEY!], tokenSigner });
 * http.createServer((req, res) => void admin(req, res)).listen(8080, '127.0.0.1');
 * ```
 */
export function createAdminHandler(options: AdminHandlerOptions): AdminHandler {
  const keys = options.apiKeys.map((k) => {
    const key = typeof k === 'string' ? k : k.key;
    if (typeof key !== 'string' || key.length < 16) throw new TypeError('Admin API keys must be at least 16 characters.');
    return { digest: digest(key), tenant: (typeof k === 'string' ? undefined : k.tenant) ?? 'default' };
  });
  const bodyLimit = options.bodyLimitBytes ?? 65_536;
  const log = options.logger ?? silentLogger;
  const { registry } = options;
  const now = options.now ?? Date.now;
  const limiter = new AuthFailureLimiter(options.authFailuresPerMinute ?? 60, now);
  const trusted = new Set((options.trustedProxies ?? []).map(normalizeAddress));
  const revocations = options.revocations ?? new TokenRevocations({ now });
  const idempotent =
    options.idempotency ??
    new IdempotencyStore({
      now,
      ...(options.idempotencyTtlMs !== undefined ? { ttlMs: options.idempotencyTtlMs } : {}),
      ...(revocations.file !== undefined ? { file: join(dirname(revocations.file), IDEMPOTENCY_FILE) } : {}),
    });
  /** Creates with a key still being answered, by record id (a concurrent retry waits for the first). */
  const inFlight = new Map<string, { fingerprint: string; done: Promise<Result> }>();
  const authAudit = options.audit
    ? new AuthFailureAudit({
        append: (entry) => audit(entry),
        pseudonym: (address) => (options.audit as AuditLog).pseudonym(address),
        ...(options.authAuditWindowMs !== undefined ? { windowMs: options.authAuditWindowMs } : {}),
      })
    : undefined;
  const compiled: Compiled[] = ADMIN_ROUTES.map((route) => ({ route, segments: route.path.split('/') }));
  let openapi: string | undefined;

  const audit = (entry: Omit<AuditEntry, 'actor'>): void => {
    try {
      options.audit?.append({ ...entry, actor: 'admin' } as AuditEntry);
    } catch (error) {
      log.error('audit.appendFailed', { type: entry.type, code: (error as { code?: string }).code });
    }
  };

  const authenticate = (req: IncomingMessage): string => {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer ([\x21-\x7e]{1,4096})$/.exec(header) : null;
    const presented = m?.[1];
    let failure: AdminErrorCodeName | undefined;
    let tenant: string | undefined;
    if (presented === undefined) failure = 'UNAUTHENTICATED';
    else if (JWT_RE.test(presented) && presented.startsWith('eyJ')) failure = 'NOT_ALLOWED';
    else {
      const d = digest(presented);
      for (const k of keys) if (timingSafeEqual(k.digest, d)) tenant = k.tenant;
      if (tenant === undefined) failure = 'UNAUTHENTICATED';
    }
    if (failure === undefined) return tenant as string;
    // Only failures count, per (address, presented prefix): a valid key never meets the limit.
    const addr = clientAddress(req, trusted);
    if (limiter.limited(addr, presented)) throw new HttpError('RATE_LIMITED');
    limiter.record(addr, presented);
    throw new HttpError(failure);
  };

  const visible = (s: SessionRecord | undefined, tenant: string): s is SessionRecord =>
    s !== undefined && (s.tenant === undefined || s.tenant === tenant);

  const requireSession = (ctx: Ctx): SessionRecord => {
    if (!ctx.session) throw new HttpError('SESSION_NOT_FOUND');
    return ctx.session;
  };
  const requireOpen = (ctx: Ctx): SessionRecord => {
    const s = requireSession(ctx);
    if (s.state === 'ended') throw new HttpError('SESSION_ENDED');
    return s;
  };

  const statusOf = (a: ParticipantAttendance | undefined, l: LiveParticipant | undefined): ParticipantStatus => {
    if (a?.removed) return 'removed';
    if (a?.denied) return 'denied';
    if (l) return l.state === 'waiting' ? 'waiting' : l.connected ? 'admitted' : 'reconnecting';
    return a && a.events.length > 0 ? 'left' : 'invited';
  };

  const participantViews = (sessionId: string): ParticipantView[] => {
    const attendance = registry.attendance(sessionId) ?? [];
    const live = new Map((options.live?.participants(sessionId) ?? []).map((l) => [l.id, l]));
    const views: ParticipantView[] = attendance.map((a) => {
      const l = live.get(a.participantId);
      live.delete(a.participantId);
      return {
        ...a,
        ...(a.role === undefined && l ? { role: l.role } : {}),
        status: statusOf(a, l),
        connected: l?.connected ?? false,
        ...(l?.state === 'waiting' ? { waitingSince: l.since } : {}),
      };
    });
    for (const l of live.values()) {
      views.push({
        participantId: l.id,
        role: l.role,
        neverJoined: l.state === 'waiting',
        reconnects: 0,
        removed: false,
        denied: false,
        events: [],
        status: statusOf(undefined, l),
        connected: l.connected,
        ...(l.state === 'waiting' ? { waitingSince: l.since } : {}),
      });
    }
    return views;
  };
  const participantView = (sessionId: string, participantId: string): ParticipantView => {
    const view = participantViews(sessionId).find((p) => p.participantId === participantId);
    if (!view) throw new HttpError('PARTICIPANT_NOT_FOUND');
    return view;
  };

  /** Runs a live-room action, mapping its refusals to admin codes. */
  const liveAction = (notFound: AdminErrorCodeName, fn: () => void): void => {
    try {
      fn();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'NOT_FOUND') throw new HttpError(notFound);
      if (code === 'CHECKLIST_INCOMPLETE' || code === 'LICENSURE_BLOCKED' || code === 'SESSION_ENDED')
        throw new HttpError(code, (error as Error).message);
      if (typeof code === 'string') throw new HttpError('INVALID_STATE', (error as Error).message);
      throw error;
    }
  };

  const endSession = async (s: SessionRecord, reason: string): Promise<SessionRecord> => {
    if (s.state === 'ended') return s;
    const ended = registry.end(s.id, reason);
    options.tickets?.revokeSession(s.id);
    try {
      await options.live?.end(s.id, reason);
    } catch {
      log.error('admin.endLiveFailed', { sessionId: s.id });
    }
    audit({ type: 'session.ended', sessionId: s.id, reason });
    options.webhooks?.emit('session.ended', { sessionId: s.id, reason });
    log.info('admin.sessionEnded', { sessionId: s.id, reason });
    return ended;
  };

  const setLocked = (ctx: Ctx, locked: boolean): Result => {
    const s = requireOpen(ctx);
    if (s.locked !== locked) {
      // The live room tells everyone, records, audits (actor admin) and emits the webhook itself.
      const handled = options.live?.setLocked(s.id, locked) ?? false;
      if (!handled) {
        registry.setLocked(s.id, locked);
        audit({ type: locked ? 'session.locked' : 'session.unlocked', sessionId: s.id });
        options.webhooks?.emit(locked ? 'session.locked' : 'session.unlocked', { sessionId: s.id });
      }
    }
    return { body: { session: toSessionView(registry.get(s.id) as SessionRecord) } };
  };

  const impl: Record<AdminOperationId, Impl> = {
    health: () => ({ body: { status: 'ok' } }),
    openapi: () => {
      openapi ??= JSON.stringify(buildOpenApi());
      return { body: JSON.parse(openapi) };
    },
    createSession: (ctx) => {
      const record = registry.create(ctx.body.policy ?? {}, { tenant: ctx.tenant });
      audit({ type: 'session.created', sessionId: record.id });
      options.webhooks?.emit('session.created', { sessionId: record.id });
      log.info('admin.sessionCreated', { sessionId: record.id });
      return { status: 201, body: { session: toSessionView(record) } };
    },
    listSessions: ({ tenant, query: q }) => {
      const after = q.createdAfter === undefined ? undefined : Number(q.createdAfter);
      const before = q.createdBefore === undefined ? undefined : Number(q.createdBefore);
      const sessions = registry
        .list()
        .filter(
          (s) =>
            visible(s, tenant) &&
            (q.state === undefined || s.state === q.state) &&
            (q.locked === undefined || s.locked === (q.locked === 'true')) &&
            (after === undefined || s.createdAt >= after) &&
            (before === undefined || s.createdAt < before),
        )
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const { page, next } = pageByKey(sessions, (s) => s.id, q);
      audit({ type: 'admin.sessionsListed', detail: { count: page.length } });
      return { body: { sessions: page.map(toSessionView), ...(next ? { nextCursor: next } : {}) } };
    },
    getSession: (ctx) => {
      const s = requireSession(ctx);
      audit({ type: 'admin.sessionRead', sessionId: s.id });
      return { body: { session: toSessionView(s) } };
    },
    updatePolicy: (ctx) => {
      const s = requireOpen(ctx);
      const changes = ctx.body as {
        waitingRoom?: boolean;
        maxParticipants?: number;
        idleTimeoutS?: number;
        screenShare?: 'host' | 'everyone' | 'nobody';
      };
      const updated = registry.updatePolicy(s.id, changes);
      if (changes.screenShare !== undefined && changes.screenShare !== s.policy.screenShare)
        options.live?.setScreenShare(s.id, changes.screenShare);
      audit({ type: 'admin.policyUpdated', sessionId: s.id, detail: { ...changes } });
      return { body: { session: toSessionView(updated) } };
    },
    endSession: async (ctx) => {
      const s = requireSession(ctx);
      const reason = (ctx.body.reason as string | undefined) ?? 'admin';
      return { body: { session: toSessionView(await endSession(s, reason)) } };
    },
    lockSession: (ctx) => setLocked(ctx, true),
    unlockSession: (ctx) => setLocked(ctx, false),
    listParticipants: (ctx) => {
      const s = requireSession(ctx);
      const all = participantViews(s.id).filter((p) => ctx.query.status === undefined || p.status === ctx.query.status);
      const { page, next } = pageByKey(all, (p) => p.participantId, ctx.query);
      audit({ type: 'admin.participantsRead', sessionId: s.id });
      return { body: { participants: page, ...(next ? { nextCursor: next } : {}) } };
    },
    getParticipant: (ctx) => {
      const s = requireSession(ctx);
      const view = participantView(s.id, ctx.params.participantId as string);
      audit({ type: 'admin.participantsRead', sessionId: s.id, participantId: view.participantId });
      return { body: { participant: view } };
    },
    admitParticipant: (ctx) => {
      const s = requireOpen(ctx);
      const pid = ctx.params.participantId as string;
      const live = options.live;
      if (!live?.participants(s.id)) throw new HttpError('NOT_WAITING');
      liveAction('NOT_WAITING', () => live.admit(s.id, pid));
      return { body: { participant: participantView(s.id, pid) } };
    },
    denyParticipant: (ctx) => {
      const s = requireOpen(ctx);
      const pid = ctx.params.participantId as string;
      const live = options.live;
      if (!live?.participants(s.id)) throw new HttpError('NOT_WAITING');
      liveAction('NOT_WAITING', () => live.deny(s.id, pid));
      return { body: { participant: participantView(s.id, pid) } };
    },
    removeParticipant: (ctx) => {
      const s = requireOpen(ctx);
      const pid = ctx.params.participantId as string;
      let removedLive = false;
      liveAction('PARTICIPANT_NOT_FOUND', () => {
        removedLive = options.live?.remove(s.id, pid) ?? false;
      });
      if (!removedLive && !registry.isBarred(s.id, pid)) {
        // Not in the live room: bar it so its tokens and ticket stop working.
        const known = registry.attendance(s.id)?.find((a) => a.participantId === pid);
        registry.markRemoved(s.id, pid);
        options.tickets?.revokeParticipant(s.id, pid);
        audit({ type: 'participant.removed', sessionId: s.id, participantId: pid, ...(known?.role ? { role: known.role } : {}) });
        if (known?.role) options.webhooks?.emit('participant.removed', { sessionId: s.id, participantId: pid, role: known.role });
      }
      return { body: { participant: participantView(s.id, pid) } };
    },
    requestMute: (ctx) => {
      const s = requireOpen(ctx);
      const pid = ctx.params.participantId as string;
      const kind = ctx.body.kind as 'audio' | 'video';
      const live = options.live;
      if (!live?.participants(s.id)) throw new HttpError('NOT_LIVE');
      liveAction('NOT_LIVE', () => live.requestMute(s.id, pid, kind));
      return { status: 202, body: { participantId: pid, kind, requested: true } };
    },
    mintToken: async (ctx) => {
      const s = requireSession(ctx);
      const signer = options.tokenSigner;
      if (!signer) throw new HttpError('NOT_CONFIGURED');
      const body = ctx.body as { participantId?: string; role: 'host'; displayName: string; credentials?: string; ttlS?: number };
      if (body.credentials !== undefined && body.role !== 'host')
        throw new HttpError('INVALID_MESSAGE', "credentials (the token's credentials line) is for a host's token only.");
      const ttlS = body.ttlS ?? Math.min(options.defaultTokenTtlS ?? 3_600, signer.maxTtlS);
      if (ttlS > signer.maxTtlS) throw new HttpError('INVALID_MESSAGE', `ttlS must be an integer from 1 to ${signer.maxTtlS}.`);
      if (s.state === 'ended') throw new HttpError('SESSION_ENDED');
      const participantId = body.participantId ?? randomBytes(12).toString('base64url');
      if (registry.isBarred(s.id, participantId)) throw new HttpError('REMOVED');
      registry.recordInvited(s.id, participantId, body.role);
      const tokenId = `tok_${randomBytes(16).toString('base64url')}`;
      const { token, expiresAt } = await signer.mint(
        {
          sid: s.id,
          pid: participantId,
          role: body.role,
          name: body.displayName,
          ...(body.credentials !== undefined ? { cred: body.credentials } : {}),
          jti: tokenId,
        },
        ttlS,
      );
      revocations.recordMinted(tokenId, s.id, participantId, expiresAt);
      audit({ type: 'admin.tokenMinted', sessionId: s.id, participantId, role: body.role, detail: { ttlS } });
      return { status: 201, body: { token, tokenId, participantId, expiresAt } };
    },
    revokeToken: (ctx) => {
      const s = requireSession(ctx);
      const tokenId = ctx.params.tokenId as string;
      const minted = revocations.minted(tokenId);
      if (!minted || minted.sessionId !== s.id) throw new HttpError('TOKEN_NOT_FOUND');
      const revokedAt = revocations.revoke(tokenId);
      audit({ type: 'admin.tokenRevoked', sessionId: s.id, participantId: minted.participantId });
      return { body: { tokenId, participantId: minted.participantId, revokedAt } };
    },
    revokeParticipantTokens: (ctx) => {
      const s = requireSession(ctx);
      const pid = ctx.params.participantId as string;
      const { revokedAt, tokens } = revocations.revokeParticipant(s.id, pid);
      options.tickets?.revokeParticipant(s.id, pid);
      audit({ type: 'admin.tokensRevoked', sessionId: s.id, participantId: pid, detail: { tokens } });
      return { body: { participantId: pid, revokedAt, tokens } };
    },
    attendance: (ctx) => {
      const s = requireSession(ctx);
      const { page, next } = pageByKey(registry.attendance(s.id) ?? [], (a) => a.participantId, ctx.query);
      audit({ type: 'admin.attendanceRead', sessionId: s.id });
      return { body: { attendance: page, ...(next ? { nextCursor: next } : {}) } };
    },
    auditEvents: async (ctx) => {
      const s = requireSession(ctx);
      if (!options.audit || !options.auditFile) throw new HttpError('NOT_CONFIGURED', 'This server keeps no audit log (no data folder).');
      const limit = limitOf(ctx.query);
      const after = decodeCursor(ctx.query.cursor, (x): x is number => Number.isSafeInteger(x) && (x as number) >= 0) ?? 0;
      await options.audit.flush();
      const pid = ctx.query.participantId;
      const { records, nextAfter } = await readSessionAudit(options.auditFile, s.id, {
        afterSeq: after,
        limit,
        ...(pid !== undefined ? { pid: options.audit.pseudonym(pid) } : {}),
      });
      audit({ type: 'admin.auditRead', sessionId: s.id, detail: { count: records.length } });
      return { body: { events: records as AuditRecord[], ...(nextAfter !== undefined ? { nextCursor: encodeCursor(nextAfter) } : {}) } };
    },
    webhookDeliveries: ({ tenant, query: q }) => {
      const hooks = options.webhooks;
      const sessionVisible = (sid: string): boolean => visible(registry.get(sid), tenant);
      const scoped: ScopedWebhookDeliveryRecord[] =
        hooks === undefined
          ? []
          : hooks instanceof WebhookDispatcher
            ? hooks
                .deliveries()
                .filter((d) => d.sessionId !== undefined && sessionVisible(d.sessionId))
                .map((d) => ({ ...d, endpointScope: 'deployment' as const }))
            : hooks.deliveries(tenant, sessionVisible);
      const all = scoped.filter(
        (d) => (q.outcome === undefined || d.outcome === q.outcome) && (q.sessionId === undefined || d.sessionId === q.sessionId),
      );
      const { page, next } = pageByKey(all, (d) => `${d.endpointScope}.${d.eventId}.${d.endpointIndex}`, q);
      audit({ type: 'admin.deliveriesRead', detail: { count: page.length } });
      return { body: { deliveries: page, ...(next ? { nextCursor: next } : {}) } };
    },
  };

  /**
   * Runs an idempotent route: without a key, as usual; with one, the first answer for (tenant, key)
   * when the request matches (`replayed`), 409 `IDEMPOTENCY_CONFLICT` when it does not, otherwise the
   * route, whose answer is remembered (durably with a data folder) before it is sent.
   */
  const runIdempotent = async (route: AdminRoute, ctx: Ctx): Promise<{ result: Result; replayed: boolean }> => {
    const run = async (): Promise<Result> => impl[route.operationId as AdminOperationId](ctx);
    const raw = ctx.req.headers['idempotency-key'];
    if (raw === undefined) return { result: await run(), replayed: false };
    if (typeof raw !== 'string' || !IDEMPOTENCY_KEY_RE.test(raw))
      throw new HttpError('INVALID_MESSAGE', 'Idempotency-Key must be 1–255 printable ASCII characters.');
    const fingerprint = createHash('sha256')
      .update(`${route.operationId}\n${canonicalJson(ctx.body)}`)
      .digest('base64url');
    const found = idempotent.lookup(ctx.tenant, raw, fingerprint);
    if (found.kind === 'conflict') throw new HttpError('IDEMPOTENCY_CONFLICT');
    if (found.kind === 'replay') return { result: { status: found.record.status, body: found.record.body }, replayed: true };
    const pending = inFlight.get(found.id);
    if (pending) {
      if (pending.fingerprint !== fingerprint) throw new HttpError('IDEMPOTENCY_CONFLICT');
      return { result: await pending.done, replayed: true };
    }
    const done = (async () => {
      const result = await run();
      try {
        idempotent.remember(found.id, fingerprint, result.status ?? route.success.status, result.body);
      } catch (error) {
        // The session exists: answer it. The record is kept in memory; only a restart would forget it.
        log.error('admin.idempotencyWriteFailed', { code: (error as { code?: string }).code });
      }
      return result;
    })();
    inFlight.set(found.id, { fingerprint, done });
    try {
      return { result: await done, replayed: false };
    } finally {
      inFlight.delete(found.id);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://admin.invalid');
    const segments = url.pathname.split('/');
    const method = req.method === 'HEAD' ? 'GET' : (req.method ?? 'GET');
    const matches = compiled.filter(
      (c) =>
        c.segments.length === segments.length && c.segments.every((s, i) => (s.startsWith('{') ? segments[i] !== '' : s === segments[i])),
    );
    const match = matches.find((c) => c.route.method === method);
    const route = match?.route;
    const needsAuth = !(route && !route.auth) && !(matches.length > 0 && matches.every((c) => !c.route.auth));
    const tenant = needsAuth ? authenticate(req) : 'default';
    if (matches.length === 0) throw new HttpError('NOT_FOUND');
    if (!match || !route) {
      res.setHeader('allow', [...new Set(matches.map((c) => c.route.method))].join(', '));
      throw new HttpError('METHOD_NOT_ALLOWED');
    }
    // Path parameters.
    const params: Record<string, string> = {};
    match.segments.forEach((s, i) => {
      if (s.startsWith('{')) params[s.slice(1, -1)] = safeDecode(segments[i] as string);
    });
    let session: SessionRecord | undefined;
    if (route.params) {
      const parsed = v.safeParse(route.params, params);
      if (!parsed.success) {
        const bad = parsed.issues[0]?.path?.[0]?.key;
        throw new HttpError(
          bad === 'sessionId' ? 'SESSION_NOT_FOUND' : 'INVALID_MESSAGE',
          bad === 'sessionId' ? undefined : issueText(parsed.issues),
        );
      }
      if (params.sessionId !== undefined) {
        const s = registry.get(params.sessionId);
        if (!visible(s, tenant)) throw new HttpError('SESSION_NOT_FOUND');
        session = s;
      }
    }
    // Query string.
    const query: Record<string, string> = {};
    for (const [k, val] of url.searchParams) {
      if (Object.hasOwn(query, k)) throw new HttpError('INVALID_MESSAGE', `${k.slice(0, 40)} is given twice.`);
      query[k] = val;
    }
    if (route.query) {
      const parsed = v.safeParse(route.query, query);
      if (!parsed.success) throw new HttpError('INVALID_MESSAGE', issueText(parsed.issues));
    } else if (Object.keys(query).length > 0) {
      throw new HttpError('INVALID_MESSAGE', 'This route takes no query parameters.');
    }
    // Body.
    let body: Record<string, unknown> = {};
    if (route.body) {
      const raw = await readJson(req, bodyLimit);
      const value = raw === undefined ? {} : raw;
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new HttpError('INVALID_MESSAGE', 'The body must be a JSON object.');
      const parsed = v.safeParse(route.body, value);
      if (!parsed.success) {
        const first = parsed.issues[0]?.path?.[0]?.key;
        const policy = route.operationId === 'updatePolicy' || (route.operationId === 'createSession' && first === 'policy');
        throw new HttpError(policy ? 'INVALID_POLICY' : 'INVALID_MESSAGE', issueText(parsed.issues));
      }
      body = value as Record<string, unknown>;
    } else if (method !== 'GET') {
      req.resume();
    }
    const ctx: Ctx = { tenant, params, query, body, session, req };
    let result: Result;
    if (route.idempotent) {
      const run = await runIdempotent(route, ctx);
      if (run.replayed) res.setHeader('idempotent-replayed', 'true');
      result = run.result;
    } else {
      result = await impl[route.operationId as AdminOperationId](ctx);
    }
    send(res, result.status ?? route.success.status, result.body, req.method === 'HEAD');
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      await handle(req, res);
    } catch (error) {
      let code: AdminErrorCodeName = 'INTERNAL_ERROR';
      let message: string | undefined;
      if (error instanceof HttpError) {
        code = error.code;
        message = error.message;
      } else if (error instanceof SessionError) {
        if (
          error.code === 'INVALID_POLICY' ||
          error.code === 'TOO_MANY_SESSIONS' ||
          error.code === 'SESSION_ENDED' ||
          error.code === 'SESSION_NOT_FOUND'
        ) {
          code = error.code;
          message = error.message;
        } else if (error.code === 'INVALID_ARGUMENT') {
          code = 'INVALID_MESSAGE';
          message = error.message;
        } else {
          log.error('admin.internalError', { errorName: error.name, code: error.code });
        }
      } else {
        log.error('admin.internalError', { errorName: error instanceof Error ? error.name : 'unknown' });
      }
      if (code === 'UNAUTHENTICATED' || code === 'NOT_ALLOWED' || code === 'RATE_LIMITED') {
        log.warn('admin.authRejected', { code });
        authAudit?.record(clientAddress(req, trusted), code);
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (code === 'MESSAGE_TOO_LARGE') res.setHeader('connection', 'close');
      if (code === 'UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer');
      if (code === 'RATE_LIMITED') res.setHeader('retry-after', '60');
      send(res, ADMIN_ERRORS[code].status, { error: { code, message: message ?? ADMIN_ERRORS[code].message } }, false);
    }
  };
  return Object.assign(handler, { close: () => authAudit?.close() });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return '\u0000';
  }
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function send(res: ServerResponse, status: number, body: unknown, headOnly: boolean): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(headOnly ? undefined : text);
}

/** Reads a JSON body within `limit` bytes; `undefined` when there is none. */
async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new HttpError('MESSAGE_TOO_LARGE');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new HttpError('MESSAGE_TOO_LARGE');
    }
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();
  if (type !== 'application/json') throw new HttpError('UNSUPPORTED_MEDIA_TYPE');
  const text = Buffer.concat(chunks).toString('utf8');
  const parsed = strictJsonParse(text, { maxDepth: 8 });
  if (!parsed.ok) throw new HttpError('INVALID_JSON');
  return parsed.value;
}
