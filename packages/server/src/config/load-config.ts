/**
 * `ServerConfig` and {@link loadConfig}: flags and environment variables of `alcove-server start`.
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { LOG_LEVELS, type LogLevel } from '../logger.js';
import { validateTurnOptions } from '../turn/credentials.js';
import { isBlockedHostname } from '../webhooks/address-policy.js';
import { OPTION_SPECS, type OptionSpec } from './options.js';

/** The resolved configuration of one server process. */
export interface ServerConfig {
  /** Listen address. Default `127.0.0.1`. */
  readonly host: string;
  /** Signalling + admin port. Default 8080. */
  readonly port: number;
  /** Separate admin port, when set. */
  readonly adminPort?: number;
  /** IP announced in ICE candidates. Default: `host` (required when `host` is a wildcard). */
  readonly publicAddress: string;
  /** Media port (UDP, and TCP for ICE-TCP). Default 40000. */
  readonly rtcPort: number;
  /** Whether ICE-TCP is offered on {@link ServerConfig.rtcPort}. Default true. */
  readonly rtcTcp: boolean;
  /** TURN relays and their shared secrets (absent without `--turn-url`). */
  readonly turn?: { readonly urls: readonly string[]; readonly secrets: readonly string[]; readonly ttlS: number };
  /** Origins allowed on WebSocket upgrade. Empty: only requests without an `Origin` header. */
  readonly allowedOrigins: readonly string[];
  /** Admin API keys. Empty: the admin API refuses every call. */
  readonly apiKeys: readonly string[];
  readonly token: {
    /** HS256 secret bytes (the first of `hs256Secrets`: the one that signs). */
    readonly hs256Secret?: Uint8Array;
    /** Every HS256 secret, one per line of the file, the signing one first; all verify. */
    readonly hs256Secrets?: readonly Uint8Array[];
    /** Ed25519 public key (PEM or JWK JSON); derived from the private key when only that is given. */
    readonly eddsaPublicKey?: string;
    /** Ed25519 private key (PEM or JWK JSON), for admin-API minting. */
    readonly eddsaPrivateKey?: string;
    /** Longest token lifetime, seconds. Default 86 400. */
    readonly maxTtlS: number;
  };
  /** Webhook receivers; `secret` lists every signing secret (one per line of the file). */
  readonly webhooks: ReadonlyArray<{ readonly url: string; readonly secret: readonly string[] }>;
  /** Whether webhook URLs may point at loopback, private, link-local or metadata addresses. Default false. */
  readonly webhookAllowPrivateNetworks: boolean;
  /** Reverse proxies whose `X-Forwarded-For` the admin API believes. Default none. */
  readonly trustedProxies: readonly string[];
  /** Tenants from `--tenants-file` (empty without one). */
  readonly tenants: readonly TenantConfig[];
  /** Quotas applied to every tenant that does not set its own. */
  readonly tenantDefaults: { readonly maxSessions?: number; readonly maxParticipants?: number };
  /** Absolute data folder. Default `./alcove-data`. */
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly limits: {
    readonly maxMessageBytes: number;
    readonly messagesPerSecond: number;
    readonly adminBodyBytes: number;
    readonly maxSessions: number;
    readonly maxConnections: number;
    readonly maxConnectionsPerAddress: number;
    readonly maxPendingPerAddress: number;
    /** Join/resume attempts per minute from one address. */
    readonly joinAttemptsPerMinute: number;
    readonly authTimeoutS: number;
  };
  /** Waiting-room entries expire after this long, seconds. Default 3600. */
  readonly waitingTimeoutS: number;
  /** A session without a connected host ends after this long, seconds. Default 900. */
  readonly hostAbsentTimeoutS: number;
  /** Resume grace window, seconds. Default 30. */
  readonly reconnectGraceS: number;
  /** Graceful-shutdown bound, seconds. Default 10. */
  readonly shutdownTimeoutS: number;
}

/** One tenant of a `--tenants-file`. */
export interface TenantConfig {
  readonly id: string;
  readonly apiKeys: readonly string[];
  /** HS256 secrets in file order (the first signs). */
  readonly hs256Secrets: readonly Uint8Array[];
  readonly eddsaPublicKeys: readonly string[];
  readonly eddsaPrivateKey?: string;
  readonly maxSessions?: number;
  readonly maxParticipants?: number;
  /**
   * The tenant's own webhook receivers (`webhook-url` lines), each with every `webhook-secret` (the
   * first signs); empty or absent: its events go to the deployment-level `--webhook-url`s.
   */
  readonly webhooks?: ReadonlyArray<{ readonly url: string; readonly secret: readonly string[] }>;
}

/** A configuration problem; `message` names the option but never echoes a secret. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  /** The flag concerned, e.g. `port`. */
  readonly option: string;
  constructor(option: string, message: string) {
    super(message);
    this.name = 'ConfigError';
    this.option = option;
  }
}

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Reads a file named by a `*-file` flag. Default `fs.readFileSync(path, 'utf8')`. */
  readonly readFile?: (path: string) => string;
  /** Base for a relative `--data-dir`. Default `process.cwd()`. */
  readonly cwd?: string;
}

/** Whether `argv` asks for help (`--help` or `-h`). */
export function isHelpRequested(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

const BY_FLAG = new Map(OPTION_SPECS.map((o) => [o.flag, o]));

function parseArgv(argv: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--help' || a === '-h') continue;
    if (!a.startsWith('--')) throw new ConfigError(a.slice(0, 40), `Unexpected argument ${JSON.stringify(a.slice(0, 40))}.`);
    const eq = a.indexOf('=');
    const flag = eq === -1 ? a.slice(2) : a.slice(2, eq);
    const spec = BY_FLAG.get(flag);
    if (!spec) throw new ConfigError(flag.slice(0, 40), `Unknown option --${flag.slice(0, 40)} (see --help).`);
    let value: string | undefined;
    if (eq !== -1) value = a.slice(eq + 1);
    else if (spec.kind === 'bool') value = 'true';
    else {
      value = argv[++i];
      if (value === undefined) throw new ConfigError(flag, `--${flag} needs a value.`);
    }
    const list = out.get(flag) ?? [];
    list.push(value);
    out.set(flag, list);
  }
  return out;
}

/**
 * Resolves the configuration from command-line flags (`argv` after the `start` command) and the
 * environment; flags win. Secrets come from files (`--*-file`) or environment variables, never from
 * flag values, so they do not show in `ps`.
 * @throws {@link ConfigError} for an unknown flag, a bad value, or a missing token key.
 * @example
 * ```ts
 * const config = loadConfig(process.argv.slice(3), process.env);
 * ```
 */
export function loadConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  options: LoadConfigOptions = {},
): ServerConfig {
  const flags = parseArgv(argv);
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const read = (spec: OptionSpec, path: string): string => {
    try {
      return readFile(path);
    } catch {
      throw new ConfigError(spec.flag, `--${spec.flag}: cannot read the file.`);
    }
  };
  const spec = (flag: string): OptionSpec => BY_FLAG.get(flag) as OptionSpec;
  /** Raw string value: the last flag value, else the env value, else the default. */
  const raw = (flag: string): string | undefined => {
    const s = spec(flag);
    const f = flags.get(flag);
    if (f && f.length > 0) return f[f.length - 1];
    const e = env[s.env];
    if (e !== undefined && e !== '') return e;
    return s.dflt;
  };
  const str = (flag: string): string | undefined => raw(flag);
  const int = (flag: string, min: number, max: number): number | undefined => {
    const v = raw(flag);
    if (v === undefined) return undefined;
    if (!/^\d{1,10}$/.test(v) || Number(v) < min || Number(v) > max)
      throw new ConfigError(flag, `--${flag} must be an integer from ${min} to ${max}.`);
    return Number(v);
  };
  const list = (flag: string): string[] => {
    const f = flags.get(flag);
    if (f && f.length > 0)
      return f
        .flatMap((x) => x.split(','))
        .map((x) => x.trim())
        .filter(Boolean);
    const e = env[spec(flag).env];
    return e
      ? e
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean)
      : [];
  };
  /**
   * Secrets one per line: from the `*-file` flag (each non-empty line not starting with `#`) or the
   * environment variable (split on newlines). Surrounding spaces of a line are dropped.
   */
  const secretLines = (flag: string): string[] => {
    const f = flags.get(flag);
    const text = f && f.length > 0 ? read(spec(flag), f[f.length - 1] as string) : (env[spec(flag).env] ?? '');
    return text
      .split(/\r?\n/)
      .map((x) => x.trim())
      .filter((x) => x !== '' && !x.startsWith('#'));
  };
  /** A secret or key: from the `*-file` flag (file content) or the environment variable (value). */
  const secretFrom = (flag: string): string | undefined => {
    const f = flags.get(flag);
    if (f && f.length > 0) return read(spec(flag), f[f.length - 1] as string).trim();
    const e = env[spec(flag).env];
    return e !== undefined && e !== '' ? e.trim() : undefined;
  };

  const host = str('host') as string;
  if (isIP(host) === 0 && host !== 'localhost') throw new ConfigError('host', '--host must be an IP address.');
  const wildcard = host === '0.0.0.0' || host === '::';
  const publicAddress = str('public-address') ?? (wildcard ? undefined : host === 'localhost' ? '127.0.0.1' : host);
  if (publicAddress === undefined)
    throw new ConfigError('public-address', '--public-address is required when --host is a wildcard address.');
  if (isIP(publicAddress) === 0) throw new ConfigError('public-address', '--public-address must be an IP address.');

  const allowedOrigins = list('allowed-origin');
  for (const o of allowedOrigins) {
    let ok = false;
    try {
      const u = new URL(o);
      ok = (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === o;
    } catch {
      ok = false;
    }
    if (!ok) throw new ConfigError('allowed-origin', '--allowed-origin values must be origins such as https://app.example.org (no path).');
  }

  const keysFile = flags.get('api-key-file');
  const apiKeys =
    keysFile && keysFile.length > 0
      ? keysFile
          .flatMap((p) => read(spec('api-key-file'), p).split(/\r?\n/))
          .map((k) => k.trim())
          .filter((k) => k && !k.startsWith('#'))
      : list('api-key-file');
  if (apiKeys.some((k) => k.length < 16 || /\s/.test(k)))
    throw new ConfigError('api-key-file', 'Every API key must be at least 16 characters without spaces.');

  // One secret per line (first signs, every line verifies): a two-line file is two secrets, never one.
  const hs256Secrets = secretLines('token-secret-file').map((x) => new TextEncoder().encode(x));
  if (hs256Secrets.some((x) => x.byteLength < 32))
    throw new ConfigError('token-secret-file', 'Every token secret (one per line) must be at least 32 bytes.');
  const hs256Secret = hs256Secrets[0];
  const eddsaPrivateKey = secretFrom('token-private-key-file');
  const eddsaPublicKey = secretFrom('token-public-key-file') ?? eddsaPrivateKey;
  const tenantsPath = flags.get('tenants-file')?.at(-1) ?? env[spec('tenants-file').env];
  const tenants =
    tenantsPath !== undefined && tenantsPath !== ''
      ? parseTenantsFile(read(spec('tenants-file'), tenantsPath), (p) => read(spec('tenants-file'), p))
      : [];
  if (!hs256Secret && !eddsaPublicKey && tenants.length === 0) {
    throw new ConfigError(
      'token-secret-file',
      'A join-token key is required: ALCOVE_TOKEN_SECRET / --token-secret-file, or an Ed25519 key.',
    );
  }

  const webhookUrls = list('webhook-url');
  const webhookSecrets = secretLines('webhook-secret-file');
  if (webhookUrls.length > 0 && (webhookSecrets.length === 0 || webhookSecrets.some((x) => x.length < 16))) {
    throw new ConfigError('webhook-secret-file', 'Webhooks need signing secrets (one per line) of at least 16 characters each.');
  }
  for (const u of webhookUrls) {
    try {
      new URL(u);
    } catch {
      throw new ConfigError('webhook-url', '--webhook-url must be a URL.');
    }
  }
  // A tenant's receivers must not be able to verify the deployment's deliveries (or the reverse).
  const deploymentSecrets = new Set(webhookSecrets);
  for (const t of tenants)
    for (const s of t.webhooks?.[0]?.secret ?? [])
      if (deploymentSecrets.has(s))
        throw new ConfigError(
          'tenants-file',
          `--tenants-file: tenant ${t.id} uses a webhook secret of --webhook-secret-file; give it its own.`,
        );

  const allowPrivateValue = (str('webhook-allow-private-networks') ?? 'false').toLowerCase();
  if (!['true', 'false', '1', '0', 'yes', 'no'].includes(allowPrivateValue))
    throw new ConfigError('webhook-allow-private-networks', 'ALCOVE_WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false.');
  const webhookAllowPrivate = ['true', '1', 'yes'].includes(allowPrivateValue);
  // The dispatcher refuses these at start too; here the error names the tenant (never the URL).
  if (!webhookAllowPrivate)
    for (const t of tenants)
      if ((t.webhooks ?? []).some((w) => isBlockedHostname(new URL(w.url).hostname)))
        throw new ConfigError(
          'tenants-file',
          `--tenants-file: a webhook-url of tenant ${t.id} points at a loopback, private, link-local or metadata address; set --webhook-allow-private-networks to allow it.`,
        );
  const trustedProxies = list('trusted-proxy');
  for (const ip of trustedProxies) if (isIP(ip) === 0) throw new ConfigError('trusted-proxy', '--trusted-proxy must be an IP address.');

  const rtcTcpValue = str('rtc-tcp');
  if (rtcTcpValue !== 'on' && rtcTcpValue !== 'off') throw new ConfigError('rtc-tcp', '--rtc-tcp must be on or off.');
  const turnUrls = list('turn-url');
  const turnSecrets = secretLines('turn-secret-file');
  const turnTtlS = int('turn-ttl', 60, 7 * 86_400) as number;
  if (turnUrls.length > 0) {
    if (turnSecrets.length === 0)
      throw new ConfigError('turn-secret-file', 'TURN needs its shared secret: --turn-secret-file or ALCOVE_TURN_SECRET.');
    try {
      validateTurnOptions({ urls: turnUrls, secrets: turnSecrets, ttlS: turnTtlS });
    } catch (e) {
      // The message names the field, never the secret.
      throw new ConfigError(/secret/.test(String(e)) ? 'turn-secret-file' : 'turn-url', `TURN: ${(e as Error).message}.`);
    }
  } else if (turnSecrets.length > 0) {
    throw new ConfigError('turn-url', 'A TURN secret is set but no --turn-url: give the relay URLs too.');
  }

  const logLevel = str('log-level') as LogLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new ConfigError('log-level', `--log-level must be one of ${LOG_LEVELS.join(', ')}.`);

  const adminPort = int('admin-port', 1, 65535);
  const maxSessionsPerTenant = int('max-sessions-per-tenant', 1, 1_000_000);
  const maxParticipantsPerTenant = int('max-participants-per-tenant', 1, 10_000_000);
  return {
    host,
    port: int('port', 0, 65535) as number,
    ...(adminPort !== undefined ? { adminPort } : {}),
    publicAddress,
    rtcPort: int('rtc-port', 0, 65535) as number,
    rtcTcp: rtcTcpValue === 'on',
    ...(turnUrls.length > 0 ? { turn: { urls: turnUrls, secrets: turnSecrets, ttlS: turnTtlS } } : {}),
    allowedOrigins,
    apiKeys,
    token: {
      ...(hs256Secret ? { hs256Secret, hs256Secrets } : {}),
      ...(eddsaPublicKey ? { eddsaPublicKey } : {}),
      ...(eddsaPrivateKey ? { eddsaPrivateKey } : {}),
      maxTtlS: int('token-max-ttl', 60, 86_400) as number,
    },
    webhooks: webhookUrls.map((url) => ({ url, secret: webhookSecrets })),
    webhookAllowPrivateNetworks: webhookAllowPrivate,
    trustedProxies,
    tenants,
    tenantDefaults: {
      ...(maxSessionsPerTenant !== undefined ? { maxSessions: maxSessionsPerTenant } : {}),
      ...(maxParticipantsPerTenant !== undefined ? { maxParticipants: maxParticipantsPerTenant } : {}),
    },
    dataDir: resolve(options.cwd ?? process.cwd(), str('data-dir') as string),
    logLevel,
    limits: {
      maxMessageBytes: int('max-message-bytes', 1024, 1_048_576) as number,
      messagesPerSecond: int('rate-limit', 1, 10_000) as number,
      adminBodyBytes: int('admin-body-limit', 256, 1_048_576) as number,
      maxSessions: int('max-sessions', 1, 1_000_000) as number,
      maxConnections: int('max-connections', 1, 1_000_000) as number,
      maxConnectionsPerAddress: int('max-connections-per-address', 1, 1_000_000) as number,
      maxPendingPerAddress: int('max-pending-per-address', 1, 1_000_000) as number,
      joinAttemptsPerMinute: int('join-rate-limit', 1, 100_000) as number,
      authTimeoutS: int('auth-timeout', 1, 600) as number,
    },
    waitingTimeoutS: int('waiting-timeout', 10, 7 * 86_400) as number,
    hostAbsentTimeoutS: int('host-absent-timeout', 10, 7 * 86_400) as number,
    reconnectGraceS: int('reconnect-grace', 0, 3_600) as number,
    shutdownTimeoutS: int('shutdown-timeout', 1, 600) as number,
  };
}

const TENANT_FIELDS = new Set([
  'api-key',
  'token-secret',
  'token-public-key-file',
  'token-private-key-file',
  'max-sessions',
  'max-participants',
  'webhook-url',
  'webhook-secret',
  'webhook-secret-file',
]);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why a tenant's webhook URL is refused (`undefined`: fine). The policy on private addresses is the dispatcher's, at start. */
function webhookUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'webhook-url must be a URL.';
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))
    return 'webhook-url must be an https:// URL (http:// only to loopback).';
  if (url.username !== '' || url.password !== '') return 'webhook-url must not carry credentials.';
  return undefined;
}

/**
 * Parses a tenants file: one `TENANT FIELD VALUE` per line (blank lines and `#` comments ignored).
 * Fields: `api-key` (≥ 16 chars), `token-secret` (≥ 32 bytes; repeat to rotate, the first signs),
 * `token-public-key-file` / `token-private-key-file` (a path to a PEM or JWK Ed25519 key; repeat the
 * public one to rotate), `max-sessions`, `max-participants`, and the tenant's own webhooks:
 * `webhook-url` (repeat for several receivers), `webhook-secret` (≥ 16 characters; repeat to rotate,
 * the first signs) and `webhook-secret-file` (a path to a file of secrets, one per line, added in
 * order). Every tenant needs a token key, and a key, a secret or an API key may belong to one tenant
 * only; a tenant's webhook URLs need secrets and its secrets URLs. Error messages name the line,
 * never its value.
 * @throws {@link ConfigError} (`tenants-file`).
 * @example
 * ```text
 * # tenant  field          value
 * acme      api-key        ak_acme_0123456789abcdef
 * acme      token-secret   acme-current-secret-at-least-32-bytes-long
 * acme      token-secret   acme-previous-secret-still-verifies-32bytes
 * acme      max-sessions   50
 * acme      webhook-url    https://ehr.acme.example/alcove-webhooks
 * acme      webhook-secret acme-webhook-secret-0123456789
 * ```
 */
export function parseTenantsFile(text: string, readKeyFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): TenantConfig[] {
  type Mutable = {
    id: string;
    apiKeys: string[];
    hs256Secrets: Uint8Array[];
    eddsaPublicKeys: string[];
    eddsaPrivateKey?: string;
    maxSessions?: number;
    maxParticipants?: number;
    webhookUrls: string[];
    webhookSecrets: string[];
  };
  const byId = new Map<string, Mutable>();
  const seenSecrets = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fail = (why: string): ConfigError => new ConfigError('tenants-file', `--tenants-file line ${i + 1}: ${why}`);
    const m = /^(\S+)\s+(\S+)\s+(\S.*)$/.exec(line);
    if (!m) throw fail('expected "TENANT FIELD VALUE".');
    const [, id, field, value] = m as unknown as [string, string, string, string];
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw fail('the tenant id must be 1-64 of A-Z a-z 0-9 _ -.');
    if (!TENANT_FIELDS.has(field)) throw fail(`unknown field ${JSON.stringify(field.slice(0, 32))}.`);
    const t: Mutable = byId.get(id) ?? { id, apiKeys: [], hs256Secrets: [], eddsaPublicKeys: [], webhookUrls: [], webhookSecrets: [] };
    byId.set(id, t);
    const unique = (v: string): void => {
      if (seenSecrets.has(v)) throw fail('this key or secret already appears in the file (each belongs to one tenant).');
      seenSecrets.add(v);
    };
    if (field === 'api-key') {
      if (value.length < 16 || /\s/.test(value)) throw fail('an API key must be at least 16 characters without spaces.');
      unique(value);
      t.apiKeys.push(value);
    } else if (field === 'token-secret') {
      const bytes = new TextEncoder().encode(value);
      if (bytes.byteLength < 32) throw fail('a token secret must be at least 32 bytes.');
      unique(value);
      t.hs256Secrets.push(bytes);
    } else if (field === 'token-public-key-file' || field === 'token-private-key-file') {
      let key: string;
      try {
        key = readKeyFile(value).trim();
      } catch {
        throw fail(`cannot read the ${field.replace('-file', '')}.`);
      }
      unique(key);
      if (field === 'token-public-key-file') t.eddsaPublicKeys.push(key);
      else if (t.eddsaPrivateKey !== undefined) throw fail('a tenant has one private key.');
      else t.eddsaPrivateKey = key;
    } else if (field === 'webhook-url') {
      const problem = webhookUrlProblem(value);
      if (problem) throw fail(problem);
      if (t.webhookUrls.includes(value)) throw fail('this webhook-url is already listed for the tenant.');
      t.webhookUrls.push(value);
    } else if (field === 'webhook-secret' || field === 'webhook-secret-file') {
      let secrets = [value];
      if (field === 'webhook-secret-file') {
        try {
          secrets = readKeyFile(value)
            .split(/\r?\n/)
            .map((x) => x.trim())
            .filter((x) => x !== '' && !x.startsWith('#'));
        } catch {
          throw fail('cannot read the webhook secret file.');
        }
        if (secrets.length === 0) throw fail('the webhook secret file has no secret.');
      }
      for (const secret of secrets) {
        if (secret.length < 16) throw fail('a webhook secret must be at least 16 characters.');
        unique(secret);
        t.webhookSecrets.push(secret);
      }
    } else {
      if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw fail(`${field} must be a positive integer.`);
      if (field === 'max-sessions') t.maxSessions = Number(value);
      else t.maxParticipants = Number(value);
    }
  }
  for (const t of byId.values()) {
    if (t.hs256Secrets.length === 0 && t.eddsaPublicKeys.length === 0 && t.eddsaPrivateKey === undefined) {
      throw new ConfigError('tenants-file', `--tenants-file: tenant ${t.id} has no token-secret or token key.`);
    }
    if (t.webhookUrls.length > 0 && t.webhookSecrets.length === 0)
      throw new ConfigError('tenants-file', `--tenants-file: tenant ${t.id} has a webhook-url but no webhook-secret.`);
    if (t.webhookUrls.length === 0 && t.webhookSecrets.length > 0)
      throw new ConfigError('tenants-file', `--tenants-file: tenant ${t.id} has a webhook secret but no webhook-url.`);
  }
  return [...byId.values()].map(({ webhookUrls, webhookSecrets, ...rest }) => ({
    ...rest,
    webhooks: webhookUrls.map((url) => ({ url, secret: webhookSecrets })),
  }));
}
