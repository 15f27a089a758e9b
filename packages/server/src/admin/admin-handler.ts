/**
 * The admin HTTP API (`/v1/...`): API-key auth, JSON, body limit, no CORS.
 * @packageDocumentation
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROLES, strictJsonParse, type Role } from '@alcove/protocol';
import type { AuditEntry } from '../audit/types.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { JoinTokenSigner } from '../auth/tokens.js';
import type { ResumeTicketStore } from '../auth/tickets.js';
import { silentLogger, type Logger } from '../logger.js';
import { SessionError } from '../sessions/errors.js';
import type { SessionRegistry } from '../sessions/registry.js';
import type { SessionRecord } from '../sessions/types.js';
import type { WebhookDispatcher } from '../webhooks/dispatcher.js';
import type { AdminErrorCode, MintTokenResponse, ParticipantsResponse, SessionView } from './types.js';

/** An API key, optionally bound to a tenant (keys of one tenant share its sessions; default tenant `default`). */
export type AdminApiKey = string | { readonly key: string; readonly tenant?: string };

/** Options of {@link createAdminHandler}. */
export interface AdminHandlerOptions {
  readonly registry: SessionRegistry;
  /** Accepted keys (`Authorization: Bearer <key>`), at least 16 characters each. */
  readonly apiKeys: readonly AdminApiKey[];
  /** Mints join tokens; without it `POST …/tokens` answers 501 `NOT_CONFIGURED`. */
  readonly tokenSigner?: JoinTokenSigner;
  readonly audit?: AuditLog;
  readonly webhooks?: WebhookDispatcher;
  /** Tickets of an ended session are revoked. */
  readonly tickets?: ResumeTicketStore;
  /** Largest request body, bytes. Default 65 536. */
  readonly bodyLimitBytes?: number;
  /** Token lifetime when the request gives none, seconds. Default 3 600 (capped by the signer). */
  readonly defaultTokenTtlS?: number;
  readonly logger?: Logger;
  /**
   * Failed authentications (401/403) allowed per client address per minute; beyond it every call
   * from that address answers 429 `RATE_LIMITED` until the minute is over. Addresses are kept in
   * memory only, never logged. Default 60.
   */
  readonly authFailuresPerMinute?: number;
  /** Clock in ms (rate limiting). Default `Date.now`. */
  readonly now?: () => number;
  /** Live side: participant ids connected now in this session. */
  readonly liveParticipants?: (sessionId: string) => readonly string[] | undefined;
  /** Live side: close this session's room (notify, disconnect). Called after the registry ended it. */
  readonly endLive?: (sessionId: string, reason: string) => void | Promise<void>;
}

/** The request handler; never throws (failures become JSON errors). */
export type AdminHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const REASON_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const ROLE_SET = new Set<string>(ROLES);
const MINT_KEYS = new Set(['participantId', 'role', 'displayName', 'ttlS']);

const STATUS: Record<AdminErrorCode, number> = {
  UNAUTHENTICATED: 401,
  NOT_ALLOWED: 403,
  SESSION_NOT_FOUND: 404,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  SESSION_ENDED: 409,
  REMOVED: 409,
  MESSAGE_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INVALID_JSON: 400,
  INVALID_MESSAGE: 400,
  INVALID_POLICY: 400,
  TOO_MANY_SESSIONS: 429,
  RATE_LIMITED: 429,
  NOT_CONFIGURED: 501,
  INTERNAL_ERROR: 500,
};
const MESSAGES: Partial<Record<AdminErrorCode, string>> = {
  UNAUTHENTICATED: 'A valid API key is required.',
  NOT_ALLOWED: 'A join token is not an API key.',
  SESSION_NOT_FOUND: 'No such session.',
  NOT_FOUND: 'No such route.',
  METHOD_NOT_ALLOWED: 'Method not allowed.',
  SESSION_ENDED: 'The session has ended.',
  REMOVED: 'This participant was removed or denied and cannot be invited again.',
  MESSAGE_TOO_LARGE: 'The request body is too large.',
  UNSUPPORTED_MEDIA_TYPE: 'The request body must be application/json.',
  NOT_CONFIGURED: 'This server has no token signing key.',
  RATE_LIMITED: 'Too many failed authentications; try again later.',
  INTERNAL_ERROR: 'The server failed to handle the request.',
};

class HttpError extends Error {
  constructor(
    readonly code: AdminErrorCode,
    message?: string,
  ) {
    super(message ?? MESSAGES[code] ?? code);
  }
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

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

/**
 * Creates the admin API handler. Routes: `GET /v1/health` (no auth), `POST /v1/sessions`,
 * `GET /v1/sessions/:id`, `POST /v1/sessions/:id/end`, `POST /v1/sessions/:id/tokens`,
 * `GET /v1/sessions/:id/participants`. Rules: no key or an unknown key → 401; a join token as the
 * key → 403; a body over the limit → 413; an unknown session and a session of another tenant answer
 * the same 404 `SESSION_NOT_FOUND`; errors are `{error:{code,message}}`; no CORS headers, `no-store`.
 * Mount it for paths under `/v1/`.
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
  const limit = options.bodyLimitBytes ?? 65_536;
  const log = options.logger ?? silentLogger;
  const { registry } = options;
  const failLimit = options.authFailuresPerMinute ?? 60;
  const now = options.now ?? Date.now;
  /** address → failures in the current minute window. */
  const failures = new Map<string, { start: number; count: number }>();
  const limited = (addr: string): boolean => {
    const f = failures.get(addr);
    return f !== undefined && now() - f.start < 60_000 && f.count >= failLimit;
  };
  const recordFailure = (addr: string): void => {
    const t = now();
    let f = failures.get(addr);
    if (!f || t - f.start >= 60_000) {
      if (failures.size >= 10_000) {
        for (const [k, v] of failures) if (t - v.start >= 60_000) failures.delete(k);
        if (failures.size >= 10_000) failures.clear();
      }
      f = { start: t, count: 0 };
      failures.set(addr, f);
    }
    f.count++;
  };

  const audit = (entry: AuditEntry): void => {
    try {
      options.audit?.append(entry);
    } catch (error) {
      log.error('audit.appendFailed', { type: entry.type, code: (error as { code?: string }).code });
    }
  };

  const authenticate = (req: IncomingMessage): string => {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer ([\x21-\x7e]{1,4096})$/.exec(header) : null;
    if (!m) throw new HttpError('UNAUTHENTICATED');
    const presented = m[1] as string;
    if (JWT_RE.test(presented) && presented.startsWith('eyJ')) throw new HttpError('NOT_ALLOWED');
    const d = digest(presented);
    let tenant: string | undefined;
    for (const k of keys) if (timingSafeEqual(k.digest, d)) tenant = k.tenant;
    if (tenant === undefined) throw new HttpError('UNAUTHENTICATED');
    return tenant;
  };

  const findSession = (id: string, tenant: string): SessionRecord => {
    const s = ID_RE.test(id) ? registry.get(id) : undefined;
    if (!s || (s.tenant !== undefined && s.tenant !== tenant)) throw new HttpError('SESSION_NOT_FOUND');
    return s;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const method = req.method ?? 'GET';
    if (path === '/v1/health') {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError('METHOD_NOT_ALLOWED');
      return send(res, 200, { status: 'ok' });
    }
    const addr = req.socket.remoteAddress ?? 'unknown';
    if (limited(addr)) throw new HttpError('RATE_LIMITED');
    let tenant: string;
    try {
      tenant = authenticate(req);
    } catch (error) {
      recordFailure(addr);
      throw error;
    }
    const parts = path.split('/');
    // ['', 'v1', 'sessions', id?, action?]
    if (parts[1] !== 'v1' || parts[2] !== 'sessions' || parts.length > 5) throw new HttpError('NOT_FOUND');
    if (parts.length === 3) {
      if (method !== 'POST') throw new HttpError('METHOD_NOT_ALLOWED');
      const body = await readJson(req, limit);
      const obj = body === undefined ? {} : asObject(body);
      for (const k of Object.keys(obj))
        if (k !== 'policy') throw new HttpError('INVALID_MESSAGE', `Unknown field ${JSON.stringify(k.slice(0, 40))}.`);
      const record = registry.create(obj.policy ?? {}, { tenant });
      audit({ type: 'session.created', sessionId: record.id, actor: 'admin' });
      options.webhooks?.emit('session.created', { sessionId: record.id });
      log.info('admin.sessionCreated', { sessionId: record.id });
      return send(res, 201, { session: toSessionView(record) });
    }
    const id = parts[3] as string;
    const action = parts[4];
    const session = findSession(id, tenant);
    if (action === undefined) {
      if (method !== 'GET') throw new HttpError('METHOD_NOT_ALLOWED');
      audit({ type: 'admin.sessionRead', sessionId: session.id, actor: 'admin' });
      return send(res, 200, { session: toSessionView(session) });
    }
    if (action === 'end') {
      if (method !== 'POST') throw new HttpError('METHOD_NOT_ALLOWED');
      const body = await readJson(req, limit);
      const obj = body === undefined ? {} : asObject(body);
      for (const k of Object.keys(obj))
        if (k !== 'reason') throw new HttpError('INVALID_MESSAGE', `Unknown field ${JSON.stringify(k.slice(0, 40))}.`);
      const reason = obj.reason ?? 'admin';
      if (typeof reason !== 'string' || !REASON_RE.test(reason)) throw new HttpError('INVALID_MESSAGE', 'reason must be a short code.');
      if (session.state === 'ended') return send(res, 200, { session: toSessionView(session) });
      const ended = registry.end(session.id, reason);
      options.tickets?.revokeSession(session.id);
      try {
        await options.endLive?.(session.id, reason);
      } catch {
        log.error('admin.endLiveFailed', { sessionId: session.id });
      }
      audit({ type: 'session.ended', sessionId: session.id, actor: 'admin', reason });
      options.webhooks?.emit('session.ended', { sessionId: session.id, reason });
      log.info('admin.sessionEnded', { sessionId: session.id, reason });
      return send(res, 200, { session: toSessionView(ended) });
    }
    if (action === 'tokens') {
      if (method !== 'POST') throw new HttpError('METHOD_NOT_ALLOWED');
      const signer = options.tokenSigner;
      const body = await readJson(req, limit);
      if (!signer) throw new HttpError('NOT_CONFIGURED');
      const input = parseMint(body === undefined ? {} : asObject(body), signer.maxTtlS, options.defaultTokenTtlS ?? 3_600);
      if (session.state === 'ended') throw new HttpError('SESSION_ENDED');
      const participantId = input.participantId ?? randomBytes(12).toString('base64url');
      if (registry.isBarred(session.id, participantId)) throw new HttpError('REMOVED');
      registry.recordInvited(session.id, participantId, input.role);
      const { token, expiresAt } = await signer.mint(
        { sid: session.id, pid: participantId, role: input.role, name: input.displayName },
        input.ttlS,
      );
      audit({
        type: 'admin.tokenMinted',
        sessionId: session.id,
        participantId,
        role: input.role,
        actor: 'admin',
        detail: { ttlS: input.ttlS },
      });
      const out: MintTokenResponse = { token, participantId, expiresAt };
      return send(res, 201, out);
    }
    if (action === 'participants') {
      if (method !== 'GET') throw new HttpError('METHOD_NOT_ALLOWED');
      const live = options.liveParticipants?.(session.id);
      audit({ type: 'admin.participantsRead', sessionId: session.id, actor: 'admin' });
      const out: ParticipantsResponse = { participants: registry.attendance(session.id) ?? [], ...(live ? { live: [...live] } : {}) };
      return send(res, 200, out);
    }
    throw new HttpError('NOT_FOUND');
  };

  return async (req, res) => {
    try {
      await handle(req, res);
    } catch (error) {
      let code: AdminErrorCode = 'INTERNAL_ERROR';
      let message: string | undefined;
      if (error instanceof HttpError) {
        code = error.code;
        message = error.message;
      } else if (
        error instanceof SessionError &&
        (error.code === 'INVALID_POLICY' || error.code === 'TOO_MANY_SESSIONS' || error.code === 'SESSION_ENDED')
      ) {
        code = error.code;
        message = error.message;
      } else {
        log.error('admin.internalError', { errorName: error instanceof Error ? error.name : 'unknown' });
      }
      if (code === 'UNAUTHENTICATED' || code === 'NOT_ALLOWED') log.warn('admin.authRejected', { code });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (code === 'MESSAGE_TOO_LARGE') res.setHeader('connection', 'close');
      if (code === 'UNAUTHENTICATED') res.setHeader('www-authenticate', 'Bearer');
      if (code === 'RATE_LIMITED') res.setHeader('retry-after', '60');
      send(res, STATUS[code], { error: { code, message: message ?? MESSAGES[code] ?? code } });
    }
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/** Reads a JSON body within `limit` bytes; `undefined` when there is none. */
async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? NaN);
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
  if (!parsed.ok) throw new HttpError('INVALID_JSON', 'The body is not valid JSON.');
  return parsed.value;
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HttpError('INVALID_MESSAGE', 'The body must be a JSON object.');
  return value as Record<string, unknown>;
}

function parseMint(
  o: Record<string, unknown>,
  maxTtlS: number,
  defaultTtlS: number,
): { participantId?: string; role: Role; displayName: string; ttlS: number } {
  for (const k of Object.keys(o))
    if (!MINT_KEYS.has(k)) throw new HttpError('INVALID_MESSAGE', `Unknown field ${JSON.stringify(k.slice(0, 40))}.`);
  const { participantId, role, displayName, ttlS } = o;
  if (participantId !== undefined && (typeof participantId !== 'string' || !ID_RE.test(participantId))) {
    throw new HttpError('INVALID_MESSAGE', 'participantId must be 1–64 characters of A–Z a–z 0–9 _ -.');
  }
  if (typeof role !== 'string' || !ROLE_SET.has(role)) throw new HttpError('INVALID_MESSAGE', `role must be one of ${ROLES.join(', ')}.`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse control characters in display names
  if (typeof displayName !== 'string' || displayName.length < 1 || displayName.length > 80 || /[\u0000-\u001f\u007f]/.test(displayName)) {
    throw new HttpError('INVALID_MESSAGE', 'displayName must be 1–80 characters without control characters.');
  }
  const ttl = ttlS ?? Math.min(defaultTtlS, maxTtlS);
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > maxTtlS)
    throw new HttpError('INVALID_MESSAGE', `ttlS must be an integer from 1 to ${maxTtlS}.`);
  return { ...(participantId !== undefined ? { participantId: participantId as string } : {}), role: role as Role, displayName, ttlS: ttl };
}
