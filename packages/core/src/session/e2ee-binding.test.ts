import { describe, expect, it } from 'vitest';
import type { E2eeIdentityChange, E2eeState } from '../e2ee/e2ee-state.js';
import type { FromWorker, ToWorker, WorkerStatus } from '../e2ee/worker/messages.js';
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
  const sasInfo: { peer: string; verified: boolean }[] = [];
  const changes: E2eeIdentityChange[] = [];
  const states: E2eeState[] = [];
  const clock = { now: 0 };
  const host: E2eeBindingHost = {
    request: async (m, d) => {
      requests.push([m, d]);
      return {} as never;
    },
    sasReady: (i) => {
      sas.push(i.peer);
      sasInfo.push({ peer: i.peer, verified: i.verified });
    },
    identityChanged: (c) => changes.push(c),
    stateChanged: (st) => states.push(st),
    now: () => clock.now,
    peerKeyed: () => undefined,
    problem: (code, detail) => problems.push(`${code} ${detail}`),
    swallowed: (site, error) => swallowed.push(`${site} ${(error as { code?: string }).code}`),
  };
  const binding = new E2eeBinding(() => worker, 'legacy', host);
  return { worker, requests, problems, swallowed, sas, sasInfo, changes, states, clock, binding };
}

const sasOf = (peer: string, fingerprint: string) => ({
  peer,
  peerRole: 'client',
  code: new Uint8Array(6),
  identityKey: 'SUs=',
  fingerprint,
});

const workerStatus = (peer: Partial<WorkerStatus['peers'][number]> & { peer: string }): WorkerStatus => ({
  localKeyed: true,
  generation: 0,
  peers: [
    {
      paired: true,
      keyed: true,
      generation: 0,
      decryptedInEpoch: true,
      sending: true,
      graceOpened: 0,
      awaitingPublishedKey: false,
      ...peer,
    },
  ],
  refused: {},
  keyFramesRequested: 0,
});

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
    worker.reply({ type: 'sas', ...sasOf('p2', 'f2') });
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

  it('a peer verified in an earlier session (same fingerprint) is verified without comparing again', () => {
    const { worker, binding, sasInfo, changes } = setup();
    binding.setVerifiedPeers([{ participantId: 'p2', fingerprint: 'f2', verifiedAt: 1 }]);
    binding.peerJoined('p2');
    binding.start('sid', 'me', 'client');
    worker.reply({ type: 'sas', ...sasOf('p2', 'f2') });
    expect(sasInfo).toEqual([{ peer: 'p2', verified: true }]);
    expect(changes).toEqual([]);
    expect(binding.state.peers[0]).toEqual(
      expect.objectContaining({ participantId: 'p2', fingerprint: 'f2', verified: true, identityChanged: false }),
    );
  });

  it('a verified peer with another identity raises e2eeIdentityChanged and is not verified until confirmed again', () => {
    const { worker, binding, sasInfo, changes } = setup();
    binding.setVerifiedPeers([{ participantId: 'p2', fingerprint: 'f-old', verifiedAt: 1 }]);
    binding.peerJoined('p2');
    binding.start('sid', 'me', 'client');
    worker.reply({ type: 'sas', ...sasOf('p2', 'f-new') });
    expect(sasInfo).toEqual([{ peer: 'p2', verified: false }]);
    expect(changes).toEqual([expect.objectContaining({ participantId: 'p2', previousFingerprint: 'f-old', fingerprint: 'f-new' })]);
    expect(binding.state.peers[0]).toEqual(expect.objectContaining({ verified: false, identityChanged: true }));
    expect(binding.state.verified).toBe(false);
    // The handshake runs again (the peer reloads): still the new identity, still not verified.
    worker.reply({ type: 'sas', ...sasOf('p2', 'f-new') });
    expect(changes).toHaveLength(2);
    expect(binding.state.peers[0]?.verified).toBe(false);
    // Compared and confirmed: the new fingerprint is remembered, the warning is gone.
    const record = binding.confirmed('p2');
    expect(record).toEqual(expect.objectContaining({ participantId: 'p2', fingerprint: 'f-new' }));
    expect(binding.state.peers[0]).toEqual(expect.objectContaining({ verified: true, identityChanged: false }));
    expect(binding.state.verified).toBe(true);
    // A peer never verified before is simply unverified (no warning).
    binding.peerJoined('p3');
    worker.reply({ type: 'sas', ...sasOf('p3', 'f3') });
    expect(changes).toHaveLength(2);
    expect(binding.confirmed('nobody')).toBeUndefined();
  });

  it('asks the session for a key frame when the worker cannot (legacy path)', () => {
    const worker = new FakeWorker();
    const asked: string[] = [];
    new E2eeBinding(() => worker, 'legacy', {
      request: async () => ({}) as never,
      sasReady: () => undefined,
      peerKeyed: () => undefined,
      problem: () => undefined,
      swallowed: () => undefined,
      requestKeyFrame: (id) => asked.push(id),
    });
    worker.reply({ type: 'keyFrameWanted', participantId: 'p2' });
    expect(asked).toEqual(['p2']);
  });

  it("passes a receiver's key-frame request for one of our tracks (media.keyFrameRequested) to the worker", () => {
    const { worker, binding } = setup();
    binding.keyFrameRequested('cam');
    expect(worker.posted.at(-1)).toEqual({ type: 'keyFrame', track: 'cam' });
  });

  it('publishes the identity key again after a resume or rejoin (a new participant record may lack it)', async () => {
    const { worker, requests, binding } = setup();
    binding.start('sid', 'me', 'client');
    worker.reply({ type: 'identity', identityKey: 'SUs=' });
    binding.start('sid', 'me', 'client'); // joined again
    await Promise.resolve();
    expect(requests.filter(([m]) => m === 'e2ee.publishKey')).toEqual([
      ['e2ee.publishKey', { identityKey: 'SUs=', suites: [1] }],
      ['e2ee.publishKey', { identityKey: 'SUs=', suites: [1] }],
    ]);
    expect(worker.posted.filter((m) => m.type === 'init')).toHaveLength(1);
  });

  it('hands published identity keys to the worker (after init), once per change', () => {
    const { worker, binding } = setup();
    binding.publishedKey('p2', 'K1');
    expect(worker.posted).toEqual([]);
    binding.peerJoined('p2');
    binding.start('sid', 'me', 'client');
    binding.publishedKey('p2', 'K1');
    binding.publishedKey('p2', 'K2');
    expect(worker.posted.map((m) => m.type + ('identityKey' in m ? `:${m.identityKey}` : ''))).toEqual([
      'init',
      'peerIdentity:K1',
      'peerJoined',
      'peerIdentity:K2',
    ]);
  });

  it('state: encrypted only when the local key is set and every sending peer decrypts under its current key', () => {
    const { worker, binding, states } = setup();
    expect(binding.state.state).toBe('starting');
    binding.peerJoined('p2');
    binding.start('sid', 'me', 'client');
    expect(binding.state.peers[0]?.state).toBe('handshaking');
    worker.reply({ type: 'status', status: { ...workerStatus({ peer: 'p2', paired: false, keyed: false }), localKeyed: true } });
    expect(binding.state.state).toBe('waiting-for-keys');
    worker.reply({ type: 'status', status: workerStatus({ peer: 'p2', decryptedInEpoch: false, generation: 1 }) });
    expect(binding.state.peers[0]?.state).toBe('waiting-for-keys');
    expect(binding.state.state).toBe('waiting-for-keys');
    worker.reply({ type: 'status', status: workerStatus({ peer: 'p2', generation: 1 }) });
    expect(binding.state).toEqual(expect.objectContaining({ state: 'encrypted', localKeyed: true, keyGeneration: 0 }));
    expect(binding.state.peers[0]).toEqual(expect.objectContaining({ state: 'encrypted', keyGeneration: 1, decryptedInEpoch: true }));
    // A keyed peer that sends nothing (camera and microphone off) does not hold the session back.
    worker.reply({ type: 'status', status: workerStatus({ peer: 'p2', decryptedInEpoch: false, sending: false, generation: 2 }) });
    expect(binding.state.state).toBe('encrypted');
    // Without the local key nothing is sent: not encrypted.
    worker.reply({ type: 'status', status: { ...workerStatus({ peer: 'p2' }), localKeyed: false } });
    expect(binding.state.state).toBe('starting');
    // Every change was reported (peer details too), each once.
    expect(states.map((x) => x.state).filter((x, i, all) => x !== all[i - 1])).toEqual([
      'starting',
      'waiting-for-keys',
      'encrypted',
      'starting',
    ]);
    expect(new Set(states.map((x) => JSON.stringify(x))).size).toBe(states.length);
    binding.peerLeft('p2');
    expect(binding.state.peers).toEqual([]);
  });

  it('drops under an unknown key id are reported once they last past the grace, at most every 10 s per track', () => {
    const { worker, problems, clock } = setup();
    const unknown = (n: number) =>
      worker.reply({ type: 'decryptFailed', participantId: 'p2', track: 'cam', reason: 'UNKNOWN_KEY', count: n });
    unknown(30); // t = 0: waiting for a key is normal for a moment
    clock.now = 1000;
    unknown(30);
    expect(problems).toEqual([]);
    for (let t = 2000; t <= 11_000; t += 1000) {
      clock.now = t;
      unknown(30);
    }
    expect(problems).toEqual(['E2EE_DECRYPT_FAILED p2/cam: UNKNOWN_KEY, 90 frames over 2 s']);
    clock.now = 12_000;
    unknown(30);
    expect(problems).toHaveLength(2);
    // A pause ends the episode: a new burst has its own grace.
    clock.now = 20_000;
    unknown(5);
    clock.now = 21_000;
    unknown(5);
    expect(problems).toHaveLength(2);
    // Another track is counted on its own.
    worker.reply({ type: 'decryptFailed', participantId: 'p2', track: 'mic', reason: 'UNKNOWN_KEY', count: 1 });
    expect(problems).toHaveLength(2);
  });
});
