/**
 * Maps the CLI's {@link ServerConfig} (flags and environment) onto {@link AlcoveServerOptions}.
 * @packageDocumentation
 */
import type { ServerConfig } from './config/load-config.js';
import type { AlcoveServerOptions } from './server.js';

/**
 * Server options from a loaded configuration. The burst allowance is three times the per-second rate
 * (the defaults, 20/s and a burst of 60, are those of `DEFAULT_RATE_LIMIT`).
 * @example
 * ```ts
 * const server = await createAlcoveServer(serverOptionsFromConfig(loadConfig(argv, process.env)));
 * ```
 */
export function serverOptionsFromConfig(config: ServerConfig): AlcoveServerOptions {
  const t = config.token;
  return {
    host: config.host,
    port: config.port,
    ...(config.adminPort !== undefined ? { adminPort: config.adminPort } : {}),
    allowedOrigins: config.allowedOrigins,
    apiKeys: config.apiKeys,
    tokens: {
      ...(t.hs256Secrets && t.hs256Secrets.length > 0
        ? { hs256Secret: t.hs256Secrets }
        : t.hs256Secret
          ? { hs256Secret: t.hs256Secret }
          : {}),
      ...(t.eddsaPublicKey ? { eddsaPublicKey: t.eddsaPublicKey } : {}),
      ...(t.eddsaPrivateKey ? { eddsaPrivateKey: t.eddsaPrivateKey } : {}),
      maxTtlS: t.maxTtlS,
    },
    ...((config.tenants ?? []).length > 0
      ? {
          tenants: config.tenants.map((x) => ({
            id: x.id,
            apiKeys: x.apiKeys,
            hs256Secrets: x.hs256Secrets,
            eddsaPublicKeys: x.eddsaPublicKeys,
            ...(x.eddsaPrivateKey !== undefined ? { eddsaPrivateKey: x.eddsaPrivateKey } : {}),
            ...(x.maxSessions !== undefined ? { maxSessions: x.maxSessions } : {}),
            ...(x.maxParticipants !== undefined ? { maxParticipants: x.maxParticipants } : {}),
            ...(x.webhooks && x.webhooks.length > 0 ? { webhooks: x.webhooks } : {}),
          })),
        }
      : {}),
    ...(config.tenantDefaults ? { tenantDefaults: config.tenantDefaults } : {}),
    dataDir: config.dataDir,
    logLevel: config.logLevel,
    rtc: {
      listenIp: config.host === '0.0.0.0' || config.host === '::' ? config.host : config.publicAddress,
      announcedAddress: config.publicAddress,
      minPort: config.rtcPort,
      maxPort: config.rtcPort,
      ...(config.rtcTcp ? {} : { tcp: false }),
    },
    ...(config.turn ? { turn: { urls: config.turn.urls, secrets: config.turn.secrets, ttlS: config.turn.ttlS } } : {}),
    // Deployment-level receivers; the same delivery options (private networks) for the tenants' own.
    ...(config.webhooks.length > 0 || (config.tenants ?? []).some((x) => (x.webhooks?.length ?? 0) > 0)
      ? { webhooks: { endpoints: config.webhooks, ...(config.webhookAllowPrivateNetworks ? { allowPrivateNetworks: true } : {}) } }
      : {}),
    ...(config.trustedProxies.length > 0 ? { trustedProxies: config.trustedProxies } : {}),
    limits: {
      maxPayload: config.limits.maxMessageBytes,
      rateLimit: { perSecond: config.limits.messagesPerSecond, burst: config.limits.messagesPerSecond * 3 },
      maxConnections: config.limits.maxConnections,
      ...(config.limits.maxConnectionsPerAddress !== undefined ? { maxConnectionsPerAddress: config.limits.maxConnectionsPerAddress } : {}),
      ...(config.limits.maxPendingPerAddress !== undefined ? { maxPendingPerAddress: config.limits.maxPendingPerAddress } : {}),
      ...(config.limits.joinAttemptsPerMinute !== undefined ? { joinRateLimit: { perMinute: config.limits.joinAttemptsPerMinute } } : {}),
      ...(config.limits.authTimeoutS !== undefined ? { authTimeoutMs: config.limits.authTimeoutS * 1000 } : {}),
      bodyLimitBytes: config.limits.adminBodyBytes,
    },
    maxSessions: config.limits.maxSessions,
    live: {
      graceMs: config.reconnectGraceS * 1000,
      ...(config.waitingTimeoutS !== undefined ? { waitingTimeoutMs: config.waitingTimeoutS * 1000 } : {}),
      ...(config.hostAbsentTimeoutS !== undefined ? { hostAbsentTimeoutMs: config.hostAbsentTimeoutS * 1000 } : {}),
    },
    shutdownTimeoutMs: Math.max(1000, config.shutdownTimeoutS * 1000 - 1000),
  };
}
