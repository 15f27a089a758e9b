/**
 * `ServerConfig` and {@link loadConfig}: flags and environment variables of `alcove-server start`.
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { LOG_LEVELS, type LogLevel } from '../logger.js';
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
  /** UDP media port. Default 40000. */
  readonly rtcPort: number;
  /** Origins allowed on WebSocket upgrade. Empty: only requests without an `Origin` header. */
  readonly allowedOrigins: readonly string[];
  /** Admin API keys. Empty: the admin API refuses every call. */
  readonly apiKeys: readonly string[];
  readonly token: {
    /** HS256 secret bytes. */
    readonly hs256Secret?: Uint8Array;
    /** Ed25519 public key (PEM or JWK JSON); derived from the private key when only that is given. */
    readonly eddsaPublicKey?: string;
    /** Ed25519 private key (PEM or JWK JSON), for admin-API minting. */
    readonly eddsaPrivateKey?: string;
    /** Longest token lifetime, seconds. Default 86 400. */
    readonly maxTtlS: number;
  };
  readonly webhooks: ReadonlyArray<{ readonly url: string; readonly secret: string }>;
  /** Absolute data folder. Default `./alcove-data`. */
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly limits: {
    readonly maxMessageBytes: number;
    readonly messagesPerSecond: number;
    readonly adminBodyBytes: number;
    readonly maxSessions: number;
    readonly maxConnections: number;
  };
  /** Resume grace window, seconds. Default 30. */
  readonly reconnectGraceS: number;
  /** Graceful-shutdown bound, seconds. Default 10. */
  readonly shutdownTimeoutS: number;
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

  const secret = secretFrom('token-secret-file');
  const hs256Secret = secret === undefined ? undefined : new TextEncoder().encode(secret);
  if (hs256Secret && hs256Secret.byteLength < 32) throw new ConfigError('token-secret-file', 'The token secret must be at least 32 bytes.');
  const eddsaPrivateKey = secretFrom('token-private-key-file');
  const eddsaPublicKey = secretFrom('token-public-key-file') ?? eddsaPrivateKey;
  if (!hs256Secret && !eddsaPublicKey) {
    throw new ConfigError(
      'token-secret-file',
      'A join-token key is required: ALCOVE_TOKEN_SECRET / --token-secret-file, or an Ed25519 key.',
    );
  }

  const webhookUrls = list('webhook-url');
  const webhookSecret = secretFrom('webhook-secret-file');
  if (webhookUrls.length > 0 && (!webhookSecret || webhookSecret.length < 16)) {
    throw new ConfigError('webhook-secret-file', 'Webhooks need a signing secret of at least 16 characters.');
  }
  for (const u of webhookUrls) {
    try {
      new URL(u);
    } catch {
      throw new ConfigError('webhook-url', '--webhook-url must be a URL.');
    }
  }

  const logLevel = str('log-level') as LogLevel;
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    throw new ConfigError('log-level', `--log-level must be one of ${LOG_LEVELS.join(', ')}.`);

  const adminPort = int('admin-port', 1, 65535);
  return {
    host,
    port: int('port', 0, 65535) as number,
    ...(adminPort !== undefined ? { adminPort } : {}),
    publicAddress,
    rtcPort: int('rtc-port', 0, 65535) as number,
    allowedOrigins,
    apiKeys,
    token: {
      ...(hs256Secret ? { hs256Secret } : {}),
      ...(eddsaPublicKey ? { eddsaPublicKey } : {}),
      ...(eddsaPrivateKey ? { eddsaPrivateKey } : {}),
      maxTtlS: int('token-max-ttl', 60, 86_400) as number,
    },
    webhooks: webhookUrls.map((url) => ({ url, secret: webhookSecret as string })),
    dataDir: resolve(options.cwd ?? process.cwd(), str('data-dir') as string),
    logLevel,
    limits: {
      maxMessageBytes: int('max-message-bytes', 1024, 1_048_576) as number,
      messagesPerSecond: int('rate-limit', 1, 10_000) as number,
      adminBodyBytes: int('admin-body-limit', 256, 1_048_576) as number,
      maxSessions: int('max-sessions', 1, 1_000_000) as number,
      maxConnections: int('max-connections', 1, 1_000_000) as number,
    },
    reconnectGraceS: int('reconnect-grace', 0, 3_600) as number,
    shutdownTimeoutS: int('shutdown-timeout', 1, 600) as number,
  };
}
