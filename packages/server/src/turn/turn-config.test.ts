import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/index.js';
import { serverOptionsFromConfig } from '../server-options.js';

const env = { ALCOVE_TOKEN_SECRET: 's'.repeat(32) };
const TURN_SECRET = 'coturn-static-auth-secret-0123';

describe('TURN and ICE-TCP settings of alcove-server start', () => {
  it('offers ICE-TCP by default and turns it off with --rtc-tcp off', () => {
    expect(loadConfig([], env).rtcTcp).toBe(true);
    expect(serverOptionsFromConfig(loadConfig([], env)).rtc).not.toHaveProperty('tcp');
    const off = loadConfig(['--rtc-tcp', 'off'], env);
    expect(off.rtcTcp).toBe(false);
    expect(serverOptionsFromConfig(off).rtc?.tcp).toBe(false);
    expect(() => loadConfig(['--rtc-tcp', 'maybe'], env)).toThrow(ConfigError);
  });

  it('reads TURN URLs (flags or env), secrets from a file (one per line) and the lifetime', () => {
    const c = loadConfig(
      [
        '--turn-url',
        'turn:turn.example.org:3478?transport=udp',
        '--turn-url=turns:turn.example.org:443?transport=tcp',
        '--turn-secret-file',
        '/t',
        '--turn-ttl',
        '600',
      ],
      env,
      { readFile: () => `${TURN_SECRET}\n# the previous one, during a rotation\nolder-secret-0123456789\n` },
    );
    expect(c.turn).toEqual({
      urls: ['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:443?transport=tcp'],
      secrets: [TURN_SECRET, 'older-secret-0123456789'],
      ttlS: 600,
    });
    expect(serverOptionsFromConfig(c).turn).toEqual({ urls: c.turn!.urls, secrets: c.turn!.secrets, ttlS: 600 });
    const fromEnv = loadConfig([], { ...env, ALCOVE_TURN_URLS: 'turn:10.0.0.1:3478?transport=tcp', ALCOVE_TURN_SECRET: TURN_SECRET });
    expect(fromEnv.turn?.urls).toEqual(['turn:10.0.0.1:3478?transport=tcp']);
    expect(fromEnv.turn?.ttlS).toBe(43200);
    expect(loadConfig([], env).turn).toBeUndefined();
  });

  it('refuses half a TURN setup or a bad URL, without echoing the secret', () => {
    expect(() => loadConfig(['--turn-url', 'turn:turn.example.org:3478'], env)).toThrow(/secret/);
    expect(() => loadConfig([], { ...env, ALCOVE_TURN_SECRET: TURN_SECRET })).toThrow(/turn-url/);
    expect(() => loadConfig(['--turn-url', 'https://turn.example.org'], { ...env, ALCOVE_TURN_SECRET: TURN_SECRET })).toThrow(ConfigError);
    try {
      loadConfig(['--turn-url', 'turn:turn.example.org:3478'], { ...env, ALCOVE_TURN_SECRET: 'short-secret' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).option).toBe('turn-secret-file');
      expect(String((e as Error).message)).not.toContain('short-secret');
    }
  });
});
