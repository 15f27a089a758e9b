import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startCall } from './call-fixture.js';

describe('startCall', () => {
  it('removes its temporary folder and closes the server when a later step fails', async () => {
    let dir = '';
    let serverClosed = false;
    const err = await startCall({
      server: async ({ dataDir }) => {
        dir = dataDir;
        expect(existsSync(dataDir)).toBe(true);
        return {
          close: async () => {
            serverClosed = true;
          },
        };
      },
      site: async () => {
        throw new Error('site failed');
      },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('site failed');
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
    expect(serverClosed).toBe(true);
  });

  it('removes its temporary folder when the server factory fails', async () => {
    let dir = '';
    const err = await startCall({
      server: async ({ dataDir }) => {
        dir = dataDir;
        throw new Error('port taken');
      },
    }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('port taken');
    expect(existsSync(dir)).toBe(false);
  });
});
