/**
 * Per-tenant webhooks: each tenant with receivers of its own gets its own dispatcher (its own URLs,
 * signing secrets, queue, delivery log and outbox file); the deployment-level receivers get only the
 * events of tenants without any. One tenant's events never reach another tenant's receivers.
 * @packageDocumentation
 */
import { join } from 'node:path';
import { silentLogger, type Logger } from '../logger.js';
import { WebhookDispatcher, type WebhookDeliveryRecord, type WebhookDispatcherOptions, type WebhookEndpoint } from './dispatcher.js';
import { WebhookConfigError } from './errors.js';
import type { WebhookEventMap, WebhookEventType } from './types.js';

/** The tenant of sessions created without one (the same as `DEFAULT_TENANT` of the auth module). */
const DEFAULT_TENANT = 'default';
/** A tenant id, as the tenants file and `createTenantKeyring` accept it. */
const TENANT_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Which list of receivers a delivery's `endpointIndex` refers to. */
export type WebhookEndpointScope = 'tenant' | 'deployment';

/** A delivery of the log, with the list its endpoint belongs to. */
export type ScopedWebhookDeliveryRecord = WebhookDeliveryRecord & {
  /** `tenant`: one of the tenant's own receivers; `deployment`: one of the deployment-level ones. */
  readonly endpointScope: WebhookEndpointScope;
};

/** Options of {@link TenantWebhookRouter}: those of the dispatcher, shared by every tenant, plus the routing. */
export interface TenantWebhookRouterOptions extends Omit<WebhookDispatcherOptions, 'endpoints'> {
  /** Deployment-level receivers: they get the events of every tenant that has no receivers of its own. */
  readonly endpoints: readonly WebhookEndpoint[];
  /** Each tenant's own receivers (a tenant with none, or not listed, uses the deployment-level ones). */
  readonly tenants: ReadonlyMap<string, readonly WebhookEndpoint[]>;
  /**
   * The tenant of a session (`default` for one created without a tenant); `undefined` for a session
   * the registry does not know (any more). Such a session's events go to the deployment-level
   * receivers only when no tenant has receivers of its own; otherwise they are dropped (and logged),
   * since they might be a tenant's.
   */
  readonly tenantOf: (sessionId: string) => string | undefined;
}

/** The outbox file of a tenant's dispatcher, in the data folder (the deployment-level one is `webhooks.outbox`). */
export function tenantOutboxFile(dataDir: string, tenant: string): string {
  return join(dataDir, `webhooks.tenant-${tenant}.outbox`);
}

/**
 * Routes each event to the receivers of the tenant its session belongs to: to the tenant's own when
 * it has any (and then only there), otherwise to the deployment-level ones. Every event's `data` has
 * a `sessionId`; an event without one goes to the deployment-level receivers.
 * @example
 * ```ts
 * const hooks = await TenantWebhookRouter.open({
 *   endpoints: [{ url: 'https://host.example/alcove', secret: hostSecret }],
 *   tenants: new Map([['acme', [{ url: 'https://ehr.acme.example/alcove', secret: [acmeNew, acmeOld] }]]]),
 *   tenantOf: (sid) => registry.get(sid)?.tenant,
 * }, dataDir);
 * hooks.emit('session.created', { sessionId }); // to acme's receiver only, if the session is acme's
 * ```
 */
export class TenantWebhookRouter {
  readonly #deployment: WebhookDispatcher | undefined;
  readonly #tenants: ReadonlyMap<string, WebhookDispatcher>;
  readonly #tenantOf: (sessionId: string) => string | undefined;
  readonly #log: Logger;

  private constructor(
    deployment: WebhookDispatcher | undefined,
    tenants: ReadonlyMap<string, WebhookDispatcher>,
    tenantOf: (sessionId: string) => string | undefined,
    log: Logger,
  ) {
    this.#deployment = deployment;
    this.#tenants = tenants;
    this.#tenantOf = tenantOf;
    this.#log = log;
  }

  /**
   * Builds the dispatchers: in memory without `dataDir`; with it, each with its durable outbox
   * (`webhooks.outbox` for the deployment-level receivers, `webhooks.tenant-<id>.outbox` per tenant).
   * @throws {@link WebhookConfigError} for an invalid endpoint (a tenant's names the tenant) or tenant id.
   */
  static async open(options: TenantWebhookRouterOptions, dataDir?: string): Promise<TenantWebhookRouter> {
    const { endpoints, tenants, tenantOf, ...common } = options;
    const log = common.logger ?? silentLogger;
    const make = async (eps: readonly WebhookEndpoint[], file: string | undefined, tenant?: string): Promise<WebhookDispatcher> => {
      // Log lines say which list, never the tenant id or the URL.
      const o: WebhookDispatcherOptions = {
        ...common,
        endpoints: eps,
        logger: log.child({ webhookScope: tenant ? 'tenant' : 'deployment' }),
      };
      return file ? WebhookDispatcher.open({ ...o, outboxFile: file }) : new WebhookDispatcher(o);
    };
    const built = new Map<string, WebhookDispatcher>();
    const close = async (): Promise<void> => {
      await Promise.all([...built.values()].map((d) => d.close({ timeoutMs: 0 })));
    };
    try {
      for (const [tenant, eps] of tenants) {
        if (!TENANT_ID_RE.test(tenant)) throw new WebhookConfigError('A tenant id must be 1-64 of A-Z a-z 0-9 _ -.');
        if (eps.length === 0) continue;
        try {
          built.set(tenant, await make(eps, dataDir ? tenantOutboxFile(dataDir, tenant) : undefined, tenant));
        } catch (error) {
          if (error instanceof WebhookConfigError) throw new WebhookConfigError(`Tenant ${tenant}: ${error.message}`);
          throw error;
        }
      }
      const deployment = endpoints.length > 0 ? await make(endpoints, dataDir ? join(dataDir, 'webhooks.outbox') : undefined) : undefined;
      return new TenantWebhookRouter(deployment, built, tenantOf, log);
    } catch (error) {
      await close();
      throw error;
    }
  }

  /** Tenants with receivers of their own. */
  get tenants(): readonly string[] {
    return [...this.#tenants.keys()];
  }

  /** Deliveries in flight or waiting to retry, every dispatcher together. */
  get pending(): number {
    let n = this.#deployment?.pending ?? 0;
    for (const d of this.#tenants.values()) n += d.pending;
    return n;
  }

  /**
   * Queues an event for the receivers of its session's tenant (see the class) and returns its id;
   * `undefined` when nobody receives it or after {@link TenantWebhookRouter.close}.
   */
  emit<T extends WebhookEventType>(type: T, data: WebhookEventMap[T]): string | undefined {
    const sid = (data as { sessionId?: unknown }).sessionId;
    if (typeof sid !== 'string') return this.#deployment?.emit(type, data);
    const tenant = this.#tenantOf(sid);
    if (tenant === undefined && this.#tenants.size > 0) {
      // Perhaps a tenant's session forgotten since: never let it fall through to the deployment.
      this.#log.warn('webhook.unknownSessionDropped', { type, sessionId: sid });
      return undefined;
    }
    return (this.#tenants.get(tenant ?? DEFAULT_TENANT) ?? this.#deployment)?.emit(type, data);
  }

  /**
   * The delivery log as `tenant` may see it, newest first: every delivery to its own receivers, and
   * the deliveries to the deployment-level ones of the sessions `sessionVisible` lets it see.
   */
  deliveries(tenant: string, sessionVisible: (sessionId: string) => boolean): ScopedWebhookDeliveryRecord[] {
    const own = (this.#tenants.get(tenant)?.deliveries() ?? []).map((d) => ({ ...d, endpointScope: 'tenant' as const }));
    const shared = (this.#deployment?.deliveries() ?? [])
      .filter((d) => d.sessionId !== undefined && sessionVisible(d.sessionId))
      .map((d) => ({ ...d, endpointScope: 'deployment' as const }));
    if (own.length === 0) return shared;
    if (shared.length === 0) return own;
    // Both lists are newest first; a stable merge keeps the order the same on every call (paging).
    return [...own, ...shared].sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Resolves when no delivery is in flight or waiting to retry. */
  async idle(): Promise<void> {
    await Promise.all(this.#all().map((d) => d.idle()));
  }

  /** Closes every dispatcher (each waits for its deliveries up to `timeoutMs`, default 10 000). Idempotent. */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    await Promise.all(this.#all().map((d) => d.close(options)));
  }

  #all(): WebhookDispatcher[] {
    return [...(this.#deployment ? [this.#deployment] : []), ...this.#tenants.values()];
  }
}
