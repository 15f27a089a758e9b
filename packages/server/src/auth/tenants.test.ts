import { afterEach, describe, expect, it } from 'vitest';
import { AlcoveAdminClient } from '../client/admin-client.js';
import { loadConfig } from '../config/load-config.js';
import { serverOptionsFromConfig } from '../server-options.js';
import { startTestServer, type TestServer } from '../signaling/testing/harness.js';
import { createTenantKeyring } from './tenants.js';
import { mintJoinToken } from './tokens.js';

const ACME = 'acme-secret-acme-secret-acme-secret-0001';
const ACME_OLD = 'acme-old-secret-acme-old-secret-acme-0002';
const BETA = 'beta-secret-beta-secret-beta-secret-00003';
const DEFAULT = 'default-secret-default-secret-default-04';
const THIRD = 'a-third-secret-nobody-configured-000005';

let ts: TestServer | undefined;
afterEach(async () => {
  await ts?.close();
  ts = undefined;
});

const mint = (sid: string, pid: string, secret: string, role: 'host' | 'client' = 'client'): Promise<string> =>
  mintJoinToken({ sid, pid, role, name: pid }, { hs256Secret: secret, ttlS: 600 });

describe('tenant keyring', () => {
  it("verifies a session's token only with its tenant's keys; rotation accepts the old and new secret, refuses a third", async () => {
    const tenantOf = (sid: string): string | undefined => ({ sA: 'acme', sB: 'beta', sD: undefined, sX: 'unlisted' })[sid];
    const keyring = createTenantKeyring({
      tenants: [
        { id: 'default', hs256Secrets: [DEFAULT] },
        { id: 'acme', hs256Secrets: [ACME, ACME_OLD], maxSessions: 3 },
        { id: 'beta', hs256Secrets: [BETA] },
      ],
      tenantOf,
    });
    await expect(keyring.verify(await mint('sA', 'p', ACME))).resolves.toMatchObject({ sid: 'sA' });
    await expect(keyring.verify(await mint('sA', 'p', ACME_OLD))).resolves.toMatchObject({ sid: 'sA' });
    await expect(keyring.verify(await mint('sA', 'p', THIRD))).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    // Cross-tenant: beta's key (and the default key) never open an acme session.
    await expect(keyring.verify(await mint('sA', 'p', BETA))).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(keyring.verify(await mint('sA', 'p', DEFAULT))).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    await expect(keyring.verify(await mint('sB', 'p', ACME))).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
    // Sessions without a tenant, or of a tenant named only by an API key, use the default keys.
    await expect(keyring.verify(await mint('sD', 'p', DEFAULT))).resolves.toMatchObject({ sid: 'sD' });
    await expect(keyring.verify(await mint('sX', 'p', DEFAULT))).resolves.toMatchObject({ sid: 'sX' });
    // The signer uses the session's tenant key (the first, current one).
    const signer = keyring.signer;
    if (!signer) throw new Error('no signer');
    const { token } = await signer.mint({ sid: 'sA', pid: 'p', role: 'client', name: 'p' }, 60);
    await expect(keyring.verify(token)).resolves.toMatchObject({ sid: 'sA' });
    const onlyNew = createTenantKeyring({ tenants: [{ id: 'acme', hs256Secrets: [ACME] }], tenantOf });
    await expect(onlyNew.verify(token)).resolves.toMatchObject({ sid: 'sA' });
    expect(keyring.quotas('acme')).toEqual({ maxSessions: 3 });
    expect(keyring.quotas('beta')).toEqual({});
  });

  it('refuses a tenant without keys, a duplicate, a bad id and a bad quota', () => {
    const tenantOf = (): undefined => undefined;
    expect(() => createTenantKeyring({ tenants: [{ id: 'a' }], tenantOf })).toThrow(/no join-token key/);
    expect(() =>
      createTenantKeyring({
        tenants: [
          { id: 'a', hs256Secrets: [ACME] },
          { id: 'a', hs256Secrets: [BETA] },
        ],
        tenantOf,
      }),
    ).toThrow(/twice/);
    expect(() => createTenantKeyring({ tenants: [{ id: 'bad id', hs256Secrets: [ACME] }], tenantOf })).toThrow(/tenant id/);
    expect(() => createTenantKeyring({ tenants: [{ id: 'a', hs256Secrets: [ACME], maxParticipants: 0 }], tenantOf })).toThrow(RangeError);
  });
});

describe('tenancy on a running server', () => {
  it("refuses a cross-tenant token at join; holds each tenant's participant and session quotas apart; ended sessions stop counting", async () => {
    ts = await startTestServer({
      tokens: {},
      tenants: [
        { id: 'acme', hs256Secrets: [ACME], maxParticipants: 2, maxSessions: 2 },
        { id: 'beta', hs256Secrets: [BETA] },
      ],
    });
    const reg = ts.server.registry;
    const a = reg.create({ waitingRoom: false }, { tenant: 'acme' }).id;
    const b = reg.create({ waitingRoom: false }, { tenant: 'beta' }).id;
    const join = async (sid: string, pid: string, secret: string): Promise<string> => {
      const c = await ts?.connect();
      if (!c) throw new Error('no server');
      const r = await c.request('session.join', { token: await mint(sid, pid, secret), e2ee: true });
      return r.ok ? r.data.state : r.error.code;
    };
    expect(await join(a, 'x1', BETA)).toBe('INVALID_TOKEN'); // beta's key, acme's session
    expect(await join(b, 'x1', ACME)).toBe('INVALID_TOKEN');
    expect(await join(a, 'a1', ACME)).toBe('joined');
    expect(await join(a, 'a2', ACME)).toBe('joined');
    // acme's participant quota (2, across its sessions) is reached; a second acme session is full too.
    expect(await join(a, 'a3', ACME)).toBe('SESSION_FULL');
    const a2 = reg.create({ waitingRoom: false }, { tenant: 'acme' }).id;
    expect(await join(a2, 'a4', ACME)).toBe('SESSION_FULL');
    // beta has its own count.
    for (const pid of ['b1', 'b2', 'b3']) expect(await join(b, pid, BETA)).toBe('joined');
    // Sessions: acme holds two open ones; a third is refused until one ends, at once.
    expect(() => reg.create({}, { tenant: 'acme' })).toThrow(expect.objectContaining({ code: 'TOO_MANY_SESSIONS' }));
    reg.end(a, 'admin');
    expect(reg.create({}, { tenant: 'acme' }).tenant).toBe('acme');
    // The ended session's participants stopped counting at once: acme has room again.
    expect(await join(a2, 'a5', ACME)).toBe('joined');
  });
});

describe('tenants through the admin API', () => {
  it("a tenant's API key creates its sessions and mints tokens with the tenant's key; another tenant sees none of it", async () => {
    ts = await startTestServer({
      tokens: {},
      tenants: [
        { id: 'acme', hs256Secrets: [ACME], apiKeys: ['ak_acme_0123456789abcdef'] },
        { id: 'beta', hs256Secrets: [BETA], apiKeys: ['ak_beta_0123456789abcdef'] },
      ],
    });
    const baseUrl = ts.server.url as string;
    const acme = new AlcoveAdminClient({ baseUrl, apiKey: 'ak_acme_0123456789abcdef' });
    const beta = new AlcoveAdminClient({ baseUrl, apiKey: 'ak_beta_0123456789abcdef' });
    const session = await acme.createSession({ waitingRoom: false });
    expect(ts.server.registry.get(session.id)?.tenant).toBe('acme');
    const { token } = await acme.mintToken(session.id, { participantId: 'c1', role: 'client', displayName: 'Alex' });
    // Signed with acme's key: it joins, and acme's secret alone verifies it.
    const keyring = createTenantKeyring({ tenants: [{ id: 'acme', hs256Secrets: [ACME] }], tenantOf: () => 'acme' });
    await expect(keyring.verify(token)).resolves.toMatchObject({ sid: session.id, pid: 'c1' });
    const c = await ts.connect();
    expect((await c.call('session.join', { token, e2ee: true })).state).toBe('joined');
    await expect(beta.getSession(session.id)).rejects.toMatchObject({ status: 404, code: 'SESSION_NOT_FOUND' });
    await expect(beta.mintToken(session.id, { role: 'client', displayName: 'Eve' })).rejects.toMatchObject({ status: 404 });
  });
});

describe('tenants from the command line', () => {
  it('a server started from a tenants file (flags → options) isolates its tenants and applies their quotas', async () => {
    const files: Record<string, string> = {
      '/secrets': `${DEFAULT}\n`,
      '/tenants': [`acme token-secret ${ACME}`, 'acme api-key ak_acme_0123456789abcdef', 'acme max-participants 1'].join('\n'),
    };
    const config = loadConfig(
      ['--token-secret-file', '/secrets', '--tenants-file', '/tenants', '--data-dir', '/unused'],
      {},
      {
        readFile: (p) => files[p] as string,
      },
    );
    const options = serverOptionsFromConfig(config);
    ts = await startTestServer({ tokens: options.tokens, ...(options.tenants ? { tenants: options.tenants } : {}) });
    const acme = new AlcoveAdminClient({ baseUrl: ts.server.url as string, apiKey: 'ak_acme_0123456789abcdef' });
    const session = await acme.createSession({ waitingRoom: false });
    const join = async (pid: string, secret: string): Promise<string> => {
      const c = await ts?.connect();
      if (!c) throw new Error('no server');
      const r = await c.request('session.join', { token: await mint(session.id, pid, secret), e2ee: true });
      return r.ok ? r.data.state : r.error.code;
    };
    expect(await join('x', DEFAULT)).toBe('INVALID_TOKEN'); // the default tenant's secret, acme's session
    expect(await join('a1', ACME)).toBe('joined');
    expect(await join('a2', ACME)).toBe('SESSION_FULL'); // acme's max-participants 1
    // The default tenant (the test harness's API key) still works with the default secret.
    const own = ts.createSession({ waitingRoom: false });
    const c = await ts.connect();
    const r = await c.request('session.join', { token: await mint(own, 'd1', DEFAULT), e2ee: true });
    expect(r.ok ? r.data.state : r.error.code).toBe('joined');
  });
});
