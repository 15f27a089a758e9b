import { describe, expect, it } from 'vitest';
import { issueTurnCredentials, turnCredential, validateTurnOptions, verifyTurnCredential, type TurnOptions } from './index.js';

const options: TurnOptions = {
  urls: [
    'turn:turn.example.org:3478?transport=udp',
    'turn:turn.example.org:3478?transport=tcp',
    'turns:turn.example.org:443?transport=tcp',
  ],
  secrets: ['a-shared-secret-of-some-length'],
  ttlS: 600,
};

describe('TURN REST API credentials', () => {
  it('signs <expiry>:<random id> with HMAC-SHA1 of the shared secret, for every relay URL', () => {
    const now = Date.UTC(2026, 0, 1, 12);
    const { iceServers, expiresAt } = issueTurnCredentials(options, now);
    expect(iceServers).toHaveLength(1);
    const [server] = iceServers;
    expect(server!.urls).toEqual(options.urls);
    const [expiry, id] = server!.username!.split(':');
    expect(Number(expiry)).toBe(now / 1000 + 600);
    expect(expiresAt).toBe(now + 600_000);
    expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(server!.credential).toBe(turnCredential(options.secrets[0]!, server!.username!));
    // The RFC 2104 HMAC-SHA1 of a known input, base64 (what coturn computes for the same secret).
    expect(turnCredential('key', 'The quick brown fox jumps over the lazy dog')).toBe('3nybhbi3iqa8ino29wqQcBydtNk=');
    // Two participants never share a username.
    expect(issueTurnCredentials(options, now).iceServers[0]!.username).not.toBe(server!.username);
  });

  it('expires: accepted until the expiry in the username, refused from then on', () => {
    const now = Date.UTC(2026, 0, 1, 12);
    const { iceServers } = issueTurnCredentials(options, now);
    const { username, credential } = iceServers[0]!;
    expect(verifyTurnCredential(options.secrets, username!, credential!, now)).toBe(true);
    expect(verifyTurnCredential(options.secrets, username!, credential!, now + 599_999)).toBe(true);
    expect(verifyTurnCredential(options.secrets, username!, credential!, now + 600_000)).toBe(false);
    expect(verifyTurnCredential(options.secrets, username!, credential!, now + 3_600_000)).toBe(false);
  });

  it('refuses a tampered username or credential, and another secret; accepts an older secret during rotation', () => {
    const now = Date.UTC(2026, 0, 1, 12);
    const { username, credential } = issueTurnCredentials(options, now).iceServers[0]!;
    const later = `${Number(username!.split(':')[0]) + 86_400}:${username!.split(':')[1]}`;
    expect(verifyTurnCredential(options.secrets, later, credential!, now)).toBe(false);
    // Tampered in its first character, always to a different one (replacing the last two characters
    // by "A=" left it unchanged whenever it already ended so: 1 run in 64, seen in CI).
    const tampered = `${credential![0] === 'A' ? 'B' : 'A'}${credential!.slice(1)}`;
    expect(tampered).not.toBe(credential);
    expect(verifyTurnCredential(options.secrets, username!, tampered, now)).toBe(false);
    expect(verifyTurnCredential(['another-secret-entirely!'], username!, credential!, now)).toBe(false);
    expect(verifyTurnCredential(['new-secret-after-rotation', options.secrets[0]!], username!, credential!, now)).toBe(true);
    expect(verifyTurnCredential(options.secrets, 'no-expiry', credential!, now)).toBe(false);
  });

  it('validates options with errors that never echo the secret', () => {
    expect(() => validateTurnOptions(options)).not.toThrow();
    expect(() => validateTurnOptions({ ...options, urls: [] })).toThrow(TypeError);
    expect(() => validateTurnOptions({ ...options, urls: ['http://turn.example.org'] })).toThrow(/turn:HOST/);
    expect(() => validateTurnOptions({ ...options, urls: ['turns:turn.example.org:443?transport=udp'] })).toThrow(TypeError);
    expect(() => validateTurnOptions({ ...options, ttlS: 10 })).toThrow(/ttlS/);
    try {
      validateTurnOptions({ ...options, secrets: ['short-secret'] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TypeError);
      expect(String(e)).not.toContain('short-secret');
    }
  });
});
