import { describe, expect, it } from 'vitest';
import { serverOptionsFromConfig } from '../server-options.js';
import { ConfigError, configHelpText, isHelpRequested, loadConfig, OPTION_SPECS } from './index.js';

const SECRET = 's'.repeat(32);
const env = { ALCOVE_TOKEN_SECRET: SECRET };

describe('loadConfig', () => {
  it('has secure, loopback defaults', () => {
    const c = loadConfig([], env, { cwd: '/srv' });
    expect(c).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      publicAddress: '127.0.0.1',
      rtcPort: 40000,
      allowedOrigins: [],
      apiKeys: [],
      dataDir: '/srv/alcove-data',
      logLevel: 'info',
      webhooks: [],
      reconnectGraceS: 20,
      shutdownTimeoutS: 10,
      limits: { maxMessageBytes: 65536, messagesPerSecond: 20, adminBodyBytes: 65536, maxSessions: 10000, maxConnections: 2000 },
    });
    expect(Buffer.from(c.token.hs256Secret as Uint8Array).toString()).toBe(SECRET);
    expect(c.token.maxTtlS).toBe(86400);
  });

  it('reads flags (both forms, repeated lists) over env, and secrets from files', () => {
    const files: Record<string, string> = {
      '/k': 'key-one-0123456789abc\n# comment\nkey-two-0123456789abc\n',
      '/s': `${'t'.repeat(40)}\n`,
      '/w': 'whsec-0123456789abcdef',
    };
    const c = loadConfig(
      [
        '--port=9000',
        '--host',
        '0.0.0.0',
        '--public-address',
        '192.0.2.10',
        '--allowed-origin',
        'https://a.example',
        '--allowed-origin=https://b.example',
        '--api-key-file',
        '/k',
        '--token-secret-file',
        '/s',
        '--webhook-url',
        'https://ehr.example/h',
        '--webhook-secret-file',
        '/w',
        '--log-level',
        'debug',
        '--data-dir',
        '/data',
        '--admin-port',
        '9001',
      ],
      { ALCOVE_PORT: '1234', ALCOVE_TOKEN_SECRET: SECRET, ALCOVE_LOG_LEVEL: 'error' },
      {
        readFile: (p) =>
          files[p] ??
          (() => {
            throw new Error('ENOENT');
          })(),
      },
    );
    expect(c).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      publicAddress: '192.0.2.10',
      adminPort: 9001,
      allowedOrigins: ['https://a.example', 'https://b.example'],
      apiKeys: ['key-one-0123456789abc', 'key-two-0123456789abc'],
      logLevel: 'debug',
      dataDir: '/data',
      webhooks: [{ url: 'https://ehr.example/h', secret: ['whsec-0123456789abcdef'] }],
    });
    expect(Buffer.from(c.token.hs256Secret as Uint8Array).toString()).toBe('t'.repeat(40));
    expect(
      loadConfig([], { ...env, ALCOVE_API_KEYS: 'aaaaaaaaaaaaaaaa1, bbbbbbbbbbbbbbbb2', ALCOVE_ALLOWED_ORIGINS: 'https://x.example' })
        .apiKeys,
    ).toEqual(['aaaaaaaaaaaaaaaa1', 'bbbbbbbbbbbbbbbb2']);
  });

  it('uses the EdDSA private key for verification when no public key is given', () => {
    const c = loadConfig([], { ALCOVE_TOKEN_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----' });
    expect(c.token.eddsaPrivateKey).toContain('PRIVATE KEY');
    expect(c.token.eddsaPublicKey).toBe(c.token.eddsaPrivateKey);
    expect(c.token.hs256Secret).toBeUndefined();
  });

  it('rejects bad input with ConfigError naming the option, never echoing secrets', () => {
    const cases: Array<[string[], Record<string, string>, string]> = [
      [[], {}, 'token-secret-file'],
      [[], { ALCOVE_TOKEN_SECRET: 'short-secret-value' }, 'token-secret-file'],
      [['--port', '70000'], env, 'port'],
      [['--port', '-1'], env, 'port'],
      [['--port'], env, 'port'],
      [['--bogus', '1'], env, 'bogus'],
      [['positional'], env, 'positional'],
      [['--host', '0.0.0.0'], env, 'public-address'],
      [['--host', 'example.org'], env, 'host'],
      [['--allowed-origin', 'https://a.example/path'], env, 'allowed-origin'],
      [['--log-level', 'loud'], env, 'log-level'],
      [[], { ...env, ALCOVE_API_KEYS: 'tooshort' }, 'api-key-file'],
      [['--webhook-url', 'https://ehr.example/h'], env, 'webhook-secret-file'],
      [['--token-secret-file', '/missing'], {}, 'token-secret-file'],
    ];
    for (const [argv, e, option] of cases) {
      let err: unknown;
      try {
        loadConfig(argv, e, {
          readFile: () => {
            throw new Error('ENOENT');
          },
        });
      } catch (x) {
        err = x;
      }
      expect(err, argv.join(' ')).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).option).toBe(option);
      expect((err as ConfigError).message).not.toContain('short-secret-value');
      expect((err as ConfigError).message).not.toContain('tooshort');
    }
  });

  it('documents every option in --help', () => {
    expect(isHelpRequested(['--help'])).toBe(true);
    expect(isHelpRequested(['-h'])).toBe(true);
    expect(isHelpRequested(['--port', '1'])).toBe(false);
    const help = configHelpText();
    for (const o of OPTION_SPECS) {
      expect(help).toContain(`--${o.flag}`);
      expect(help).toContain(o.env);
    }
    expect(help).toContain('alcove-server audit verify FILE');
    expect(help).toContain('alcove-server start');
  });
});

describe('rotation and tenants from the command line', () => {
  const T1 = 'first-secret-that-signs-0123456789abcdef';
  const T2 = 'second-secret-still-verifies-0123456789ab';

  it('reads a secret file one secret per line (the first signs): a two-line file is never one secret', () => {
    const files: Record<string, string> = {
      '/s': `${T1}\n# the previous one, until every token it signed has expired\n${T2}\n`,
      '/w': 'whsec-new-0123456789\nwhsec-old-0123456789\n',
    };
    const c = loadConfig(
      ['--token-secret-file', '/s', '--webhook-secret-file', '/w', '--webhook-url', 'https://ehr.example/h'],
      {},
      {
        readFile: (p) => files[p] as string,
      },
    );
    const text = (b: Uint8Array | undefined): string => Buffer.from(b as Uint8Array).toString();
    expect(c.token.hs256Secrets?.map(text)).toEqual([T1, T2]);
    expect(text(c.token.hs256Secret)).toBe(T1);
    expect(c.webhooks[0]?.secret).toEqual(['whsec-new-0123456789', 'whsec-old-0123456789']);
    // A short line is refused on its own (it is not glued to the next).
    expect(() => loadConfig(['--token-secret-file', '/x'], {}, { readFile: () => `${T1}\nshort\n` })).toThrow(/one per line/);
  });

  it('reads a tenants file naming each tenant, with keys, API keys and quotas; refuses bad lines by number without echoing values', () => {
    const files: Record<string, string> = {
      '/tenants': [
        '# tenant  field  value',
        `acme token-secret ${T1}`,
        `acme token-secret ${T2}`,
        'acme api-key ak_acme_0123456789abcdef',
        'acme max-sessions 50',
        'acme max-participants 200',
        '',
        'beta token-public-key-file /beta.pub',
        'beta api-key ak_beta_0123456789abcdef',
      ].join('\n'),
      '/beta.pub': '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n',
    };
    const readFile = (p: string): string => {
      const f = files[p];
      if (f === undefined) throw new Error('ENOENT');
      return f;
    };
    const c = loadConfig(['--tenants-file', '/tenants', '--max-participants-per-tenant', '40'], {}, { readFile });
    expect(c.tenants.map((t) => t.id)).toEqual(['acme', 'beta']);
    const acme = c.tenants[0];
    expect(acme?.hs256Secrets.map((b) => Buffer.from(b).toString())).toEqual([T1, T2]);
    expect(acme).toMatchObject({ apiKeys: ['ak_acme_0123456789abcdef'], maxSessions: 50, maxParticipants: 200 });
    expect(c.tenants[1]?.eddsaPublicKeys[0]).toContain('BEGIN PUBLIC KEY');
    expect(c.tenantDefaults).toEqual({ maxParticipants: 40 });
    const bad = (text: string): string => {
      try {
        loadConfig(['--tenants-file', '/t'], {}, { readFile: () => text });
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad(`acme token-secret ${T1}\nacme colour blue`)).toMatch(/line 2: unknown field/);
    expect(bad('acme token-secret short-secret-value')).toMatch(/line 1: a token secret must be at least 32 bytes/);
    expect(bad('acme token-secret short-secret-value')).not.toContain('short-secret-value');
    expect(bad(`acme token-secret ${T1}\nbeta token-secret ${T1}`)).toMatch(/line 2: .*one tenant/);
    expect(bad('acme api-key ak_acme_0123456789abcdef')).toMatch(/tenant acme has no token/);
    expect(bad(`bad/id token-secret ${T1}`)).toMatch(/line 1: the tenant id/);
  });
});

describe('tenants file: per-tenant webhooks', () => {
  const T1 = 'first-secret-that-signs-0123456789abcdef';
  const T2 = 'second-secret-still-verifies-0123456789ab';
  const readFrom =
    (files: Record<string, string>) =>
    (p: string): string => {
      const f = files[p];
      if (f === undefined) throw new Error('ENOENT');
      return f;
    };
  const bad = (text: string, argv: string[] = [], files: Record<string, string> = {}): ConfigError => {
    try {
      loadConfig(['--tenants-file', '/t', ...argv], {}, { readFile: readFrom({ ...files, '/t': text }) });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error('accepted');
  };

  it("reads each tenant's webhook URLs and secrets (inline and from a file, in order: the first signs); a tenant without any has none", () => {
    const files = {
      '/t': [
        `acme token-secret ${T1}`,
        'acme webhook-url https://ehr.acme.example/hooks?src=alcove',
        'acme webhook-secret acme-hook-new-0123456789',
        'acme webhook-secret-file /acme-hooks',
        'acme webhook-url https://backup.acme.example/hooks',
        `beta token-secret ${T2}`,
      ].join('\n'),
      '/acme-hooks': '# previous, until receivers have the new one\nacme-hook-old-0123456789\n\nacme-hook-older-0123456789\n',
    };
    const c = loadConfig(['--tenants-file', '/t'], {}, { readFile: readFrom(files) });
    const secret = ['acme-hook-new-0123456789', 'acme-hook-old-0123456789', 'acme-hook-older-0123456789'];
    expect(c.tenants[0]?.webhooks).toEqual([
      { url: 'https://ehr.acme.example/hooks?src=alcove', secret },
      { url: 'https://backup.acme.example/hooks', secret },
    ]);
    expect(c.tenants[1]?.webhooks).toEqual([]);
    expect(c.webhooks).toEqual([]);
    // Carried into the server options, with the deployment's delivery options.
    const o = serverOptionsFromConfig(c);
    expect(o.tenants?.[0]?.webhooks).toEqual(c.tenants[0]?.webhooks);
    expect(o.tenants?.[1]).not.toHaveProperty('webhooks');
    expect(o.webhooks).toEqual({ endpoints: [] });
  });

  it('refuses bad webhook lines with a typed error naming the line or the tenant, never the value', () => {
    const key = `acme token-secret ${T1}\n`;
    const cases: Array<[string, RegExp, string?]> = [
      [`${key}acme webhook-url not a url`, /line 2: webhook-url must be a URL/],
      [`${key}acme webhook-url ftp://ehr.example/h\nacme webhook-secret acme-hook-0123456789ab`, /line 2: .*https/],
      [`${key}acme webhook-url http://ehr.example/h\nacme webhook-secret acme-hook-0123456789ab`, /line 2: .*https/],
      [`${key}acme webhook-url https://user:pw@ehr.example/h`, /line 2: .*credentials/, 'pw@'],
      [
        `${key}acme webhook-url https://ehr.example/h\nacme webhook-secret short-hook`,
        /line 3: a webhook secret must be at least 16/,
        'short-hook',
      ],
      [`${key}acme webhook-url https://ehr.example/h`, /tenant acme has a webhook-url but no webhook-secret/],
      [`${key}acme webhook-secret acme-hook-0123456789ab`, /tenant acme has a webhook secret but no webhook-url/],
      [`${key}acme webhook-url https://ehr.example/h\nacme webhook-url https://ehr.example/h`, /line 3: .*already listed/],
      [`${key}acme webhook-url https://ehr.example/h\nacme webhook-secret-file /missing`, /line 3: cannot read the webhook secret file/],
      [`${key}acme webhook-url https://ehr.example/h\nacme webhook-secret-file /empty`, /line 3: .*has no secret/],
      [
        `${key}acme webhook-url https://ehr.example/h\nacme webhook-secret-file /short`,
        /line 3: a webhook secret must be at least 16/,
        'tiny',
      ],
      // One tenant's webhook secret is not another's, nor one of its token secrets.
      [
        `${key}acme webhook-url https://a.example/h\nacme webhook-secret shared-hook-0123456789\nbeta token-secret ${T2}\nbeta webhook-url https://b.example/h\nbeta webhook-secret shared-hook-0123456789`,
        /line 6: .*one tenant/,
      ],
    ];
    for (const [text, message, secretPart] of cases) {
      const e = bad(text, [], { '/empty': '# nothing yet\n', '/short': 'tiny\n' });
      expect(e.option, text).toBe('tenants-file');
      expect(e.message, text).toMatch(message);
      if (secretPart) expect(e.message).not.toContain(secretPart);
    }
  });

  it('applies the private-network policy to tenant URLs, and refuses a tenant reusing the deployment webhook secret', () => {
    const text = `acme token-secret ${T1}\nacme webhook-url http://127.0.0.1:9/h?k=v\nacme webhook-secret acme-hook-0123456789ab`;
    const e = bad(text);
    expect(e.message).toMatch(/tenant acme points at a loopback, private.*--webhook-allow-private-networks/);
    expect(e.message).not.toContain('127.0.0.1');
    expect(bad(text.replace('http://127.0.0.1:9', 'https://169.254.169.254')).message).toMatch(/tenant acme/);
    const ok = loadConfig(['--tenants-file', '/t', '--webhook-allow-private-networks'], {}, { readFile: () => text });
    expect(ok.tenants[0]?.webhooks?.[0]?.url).toBe('http://127.0.0.1:9/h?k=v');
    expect(serverOptionsFromConfig(ok).webhooks).toEqual({ endpoints: [], allowPrivateNetworks: true });
    const reuse = bad(
      text.replace('http://127.0.0.1:9', 'https://ehr.example'),
      ['--webhook-url', 'https://host.example/h', '--webhook-secret-file', '/w'],
      { '/w': 'acme-hook-0123456789ab\n' },
    );
    expect(reuse.message).toMatch(/tenant acme uses a webhook secret of --webhook-secret-file/);
  });
});

describe('loadConfig: webhook destinations and trusted proxies', () => {
  it('refuses private webhook destinations unless allowed, and reads trusted proxy addresses', () => {
    const base = loadConfig([], env);
    expect(base.webhookAllowPrivateNetworks).toBe(false);
    expect(base.trustedProxies).toEqual([]);
    const c = loadConfig(['--webhook-allow-private-networks', '--trusted-proxy', '127.0.0.1', '--trusted-proxy', '::1'], env);
    expect(c.webhookAllowPrivateNetworks).toBe(true);
    expect(c.trustedProxies).toEqual(['127.0.0.1', '::1']);
    expect(loadConfig([], { ...env, ALCOVE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false', ALCOVE_TRUSTED_PROXIES: '10.0.0.2' })).toMatchObject({
      webhookAllowPrivateNetworks: false,
      trustedProxies: ['10.0.0.2'],
    });
    expect(() => loadConfig(['--trusted-proxy', 'proxy.example'], env)).toThrow(ConfigError);
    expect(() => loadConfig([], { ...env, ALCOVE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'maybe' })).toThrow(ConfigError);
  });
});
