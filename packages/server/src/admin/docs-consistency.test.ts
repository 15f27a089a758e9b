/**
 * The integration guide, the decision records and `alcove-server --help` agree with the code: the
 * CLI's defaults are the embedded server's defaults, and every default the guide's limits table
 * states is the CLI's.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MAX_JOIN_TOKEN_TTL_S, TOKEN_CLOCK_SKEW_S } from '@alcove/protocol';
import { describe, expect, it } from 'vitest';
import { configHelpText, OPTION_SPECS } from '../config/index.js';
import { LIVE_DEFAULTS } from '../rooms/room-manager.js';
import { serverOptionsFromConfig } from '../server-options.js';
import { loadConfig } from '../config/load-config.js';
import { DEFAULT_RATE_LIMIT } from '../signaling/rate-limiter.js';

const read = (rel: string): string => readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8');
const GUIDE = read('../../../../docs/server-integration.md');
const SIGNALLING_ADR = read('../../../../docs/decisions/2026-11-23-server-signalling-admission.md');
const dflt = (flag: string): string | undefined => OPTION_SPECS.find((o) => o.flag === flag)?.dflt;

describe('docs and CLI agree with the code', () => {
  it('the CLI defaults are the embedded defaults (reconnect grace, message rate and burst, token lifetime)', () => {
    expect(Number(dflt('reconnect-grace')) * 1000).toBe(LIVE_DEFAULTS.graceMs);
    expect(Number(dflt('rate-limit'))).toBe(DEFAULT_RATE_LIMIT.perSecond);
    expect(Number(dflt('token-max-ttl'))).toBe(MAX_JOIN_TOKEN_TTL_S);
    const options = serverOptionsFromConfig(loadConfig([], { ALCOVE_TOKEN_SECRET: 's'.repeat(32) }, { cwd: '/srv' }));
    expect(options.limits?.rateLimit).toMatchObject({ perSecond: DEFAULT_RATE_LIMIT.perSecond, burst: DEFAULT_RATE_LIMIT.burst });
    expect(options.live?.graceMs).toBe(LIVE_DEFAULTS.graceMs);
    expect(configHelpText()).toMatch(/burst 3×/);
  });

  it("every default in the guide's limits table is the CLI's", () => {
    const rows = [...GUIDE.matchAll(/^\| `--([a-z-]+)` \| (\d+) \|/gm)];
    expect(rows.length).toBeGreaterThanOrEqual(10);
    for (const [, flag, value] of rows) expect(value, `--${flag}`).toBe(dflt(flag as string));
    for (const flag of ['reconnect-grace', 'rate-limit', 'token-max-ttl', 'admin-body-limit', 'max-sessions'])
      expect(rows.map((r) => r[1])).toContain(flag);
    expect(GUIDE).toContain(`burst 3× (${DEFAULT_RATE_LIMIT.burst})`);
    expect(GUIDE).toContain(`${TOKEN_CLOCK_SKEW_S} s of clock skew`);
  });

  it('the signalling decision record states the same grace and rate limits', () => {
    expect(SIGNALLING_ADR).toContain(`default ${LIVE_DEFAULTS.graceMs / 1000} s; \`--reconnect-grace\``);
    expect(SIGNALLING_ADR).toContain(`${DEFAULT_RATE_LIMIT.perSecond}/s, burst ${DEFAULT_RATE_LIMIT.burst}`);
  });
});
