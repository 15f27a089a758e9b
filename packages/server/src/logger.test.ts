import { describe, expect, it } from 'vitest';
import { createLogger, isLoggableField } from './logger.js';

const CANARY_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJDQU5BUllfVE9LRU4iOjF9.c2lnbmF0dXJlQ0FOQVJZ';
const CANARY_NAME = 'Canary Name Qz7';
const CANARY_CHAT = 'CANARY chat: my address is 12 Elm St';
const CANARY_IP = '198.51.100.23';
const CANARY_TICKET = 'CANARYticketAAAAAAAAAAAAAAAAAAAA';

describe('logger', () => {
  it('drops fields named like secrets, names, chat, addresses; keeps ids and codes', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', sink: (l) => lines.push(l) });
    log.info('participant.joined', {
      sessionId: 'sessAAAA',
      participantId: 'client-1',
      role: 'client',
      token: CANARY_TOKEN,
      joinToken: CANARY_TOKEN,
      resumeTicket: CANARY_TICKET,
      displayName: CANARY_NAME,
      name: CANARY_NAME,
      chat: CANARY_CHAT,
      chatText: CANARY_CHAT,
      payload: CANARY_CHAT,
      sealed: CANARY_CHAT,
      ip: CANARY_IP,
      remoteAddress: CANARY_IP,
      remote_ip: CANARY_IP,
      apiKey: CANARY_TICKET,
      secret: CANARY_TICKET,
      location: CANARY_CHAT,
      authorization: `Bearer ${CANARY_TOKEN}`,
    });
    expect(lines).toHaveLength(1);
    const obj = JSON.parse(lines[0] as string) as Record<string, unknown>;
    expect(obj).toMatchObject({
      level: 'info',
      event: 'participant.joined',
      sessionId: 'sessAAAA',
      participantId: 'client-1',
      role: 'client',
    });
    expect(Object.keys(obj).sort()).toEqual(['event', 'level', 'participantId', 'role', 'sessionId', 't']);
  });

  it('never writes a canary planted in any field, event name or child binding', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', sink: (l) => lines.push(l) });
    const canaries = [CANARY_TOKEN, CANARY_NAME, CANARY_CHAT, CANARY_IP, CANARY_TICKET];
    for (const c of canaries) {
      // Innocent-looking field names carrying client text: free text, JWTs and IP-like values with spaces are replaced.
      log.warn('request.failed', { detail: c, errorMessage: `Invalid type: received "${c}"`, why: `${c} ` });
      log.error(c, { code: 'INVALID_MESSAGE' });
      log.child({ displayName: c, who: `${c} x` }).info('x.y', { reason: `${c}\n` });
    }
    const out = lines.join('\n');
    // A one-word, id-shaped value under an innocent field name (the ticket canary in `detail`) cannot be
    // told from an id; everything else must be gone.
    for (const c of [CANARY_TOKEN, CANARY_CHAT, CANARY_NAME, CANARY_IP]) expect(out).not.toContain(c);
    expect(out.split(CANARY_TICKET).length - 1).toBe(1);
    expect(out).toContain('[redacted]');
    expect(out).toContain('invalid.event');
  });

  it('respects the level and never throws from a broken sink', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'warn', sink: (l) => lines.push(l) });
    log.debug('a.b');
    log.info('a.b');
    log.warn('a.b');
    expect(lines).toHaveLength(1);
    const broken = createLogger({
      sink: () => {
        throw new Error('disk full');
      },
    });
    expect(() => broken.error('a.b')).not.toThrow();
  });

  it('classifies field names by word', () => {
    for (const f of [
      'token',
      'joinToken',
      'resume_ticket',
      'apiKey',
      'displayName',
      'remoteAddress',
      'ip',
      'clientIp',
      'chatText',
      'sealedPayload',
    ]) {
      expect(isLoggableField(f), f).toBe(false);
    }
    for (const f of ['participantId', 'sessionId', 'code', 'role', 'attempts', 'durationMs', 'description'])
      expect(isLoggableField(f), f).toBe(true);
  });
});
