/**
 * The table of `alcove-server start` options: one row per setting, used both to parse flags and
 * environment variables and to print `--help`.
 */
export interface OptionSpec {
  /** Long flag without dashes, e.g. `port`. */
  readonly flag: string;
  /** Environment variable, e.g. `ALCOVE_PORT`. */
  readonly env: string;
  readonly kind: 'string' | 'int' | 'list' | 'bool';
  /** Placeholder in help, e.g. `PORT`. */
  readonly arg?: string;
  readonly help: string;
  /** Default shown in help. */
  readonly dflt?: string;
  /** Secret: accepted from the environment or a `*-file` flag; never echoed. */
  readonly secret?: boolean;
}

/** Every option of `alcove-server start`. */
export const OPTION_SPECS: readonly OptionSpec[] = [
  {
    flag: 'host',
    env: 'ALCOVE_HOST',
    kind: 'string',
    arg: 'ADDR',
    dflt: '127.0.0.1',
    help: 'Address the HTTP/WebSocket listener binds to.',
  },
  {
    flag: 'port',
    env: 'ALCOVE_PORT',
    kind: 'int',
    arg: 'PORT',
    dflt: '8080',
    help: 'Port for signalling (WebSocket at /ws) and the admin API (/v1).',
  },
  {
    flag: 'admin-port',
    env: 'ALCOVE_ADMIN_PORT',
    kind: 'int',
    arg: 'PORT',
    help: 'Serve the admin API on its own port instead (bound to --host).',
  },
  {
    flag: 'public-address',
    env: 'ALCOVE_PUBLIC_ADDRESS',
    kind: 'string',
    arg: 'IP',
    help: 'IP announced in ICE candidates (the address clients reach the media port on). Default: --host.',
  },
  {
    flag: 'rtc-port',
    env: 'ALCOVE_RTC_PORT',
    kind: 'int',
    arg: 'PORT',
    dflt: '40000',
    help: 'Media port (ICE-lite, one port for all transports): UDP, and TCP for ICE-TCP on the same number.',
  },
  {
    flag: 'rtc-tcp',
    env: 'ALCOVE_RTC_TCP',
    kind: 'string',
    arg: 'on|off',
    dflt: 'on',
    help: 'Offer ICE over TCP on --rtc-port (for networks that block UDP).',
  },
  {
    flag: 'turn-url',
    env: 'ALCOVE_TURN_URLS',
    kind: 'list',
    arg: 'URL',
    help: 'TURN relay handed to admitted participants, e.g. turn:turn.example.org:3478?transport=udp or turns:turn.example.org:443?transport=tcp (repeat the flag, or comma-separate in the env).',
  },
  {
    flag: 'turn-secret-file',
    env: 'ALCOVE_TURN_SECRET',
    kind: 'string',
    arg: 'FILE',
    secret: true,
    help: "TURN shared secrets (coturn's static-auth-secret, >= 16 chars each): a file with one per line (the first signs; keep the old one during a rotation), or ALCOVE_TURN_SECRET.",
  },
  {
    flag: 'turn-ttl',
    env: 'ALCOVE_TURN_TTL',
    kind: 'int',
    arg: 'SECONDS',
    dflt: '43200',
    help: 'Lifetime of the TURN credentials each participant gets (a resume issues new ones).',
  },
  {
    flag: 'allowed-origin',
    env: 'ALCOVE_ALLOWED_ORIGINS',
    kind: 'list',
    arg: 'ORIGIN',
    help: 'Origin allowed to open a WebSocket (repeat the flag, or comma-separate in the env). None: only clients without an Origin header.',
  },
  {
    flag: 'api-key-file',
    env: 'ALCOVE_API_KEYS',
    kind: 'list',
    arg: 'FILE',
    secret: true,
    help: 'Admin API keys (≥ 16 chars): a file with one key per line, or ALCOVE_API_KEYS=key1,key2. Without keys the admin API refuses every call.',
  },
  {
    flag: 'token-secret-file',
    env: 'ALCOVE_TOKEN_SECRET',
    kind: 'string',
    arg: 'FILE',
    secret: true,
    help: 'HS256 join-token secrets (≥ 32 bytes each): a file with one secret per line (the first signs, every line verifies: rotation), or ALCOVE_TOKEN_SECRET. Also lets the admin API mint tokens.',
  },
  {
    flag: 'token-public-key-file',
    env: 'ALCOVE_TOKEN_PUBLIC_KEY',
    kind: 'string',
    arg: 'FILE',
    help: 'Ed25519 public key (PEM SPKI or JWK JSON) to verify EdDSA join tokens: a file, or the key text in the env.',
  },
  {
    flag: 'token-private-key-file',
    env: 'ALCOVE_TOKEN_PRIVATE_KEY',
    kind: 'string',
    arg: 'FILE',
    secret: true,
    help: 'Ed25519 private key (PEM PKCS#8 or JWK JSON) so the admin API can mint EdDSA tokens; its public half is used to verify.',
  },
  {
    flag: 'token-max-ttl',
    env: 'ALCOVE_TOKEN_MAX_TTL',
    kind: 'int',
    arg: 'SECONDS',
    dflt: '86400',
    help: 'Longest join-token lifetime (exp - iat) accepted and minted.',
  },
  {
    flag: 'webhook-url',
    env: 'ALCOVE_WEBHOOK_URLS',
    kind: 'list',
    arg: 'URL',
    help: 'Webhook receiver (https; http only to loopback); repeat for several. Gets the events of tenants without webhooks of their own. Signed with ALCOVE_WEBHOOK_SECRET. Loopback, private and metadata addresses need --webhook-allow-private-networks.',
  },
  {
    flag: 'webhook-secret-file',
    env: 'ALCOVE_WEBHOOK_SECRET',
    kind: 'string',
    arg: 'FILE',
    secret: true,
    help: 'Webhook signing secrets (≥ 16 chars each): a file with one secret per line (each delivery is signed with every line: rotation), or ALCOVE_WEBHOOK_SECRET.',
  },
  {
    flag: 'webhook-allow-private-networks',
    env: 'ALCOVE_WEBHOOK_ALLOW_PRIVATE_NETWORKS',
    kind: 'bool',
    help: 'Allow webhook URLs on loopback, private, link-local (cloud metadata) and other non-public addresses (refused by default).',
  },
  {
    flag: 'trusted-proxy',
    env: 'ALCOVE_TRUSTED_PROXIES',
    kind: 'list',
    arg: 'IP',
    help: "Address of a reverse proxy whose X-Forwarded-For is believed (per-address limits and the admin failed-key limit count the client's address); repeat for several.",
  },
  {
    flag: 'tenants-file',
    env: 'ALCOVE_TENANTS_FILE',
    kind: 'string',
    arg: 'FILE',
    secret: true,
    help: 'Tenants: lines "TENANT FIELD VALUE" (fields api-key, token-secret, token-public-key-file, token-private-key-file, max-sessions, max-participants, webhook-url, webhook-secret, webhook-secret-file: a tenant with webhooks gets its events there only); see docs/operations.md.',
  },
  {
    flag: 'max-sessions-per-tenant',
    env: 'ALCOVE_MAX_SESSIONS_PER_TENANT',
    kind: 'int',
    arg: 'N',
    help: 'Most open sessions of one tenant (unless its max-sessions line says otherwise). Default: only --max-sessions.',
  },
  {
    flag: 'max-participants-per-tenant',
    env: 'ALCOVE_MAX_PARTICIPANTS_PER_TENANT',
    kind: 'int',
    arg: 'N',
    help: "Most participants across one tenant's live sessions (unless its max-participants line says otherwise). Default: no tenant cap.",
  },
  {
    flag: 'data-dir',
    env: 'ALCOVE_DATA_DIR',
    kind: 'string',
    arg: 'DIR',
    dflt: './alcove-data',
    help: 'Folder for the audit log (audit.log), its pseudonym key, and the session snapshot.',
  },
  {
    flag: 'log-level',
    env: 'ALCOVE_LOG_LEVEL',
    kind: 'string',
    arg: 'LEVEL',
    dflt: 'info',
    help: 'debug | info | warn | error | silent. Logs are JSON lines on stderr and never carry tokens, names, chat or addresses.',
  },
  {
    flag: 'max-message-bytes',
    env: 'ALCOVE_MAX_MESSAGE_BYTES',
    kind: 'int',
    arg: 'BYTES',
    dflt: '65536',
    help: 'Largest signalling message; larger closes the socket (1009).',
  },
  {
    flag: 'rate-limit',
    env: 'ALCOVE_RATE_LIMIT',
    kind: 'int',
    arg: 'PER_S',
    dflt: '20',
    help: 'Signalling messages per second per connection (burst 3×); then RATE_LIMITED, and closed (1008) after 20 refusals in a row.',
  },
  {
    flag: 'admin-body-limit',
    env: 'ALCOVE_ADMIN_BODY_LIMIT',
    kind: 'int',
    arg: 'BYTES',
    dflt: '65536',
    help: 'Largest admin API request body (413 beyond).',
  },
  { flag: 'max-sessions', env: 'ALCOVE_MAX_SESSIONS', kind: 'int', arg: 'N', dflt: '10000', help: 'Most sessions held at once.' },
  {
    flag: 'max-connections',
    env: 'ALCOVE_MAX_CONNECTIONS',
    kind: 'int',
    arg: 'N',
    dflt: '2000',
    help: 'Most WebSocket connections at once (an idle socket that has not joined yet gives way to a new one when full).',
  },
  {
    flag: 'max-connections-per-address',
    env: 'ALCOVE_MAX_CONNECTIONS_PER_ADDRESS',
    kind: 'int',
    arg: 'N',
    dflt: '50',
    help: 'Most WebSocket connections from one source address (429 beyond).',
  },
  {
    flag: 'max-pending-per-address',
    env: 'ALCOVE_MAX_PENDING_PER_ADDRESS',
    kind: 'int',
    arg: 'N',
    dflt: '8',
    help: 'Most sockets from one source address that have not joined yet (429 beyond).',
  },
  {
    flag: 'join-rate-limit',
    env: 'ALCOVE_JOIN_RATE_LIMIT',
    kind: 'int',
    arg: 'PER_MIN',
    dflt: '60',
    help: 'Join and resume attempts per minute from one source address (burst 20; a failed attempt counts twice): over it RATE_LIMITED, the socket closes and new sockets from the address get 429 until it refills.',
  },
  {
    flag: 'auth-timeout',
    env: 'ALCOVE_AUTH_TIMEOUT',
    kind: 'int',
    arg: 'SECONDS',
    dflt: '10',
    help: 'A socket that has not joined within this time is closed.',
  },
  {
    flag: 'waiting-timeout',
    env: 'ALCOVE_WAITING_TIMEOUT',
    kind: 'int',
    arg: 'SECONDS',
    dflt: '3600',
    help: 'A waiting-room entry not admitted within this time is told session.ended (waiting-expired) and removed.',
  },
  {
    flag: 'host-absent-timeout',
    env: 'ALCOVE_HOST_ABSENT_TIMEOUT',
    kind: 'int',
    arg: 'SECONDS',
    dflt: '900',
    help: 'A session with no host connected for this long ends (host-absent), even while others are connected; counted once a host has been there or while anyone is admitted without one.',
  },
  {
    flag: 'reconnect-grace',
    env: 'ALCOVE_RECONNECT_GRACE',
    kind: 'int',
    arg: 'SECONDS',
    dflt: '20',
    help: 'How long a dropped participant is kept for a resume.',
  },
  {
    flag: 'shutdown-timeout',
    env: 'ALCOVE_SHUTDOWN_TIMEOUT',
    kind: 'int',
    arg: 'SECONDS',
    dflt: '10',
    help: 'Longest graceful shutdown on SIGTERM/SIGINT.',
  },
];

/**
 * The help text `alcove-server --help` prints.
 */
export function configHelpText(): string {
  const rows = OPTION_SPECS.map((o) => {
    const left = `  --${o.flag}${o.arg ? ` ${o.arg}` : ''}`;
    const dflt = o.dflt ? ` (default ${o.dflt})` : '';
    return `${left.padEnd(34)} ${o.help}${dflt}\n${' '.repeat(35)}env ${o.env}`;
  });
  return [
    'alcove-server — the Alcove reference server (signalling, waiting room, admin API, webhooks, audit)',
    '',
    'Usage:',
    '  alcove-server start [options]     run the server (one process, state in memory, data under --data-dir)',
    '  alcove-server audit verify FILE [--key KEYFILE]',
    '                                    check an audit log: exit 0 if intact, 1 if any line was edited,',
    '                                    removed, reordered or cut off (head file deleted too), 2 if unreadable;',
    '                                    with the key (default: audit.key beside FILE) also its keyed checkpoints',
    '  alcove-server --help              this text',
    '',
    'Options (flags win over environment variables; secrets only from files or the environment):',
    ...rows,
    '',
    'Secure defaults: sessions have a waiting room, require end-to-end encryption, and are never recorded.',
    'Join tokens travel in the first WebSocket message, never in a URL.',
    '',
  ].join('\n');
}
