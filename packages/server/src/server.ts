/**
 * `createAlcoveServer`: the embedded default — one process composing the admin HTTP API (`/v1/…`),
 * the WebSocket signalling endpoint (`/ws`), the media worker, the session registry, resume tickets,
 * the audit log and webhooks — with graceful shutdown.
 * @packageDocumentation
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ErrorCode, RequestMethod } from '@alcove/protocol';
import { createAdminHandler, type AdminApiKey } from './admin/admin-handler.js';
import { roomLiveOps } from './admin/live-ops.js';
import { clientAddress, normalizeAddress } from './admin/lockout.js';
import { REVOCATIONS_FILE, TokenRevocations } from './admin/revocations.js';
import { InvalidTokenError, TokenKeyError } from './auth/errors.js';
import { AuditLog, loadOrCreateAuditKey } from './audit/audit-log.js';
import type { AuditEntry } from './audit/types.js';
import { DEFAULT_TENANT, createTenantKeyring, type TenantOptions, type TenantQuotas } from './auth/tenants.js';
import { ResumeTicketStore } from './auth/tickets.js';
import type { EdDsaKeyInput, Hs256SecretInput } from './auth/tokens.js';
import { createLogger, type Logger, type LogLevel } from './logger.js';
import type { CreateEngineWorker } from './media/engine-types.js';
import { ENGINE_LOG_LEVELS, createSfuWorker } from './media/sfu-engine.js';
import { createWorkerPool } from './media/worker-pool.js';
import type { RoomEvents, LiveOptions } from './rooms/deps.js';
import { RoomManager } from './rooms/room-manager.js';
import { SessionRegistry } from './sessions/registry.js';
import type { RateLimitOptions } from './signaling/rate-limiter.js';
import { SignalingServer } from './signaling/signaling-server.js';
import { type TurnOptions, validateTurnOptions } from './turn/credentials.js';
import type { WebhookEndpoint, WebhookRetryOptions } from './webhooks/dispatcher.js';
import { TenantWebhookRouter } from './webhooks/tenant-router.js';

/** Options of {@link createAlcoveServer}. Every field is optional except a token key. */
export interface AlcoveServerOptions {
  /** HTTP/WebSocket listen address. Default `127.0.0.1`. */
  readonly host?: string;
  /** HTTP/WebSocket port; 0 picks a free one. Default 8080. */
  readonly port?: number;
  /** Serve the admin API on its own port (bound to `host`) instead of beside `/ws`. */
  readonly adminPort?: number;
  /** Longest graceful shutdown, ms. Default 9 000 (the process exits within 10 s). */
  readonly shutdownTimeoutMs?: number;
  /** Most sessions the registry holds (when it opens one). Default 10 000. */
  readonly maxSessions?: number;
  /** Browser origins allowed to open a signalling socket (`*`: any). Default none (non-browser clients only). */
  readonly allowedOrigins?: readonly string[];
  /** Admin API keys. Without any, every admin route answers 401. */
  readonly apiKeys?: readonly AdminApiKey[];
  /**
   * Reverse proxies (their addresses) whose `X-Forwarded-For` is believed: the admin API's
   * failed-authentication limit and the signalling per-address limits count the client address
   * (the right-most entry that is not a trusted proxy). Default none (the socket's peer address counts).
   */
  readonly trustedProxies?: readonly string[];
  /**
   * Join-token keys of the `default` tenant: an HS256 secret (or several while it rotates: the first
   * signs, every one verifies) and/or an EdDSA public key (verification); a private key lets the
   * admin API mint. May be empty when {@link AlcoveServerOptions.tenants} names every tenant's keys.
   */
  readonly tokens: {
    readonly hs256Secret?: Hs256SecretInput | readonly Hs256SecretInput[];
    readonly eddsaPublicKey?: EdDsaKeyInput;
    readonly eddsaPrivateKey?: EdDsaKeyInput;
    readonly maxTtlS?: number;
  };
  /**
   * Tenants, each with its own token keys, admin API keys and quotas. A token signed with one
   * tenant's key never joins another tenant's session. The `tokens` and `apiKeys` above belong to the
   * tenant `default` (an entry with id `default` adds keys and quotas to it).
   */
  readonly tenants?: readonly TenantOptions[];
  /** Quotas of every tenant that does not set its own (the `default` tenant included). */
  readonly tenantDefaults?: TenantQuotas;
  /** Folder for `sessions.json`, the audit log and its key. Without it, state is in memory and no audit is written. */
  readonly dataDir?: string;
  /** Default `info`. Ignored when `logger` is given. */
  readonly logLevel?: LogLevel;
  readonly logger?: Logger;
  /**
   * WebRTC: listen IP, announced address (the public IP of a server behind NAT), port range of the
   * media worker; `tcp: false` stops offering its ICE-TCP port (same number as UDP when free).
   */
  readonly rtc?: {
    readonly listenIp?: string;
    readonly announcedAddress?: string;
    readonly minPort?: number;
    readonly maxPort?: number;
    readonly tcp?: boolean;
    /**
     * Media workers (engine threads) to start; each session's router goes to the least-loaded one.
     * Default: one per core, but no more than the ports of `minPort..maxPort`, which they share out.
     */
    readonly workers?: number;
  };
  /**
   * TURN relays (e.g. coturn with `use-auth-secret`): each admitted participant gets short-lived
   * credentials for these URLs (TURN REST API scheme), used as `iceServers` by `@alcove/core`.
   */
  readonly turn?: TurnOptions;
  /**
   * Deployment-level webhook receivers, and the delivery options of every receiver. They get the
   * events of the tenants that have no receivers of their own ({@link TenantOptions.webhooks}); a
   * tenant with its own gets its events there only.
   */
  readonly webhooks?: {
    readonly endpoints: readonly WebhookEndpoint[];
    readonly retry?: WebhookRetryOptions;
    readonly fetch?: typeof fetch;
    /**
     * Allow endpoints on loopback, private, link-local (cloud metadata) and other non-public
     * addresses. Default false: such endpoints are refused.
     */
    readonly allowPrivateNetworks?: boolean;
  };
  readonly limits?: {
    /** Largest signalling message, bytes (close 1009 above). Default 64 KiB. */
    readonly maxPayload?: number;
    readonly rateLimit?: Partial<RateLimitOptions>;
    readonly maxConnections?: number;
    /** Most sockets from one source address. Default 50. */
    readonly maxConnectionsPerAddress?: number;
    /** Most sockets from one source address that have not joined yet. Default 8. */
    readonly maxPendingPerAddress?: number;
    /** Join/resume attempts from one source address: `perMinute` sustained, `burst` at once. Default 60/min, burst 20. */
    readonly joinRateLimit?: { readonly perMinute?: number; readonly burst?: number };
    /** Unauthenticated sockets close after this long. Default 10 000 ms. */
    readonly authTimeoutMs?: number;
    /** Largest admin request body, bytes. Default 64 KiB (a session policy with its checklist fits). */
    readonly bodyLimitBytes?: number;
  };
  /** Grace window, heartbeats, media limits. */
  readonly live?: LiveOptions;
  /** Media engine factory. Default `createWorker` of `@alcove/sfu`. */
  readonly createWorker?: CreateEngineWorker;
  /** Inject a registry (tests). Default: opened on `dataDir`. */
  readonly registry?: SessionRegistry;
  /**
   * Enables {@link FaultHooks} (`server.faults`) for tests: dropping a participant's transports,
   * pausing forwarding or refusing requests on demand. Never enable in production. Default false.
   */
  readonly enableFaultHooks?: boolean;
  /** Called when the server can no longer work (the media worker died). Default: nothing. */
  readonly onFatal?: (reason: 'media-worker-died') => void;
}

/** Test-only fault injection (see {@link AlcoveServerOptions.enableFaultHooks}). */
export interface FaultHooks {
  /** Closes the participant's transports; it receives `media.transportClosed` for each. Returns how many. */
  dropTransports(sessionId: string, participantId: string): number;
  /** Stops (true) or restarts (false) forwarding media to the participant, silently. */
  pauseForwarding(sessionId: string, participantId: string, paused: boolean): Promise<void>;
  /** Cuts the participant's signalling socket without a close handshake. */
  dropConnection(sessionId: string, participantId: string): boolean;
  /**
   * Answers the participant's next `count` requests of `method` with the error `code` instead of
   * handling them (e.g. `media.consume` refused as `RATE_LIMITED`). Returns false when no such participant.
   */
  refuseRequests(sessionId: string, participantId: string, method: RequestMethod, code: ErrorCode, count: number): boolean;
}

/** A running (or ready to run) server. */
export interface AlcoveServer {
  /** Listens; resolves with the bound address. */
  start(): Promise<AddressInfo>;
  /**
   * Graceful shutdown: every client gets `session.shutdown`, sockets close, the media worker,
   * webhooks (bounded flush), audit log (after the admin API's pending lines, e.g. coalesced failed
   * authentications, are written) and registry close. Resolves within 10 s. Idempotent.
   */
  close(): Promise<void>;
  /** The bound address once started. */
  readonly address: AddressInfo | undefined;
  /** `http://host:port` once started. */
  readonly url: string | undefined;
  /** The admin listener's address when `adminPort` is set. */
  readonly adminAddress: AddressInfo | undefined;
  /** `ws://host:port/ws` once started. */
  readonly wsUrl: string | undefined;
  readonly registry: SessionRegistry;
  readonly tickets: ResumeTicketStore;
  readonly logger: Logger;
  /** Present only with `enableFaultHooks: true`. */
  readonly faults: FaultHooks | undefined;
}

/**
 * Builds the server (nothing listens until `start()`).
 * @example
 * ```ts
 * const server = await createAlcoveServer({ port: 8080, tokens: { hs256Secret }, apiKeys: [apiKey], dataDir: './data' });
 * await server.start();
 * process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
 * ```
 * @throws when the token configuration is unusable or the data folder cannot be opened.
 */
export async function createAlcoveServer(options: AlcoveServerOptions): Promise<AlcoveServer> {
  if (options.turn) validateTurnOptions(options.turn);
  const logger = options.logger ?? createLogger({ level: options.logLevel ?? 'info' });
  const tenants = resolveTenants(options);
  const quotaOf = (tenant: string): TenantQuotas => tenants.find((x) => x.id === tenant) ?? options.tenantDefaults ?? {};
  const registry =
    options.registry ??
    SessionRegistry.open({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.maxSessions !== undefined ? { maxSessions: options.maxSessions } : {}),
      tenantQuota: (tenant) => quotaOf(tenant).maxSessions,
    });
  const tickets = new ResumeTicketStore();
  const t = options.tokens;
  const keyring = createTenantKeyring({
    tenants,
    tenantOf: (sid) => registry.get(sid)?.tenant,
    ...(t.maxTtlS !== undefined ? { maxTtlS: t.maxTtlS } : {}),
    isBarred: (sid, pid) => registry.isBarred(sid, pid),
  });
  // Tokens revoked through the admin API (by id, or every one of a participant) are refused.
  const revocations = new TokenRevocations(options.dataDir ? { file: join(options.dataDir, REVOCATIONS_FILE) } : {});
  const verifyToken = async (token: string) => {
    const claims = await keyring.verify(token);
    if (revocations.isRevoked(claims)) throw new InvalidTokenError('revoked');
    return claims;
  };
  const tokenSigner = keyring.signer;
  const audit = options.dataDir
    ? await AuditLog.open(join(options.dataDir, 'audit.log'), {
        pseudonymKey: loadOrCreateAuditKey(join(options.dataDir, 'audit.key')),
        onError: (e) => logger.error('audit.failed', { code: e.code }),
      })
    : undefined;
  if (!audit) logger.warn('audit.disabled', { why: 'no-data-dir' });
  let webhooks: TenantWebhookRouter | undefined;
  const tenantHooks = new Map<string, readonly WebhookEndpoint[]>();
  for (const x of options.tenants ?? []) if (x.webhooks && x.webhooks.length > 0) tenantHooks.set(x.id, x.webhooks);
  if ((options.webhooks && options.webhooks.endpoints.length > 0) || tenantHooks.size > 0) {
    const w = options.webhooks;
    // With a data folder, deliveries survive a restart (durable outboxes); without one, in memory.
    webhooks = await TenantWebhookRouter.open(
      {
        endpoints: w?.endpoints ?? [],
        tenants: tenantHooks,
        tenantOf: (sid) => {
          const record = registry.get(sid);
          return record ? (record.tenant ?? DEFAULT_TENANT) : undefined;
        },
        logger,
        ...(w?.retry ? { retry: w.retry } : {}),
        ...(w?.fetch ? { fetch: w.fetch } : {}),
        ...(w?.allowPrivateNetworks ? { allowPrivateNetworks: true } : {}),
      },
      options.dataDir,
    );
  }
  const events: RoomEvents = {
    audit(entry: AuditEntry) {
      try {
        audit?.append(entry);
      } catch (error) {
        logger.error('audit.appendFailed', { type: entry.type, code: (error as { code?: string }).code });
      }
    },
    webhook(type, data) {
      try {
        webhooks?.emit(type, data);
      } catch (error) {
        logger.error('webhook.emitFailed', { type, error: error instanceof Error ? error.name : 'unknown' });
      }
    },
  };
  const createWorker = options.createWorker ?? createSfuWorker;
  const rtc = options.rtc ?? {};
  // One media worker per core (rtc.workers), each session's router on the least-loaded one.
  const worker = await createWorkerPool(
    createWorker,
    {
      listenIp: rtc.listenIp ?? '127.0.0.1',
      ...(rtc.minPort !== undefined ? { rtcMinPort: rtc.minPort } : {}),
      ...(rtc.maxPort !== undefined ? { rtcMaxPort: rtc.maxPort } : {}),
      // The engine's records (already redacted in its thread) go through this logger's redaction too.
      logLevel: ENGINE_LOG_LEVELS[logger.level],
      logger: logger.child({ component: 'sfu' }),
    },
    rtc.workers,
  );
  worker.on('died', () => {
    logger.error('media.workerDied', {});
    rooms.close();
    options.onFatal?.('media-worker-died');
  });
  const live: LiveOptions = {
    ...options.live,
    rtcListenIp: rtc.listenIp ?? options.live?.rtcListenIp ?? '127.0.0.1',
    ...(rtc.announcedAddress ? { announcedAddress: rtc.announcedAddress } : {}),
    ...(rtc.tcp === false ? { rtcTcp: false } : {}),
    ...(options.turn ? { turn: options.turn } : {}),
  };
  const rooms = new RoomManager({ registry, tickets, events, logger, worker, options: live });
  const limits = options.limits ?? {};
  const signaling = new SignalingServer({
    rooms,
    tickets,
    verifyToken,
    events,
    logger,
    allowedOrigins: options.allowedOrigins ?? [],
    // Behind a trusted reverse proxy, per-address limits count the forwarded client address.
    ...(options.trustedProxies && options.trustedProxies.length > 0
      ? { clientAddress: (req: IncomingMessage) => clientAddress(req, new Set(options.trustedProxies?.map(normalizeAddress))) }
      : {}),
    // Per-tenant participant quota: everyone waiting, admitted or in their grace window counts.
    admitQuota: (sessionId, participantId) => {
      const tenant = registry.get(sessionId)?.tenant ?? DEFAULT_TENANT;
      const max = quotaOf(tenant).maxParticipants;
      if (max === undefined || rooms.get(sessionId)?.participant(participantId)) return true;
      let n = 0;
      for (const room of rooms.rooms())
        if (!room.ended && (registry.get(room.sessionId)?.tenant ?? DEFAULT_TENANT) === tenant) n += room.participants().length;
      return n < max;
    },
    ...(limits.maxConnectionsPerAddress !== undefined ? { maxConnectionsPerAddress: limits.maxConnectionsPerAddress } : {}),
    ...(limits.maxPendingPerAddress !== undefined ? { maxPendingPerAddress: limits.maxPendingPerAddress } : {}),
    ...(limits.joinRateLimit ? { joinRateLimit: limits.joinRateLimit } : {}),
    ...(limits.maxPayload !== undefined ? { maxPayload: limits.maxPayload } : {}),
    ...(limits.rateLimit ? { rateLimit: limits.rateLimit } : {}),
    ...(limits.authTimeoutMs !== undefined ? { authTimeoutMs: limits.authTimeoutMs } : {}),
    ...(limits.maxConnections !== undefined ? { maxConnections: limits.maxConnections } : {}),
    ...(live.heartbeatMs !== undefined ? { heartbeatMs: live.heartbeatMs } : {}),
  });
  const admin = createAdminHandler({
    registry,
    apiKeys: [
      ...(options.apiKeys ?? []),
      ...(options.tenants ?? []).flatMap((x) => (x.apiKeys ?? []).map((key) => ({ key, tenant: x.id }))),
    ],
    ...(tokenSigner ? { tokenSigner } : {}),
    ...(audit && options.dataDir ? { audit, auditFile: join(options.dataDir, 'audit.log') } : {}),
    ...(webhooks ? { webhooks } : {}),
    tickets,
    revocations,
    live: roomLiveOps(rooms),
    logger,
    ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
    ...(limits.bodyLimitBytes !== undefined ? { bodyLimitBytes: limits.bodyLimitBytes } : {}),
  });
  registry.on('ended', (record) => {
    rooms.endLive(record.id, 'admin');
  });

  const notFound = (res: ServerResponse): void => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Not found.' } }));
  };
  const serveAdmin = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith('/v1/')) void admin(req, res);
    else notFound(res);
  };
  const separateAdmin = options.adminPort !== undefined;
  const http: Server = createServer(separateAdmin ? (_req, res) => notFound(res) : serveAdmin);
  const adminHttp: Server | undefined = separateAdmin ? createServer(serveAdmin) : undefined;
  adminHttp?.on('clientError', (_err, socket) => socket.destroy());
  http.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    if (!signaling.handleUpgrade(req, socket, head)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
    }
  });
  http.on('clientError', (_err, socket) => socket.destroy());

  let address: AddressInfo | undefined;
  let closing: Promise<void> | undefined;

  const faults: FaultHooks | undefined =
    options.enableFaultHooks === true
      ? {
          dropTransports: (sid, pid) => rooms.get(sid)?.media.dropTransports(pid) ?? 0,
          pauseForwarding: async (sid, pid, paused) => {
            await rooms.get(sid)?.media.pauseForwarding(pid, paused);
          },
          refuseRequests: (sid, pid, method, code, count) => {
            const p = rooms.get(sid)?.participant(pid);
            if (!p) return false;
            p.refusals.set(method, { code, count });
            return true;
          },
          dropConnection: (sid, pid) => {
            const conn = rooms.get(sid)?.participant(pid)?.connection as { drop?: () => void } | undefined;
            if (!conn?.drop) return false;
            conn.drop();
            return true;
          },
        }
      : undefined;
  if (faults) logger.warn('faultHooks.enabled', {});

  const close = async (): Promise<void> => {
    rooms.close();
    await signaling.close(3000);
    await Promise.all(
      [http, adminHttp].map(
        (srv) =>
          new Promise<void>((resolve) => {
            if (!srv?.listening) return resolve();
            srv.close(() => resolve());
            srv.closeAllConnections();
          }),
      ),
    );
    // No admin request comes any more: the failed authentications still being counted go to the audit trail.
    admin.close();
    try {
      worker.close();
    } catch {
      // already gone
    }
    await webhooks?.close({ timeoutMs: 3000 });
    await audit?.close();
    try {
      revocations.flush();
    } catch {
      logger.error('revocations.flushFailed', {});
    }
    registry.close();
    logger.info('server.stopped', {});
  };

  const server: AlcoveServer = {
    async start() {
      const host = options.host ?? '127.0.0.1';
      await new Promise<void>((resolve, reject) => {
        http.once('error', reject);
        http.listen(options.port ?? 8080, host, () => {
          http.off('error', reject);
          resolve();
        });
      });
      address = http.address() as AddressInfo;
      if (adminHttp) {
        await new Promise<void>((resolve, reject) => {
          adminHttp.once('error', reject);
          adminHttp.listen(options.adminPort, host, () => {
            adminHttp.off('error', reject);
            resolve();
          });
        });
      }
      logger.info('server.started', { port: address.port });
      return address;
    },
    close() {
      closing ??= Promise.race([close(), new Promise<void>((resolve) => setTimeout(resolve, options.shutdownTimeoutMs ?? 9_000).unref())]);
      return closing;
    },
    get address() {
      return address;
    },
    get adminAddress() {
      return (adminHttp?.address() as AddressInfo | null) ?? undefined;
    },
    get url() {
      return address ? `http://${hostOf(address)}:${address.port}` : undefined;
    },
    get wsUrl() {
      return address ? `ws://${hostOf(address)}:${address.port}/ws` : undefined;
    },
    registry,
    tickets,
    logger,
    faults,
  };
  ROOMS.set(server, rooms);
  return server;
}

const ROOMS = new WeakMap<AlcoveServer, RoomManager>();

/**
 * The live rooms of a server built by {@link createAlcoveServer}, for the package's own tests. Not
 * exported by any entry: rooms are internals; integrators see sessions through the admin API.
 * @internal
 */
export function roomsOf(server: AlcoveServer): RoomManager {
  const rooms = ROOMS.get(server);
  if (!rooms) throw new TypeError('not a server built by createAlcoveServer');
  return rooms;
}

/** The tenants with keys: `default` from `tokens` (plus a `default` entry), then the others; quotas filled from `tenantDefaults`. */
function resolveTenants(options: AlcoveServerOptions): TenantOptions[] {
  const t = options.tokens;
  const list = <T>(v: T | readonly T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? [...(v as T[])] : [v as T]);
  const extra = options.tenants ?? [];
  const own = extra.find((x) => x.id === DEFAULT_TENANT);
  const defaults = options.tenantDefaults ?? {};
  const withQuotas = (x: TenantOptions): TenantOptions => ({
    ...x,
    ...(x.maxSessions === undefined && defaults.maxSessions !== undefined ? { maxSessions: defaults.maxSessions } : {}),
    ...(x.maxParticipants === undefined && defaults.maxParticipants !== undefined ? { maxParticipants: defaults.maxParticipants } : {}),
  });
  const privateKey = t.eddsaPrivateKey ?? own?.eddsaPrivateKey;
  const { eddsaPrivateKey: _ownPrivate, ...ownRest } = own ?? { id: DEFAULT_TENANT };
  const dflt: TenantOptions = {
    ...ownRest,
    id: DEFAULT_TENANT,
    hs256Secrets: [...list<Hs256SecretInput>(t.hs256Secret), ...(own?.hs256Secrets ?? [])],
    eddsaPublicKeys: [...list<EdDsaKeyInput>(t.eddsaPublicKey), ...(own?.eddsaPublicKeys ?? [])],
    ...(privateKey !== undefined ? { eddsaPrivateKey: privateKey } : {}),
  };
  const hasKeys = (dflt.hs256Secrets?.length ?? 0) + (dflt.eddsaPublicKeys?.length ?? 0) > 0 || dflt.eddsaPrivateKey !== undefined;
  const out = [...(hasKeys ? [dflt] : []), ...extra.filter((x) => x.id !== DEFAULT_TENANT)].map(withQuotas);
  if (out.length === 0) throw new TokenKeyError('A join-token key is required (tokens, or a tenant with keys).');
  return out;
}

function hostOf(a: AddressInfo): string {
  return a.family === 'IPv6' ? `[${a.address}]` : a.address;
}
