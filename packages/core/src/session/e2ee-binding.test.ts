import { describe, expect, it } from 'vitest';
import type { FromWorker, ToWorker } from '../e2ee/worker/messages.js';
import { E2eeBinding, type E2eeBindingHost } from './e2ee-binding.js';

/** A worker stand-in: records what the main thread posts, lets the test post back. */
class FakeWorker {
  readonly posted: ToWorker[] = [];
  terminated = false;
  #listener: ((e: MessageEvent) => void) | undefined;
  postMessage(m: unknown): void {
    this.posted.push(m as ToWorker);
  }
  addEventListener(_t: 'message', l: (e: MessageEvent) => void): void {
    this.#listener = l;
  }
  terminate(): void {
    this.terminated = true;
  }
  reply(m: FromWorker): void {
    this.#listener?.({ data: m } as MessageEvent);
  }
}

function setup() {
  const worker = new FakeWorker();
  const requests: [string, unknown][] = [];
  const problems: string[] = [];
  const swallowed: string[] = [];
  const sas: string[] = [];
  const host: E2eeBindingHost = {
    request: async (m, d) => {
      requests.push([m, d]);
      return {} as never;
    },
    sasReady: (i) => sas.push(i.peer),
    peerKeyed: () => undefined,
    problem: (code, detail) => problems.push(`${code} ${detail}`),
    swallowed: (site, error) => swallowed.push(`${site} ${(error as { code?: string }).code}`),
  };
  const binding = new E2eeBinding(() => worker, 'legacy', host);
  return { worker, requests, problems, swallowed, sas, binding };
}

describe('E2eeBinding', () => {
  it('starts key agreement on admission and only then introduces peers, in order', () => {
    const { worker, binding } = setup();
    binding.peerJoined('a'); // known before admission (roster sync)
    expect(worker.posted).toEqual([]);
    binding.start('sid', 'me', 'client');
    binding.start('sid', 'me', 'client'); // idempotent
    binding.peerJoined('b');
    binding.peerJoined('b');
    binding.peerLeft('a');
    binding.peerLeft('zzz'); // unknown: ignored
    expect(worker.posted.map((m) => (m.type === 'init' ? 'init' : `${m.type}:${'peerId' in m ? m.peerId : ''}`))).toEqual([
      'init',
      'peerJoined:a',
      'peerJoined:b',
      'peerLeft:a',
    ]);
  });

  it('relays the worker messages through signalling and passes notifications in unread', async () => {
    const { worker, requests, binding, sas } = setup();
    binding.start('sid', 'me', 'host');
    worker.reply({ type: 'identity', identityKey: 'SUs=' });
    worker.reply({ type: 'relay', to: 'p2', relayType: 'commit', payload: 'AAA=' });
    worker.reply({ type: 'sas', peer: 'p2', peerRole: 'client', emoji: [], decimal: [1000, 1001, 1002] });
    await Promise.resolve();
    expect(requests).toEqual([
      ['e2ee.publishKey', { identityKey: 'SUs=', suites: [1] }],
      ['e2ee.relay', { to: 'p2', type: 'commit', payload: 'AAA=' }],
    ]);
    expect(sas).toEqual(['p2']);
    binding.signal('p2', 'reveal', 'BBB=');
    expect(worker.posted.at(-1)).toEqual({ type: 'signal', from: 'p2', relayType: 'reveal', payload: 'BBB=' });
  });

  it('reports wrong keys and forgeries, but not the moment of waiting for a key', () => {
    const { worker, problems, swallowed } = setup();
    worker.reply({ type: 'decryptFailed', participantId: 'p2', track: 'cam', reason: 'UNKNOWN_KEY', count: 30 });
    worker.reply({ type: 'decryptFailed', participantId: 'p2', track: 'cam', reason: 'AUTH_FAILED', count: 3 });
    worker.reply({ type: 'refused', peer: 'p2', reason: 'BAD_SIGNATURE' });
    expect(problems).toEqual(['E2EE_DECRYPT_FAILED p2/cam: AUTH_FAILED', 'E2EE_HANDSHAKE_REFUSED p2: BAD_SIGNATURE']);
    // Waiting for a key is counted and logged at debug, not reported.
    expect(swallowed).toEqual(['e2ee.decrypt UNKNOWN_KEY']);
  });

  it('asks for insertable streams on the legacy path and ends the worker on close', () => {
    const { worker, binding } = setup();
    expect(binding.mediaHooks().additionalSettings).toEqual({ encodedInsertableStreams: true });
    binding.close();
    expect(worker.posted.at(-1)).toEqual({ type: 'close' });
    expect(worker.terminated).toBe(true);
  });
});
