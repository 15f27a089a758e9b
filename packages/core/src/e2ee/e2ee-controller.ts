import EventEmitter from 'eventemitter3';
import type { MediaHooks } from '../media/types.js';
import type { DeviceKey } from './identity-store.js';
import type { FromWorker, ToWorker, TransformOptions, TransformStats, WorkerStatus } from './worker/messages.js';
import { sasDecimal, sasEmoji } from './sas.js';

/** The slice of a `Worker` the controller uses (a fake in unit tests). */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  terminate(): void;
}

/** Which encoded-transform API attaches the worker to senders and receivers. */
export type E2eeTransformPath = 'standard' | 'legacy';

/** Options of {@link E2eeController}. */
export interface E2eeControllerOptions {
  /** Creates the E2EE worker, e.g. `() => new Worker(workerUrl, { type: 'module' })` with the `@alcove/core/e2ee-worker` file. */
  readonly createWorker: () => WorkerLike;
  /** `standard` (`RTCRtpScriptTransform`) or `legacy` (`createEncodedStreams`); default: standard where it exists. */
  readonly path?: E2eeTransformPath;
}

/** The short authentication string of one pair, to read aloud and compare. */
export interface SasInfo {
  readonly peer: string;
  readonly peerRole: string;
  readonly emoji: readonly { readonly emoji: string; readonly name: string }[];
  readonly decimal: readonly number[];
  /** The peer's identity key (Ed25519 public key, base64) the pair was made with. */
  readonly identityKey: string;
  /** Its fingerprint: what this device remembers once the code is confirmed. */
  readonly fingerprint: string;
  /**
   * This device confirmed this peer's identity before (in this or an earlier session), so the peer
   * counts as verified without comparing again. False for a new peer and after an identity change
   * (`e2eeIdentityChanged`).
   */
  readonly verified: boolean;
}

/** Events of {@link E2eeController}. */
export interface E2eeControllerEvents {
  /** This device's identity key is ready: publish it (`e2ee.publishKey`). */
  identity: [identityKey: string];
  /** Send through the server (`e2ee.relay`). The payload is opaque to this thread too. */
  relay: [to: string, type: 'commit' | 'reveal' | 'sealed' | 'roster', payload: string];
  sas: [info: SasInfo];
  /** A peer's media key arrived: its frames can be opened. */
  peerKeyed: [peer: string];
  /** Frames of a peer are being dropped (wrong or missing key, forgery). Throttled to ≤ 1/s per track. */
  decryptFailed: [peer: string, track: string, reason: string, count: number];
  /** A handshake or control message was refused. */
  refused: [peer: string, reason: string];
  /** The worker's key state changed. */
  status: [status: WorkerStatus];
  /** A peer switched keys and this path cannot ask it for a key frame itself: ask the server (`media.requestKeyFrame`). */
  keyFrameWanted: [participantId: string];
  error: [message: string];
}

/** Whether this browser can run E2EE media (encoded transforms in a worker). */
export function e2eeTransformPath(g: typeof globalThis = globalThis): E2eeTransformPath | undefined {
  if ('RTCRtpScriptTransform' in g) return 'standard';
  const sender = (g as { RTCRtpSender?: { prototype: object } }).RTCRtpSender;
  if (sender && 'createEncodedStreams' in sender.prototype) return 'legacy';
  return undefined;
}

/** Whether `path` exists in this browser (`legacy`: Chromium's `createEncodedStreams`; Firefox and Safari have only `standard`). */
export function e2eePathAvailable(path: E2eeTransformPath, g: typeof globalThis = globalThis): boolean {
  if (path === 'standard') return 'RTCRtpScriptTransform' in g;
  const sender = (g as { RTCRtpSender?: { prototype: object } }).RTCRtpSender;
  return !!sender && 'createEncodedStreams' in sender.prototype;
}

interface EncodedStreamsCapable {
  createEncodedStreams(): { readable: ReadableStream; writable: WritableStream };
  transform?: unknown;
}

/**
 * The main thread's side of E2EE (E2EE.md §8): it owns the worker, attaches encoded transforms to
 * every RTP sender and receiver through mediasoup-client's hooks, and relays handshake messages
 * between the server and the worker without reading them. Keys never leave the worker.
 */
export class E2eeController extends EventEmitter<E2eeControllerEvents> {
  readonly #worker: WorkerLike;
  readonly #path: E2eeTransformPath;
  #started = false;
  #closed = false;
  readonly #statsWaiters: ((stats: readonly TransformStats[]) => void)[] = [];

  constructor(options: E2eeControllerOptions) {
    super();
    const path = options.path ?? e2eeTransformPath();
    if (!path) throw new Error('E2EE needs encoded transforms (RTCRtpScriptTransform or createEncodedStreams)');
    this.#path = path;
    this.#worker = options.createWorker();
    this.#worker.addEventListener('message', (e: MessageEvent<FromWorker>) => this.#onWorker(e.data));
  }

  /** The transform API in use. */
  get path(): E2eeTransformPath {
    return this.#path;
  }

  /** Hooks for `SessionOptions.mediaHooks` / the media manager: attach before media flows. */
  get mediaHooks(): MediaHooks {
    return {
      onRtpSender: (sender, info) => this.#attach(sender, { direction: 'send', participantId: info.participantId, track: info.source }),
      onRtpReceiver: (receiver, info) =>
        this.#attach(receiver, { direction: 'recv', participantId: info.participantId, track: info.source }),
      ...(this.#path === 'legacy' ? { additionalSettings: { encodedInsertableStreams: true } as Partial<RTCConfiguration> } : {}),
    };
  }

  /**
   * Starts key agreement once admitted. Idempotent. `identity` is the device identity, cloned to
   * the worker (a non-extractable WebCrypto key stays non-extractable there). Without it the
   * worker makes a fresh identity for this session.
   */
  start(sessionId: string, selfId: string, role: string, identity?: DeviceKey): void {
    if (this.#started || this.#closed) return;
    this.#started = true;
    this.#post({ type: 'init', sessionId, selfId, role, identity });
  }

  /** An admitted peer is in the room. */
  peerJoined(peerId: string): void {
    this.#post({ type: 'peerJoined', peerId });
  }

  /** A peer left or was removed: our key is replaced so it cannot read what follows. */
  peerLeft(peerId: string): void {
    this.#post({ type: 'peerLeft', peerId });
  }

  /** The identity key a peer published (from its participant info); its handshake must use the same key. */
  peerIdentity(peerId: string, identityKey: string | undefined): void {
    this.#post({ type: 'peerIdentity', peerId, identityKey });
  }

  /** An `e2ee.message` notification, handed to the worker unread. */
  signal(from: string, relayType: 'commit' | 'reveal' | 'sealed' | 'roster', payload: string): void {
    this.#post({ type: 'signal', from, relayType, payload });
  }

  /**
   * The worker's per-transform counters: frames sealed (send) or opened (receive), frames dropped
   * and the last drop reason. Never keys. Resolves with `[]` once closed.
   */
  /**
   * A receiver asked for a key frame of our `track` (`media.keyFrameRequested`): the worker asks
   * that track's encoder where the browser lets it (`generateKeyFrame`, standard path); the SFU has
   * already passed the receiver's request on as RTCP, which every encoder honours.
   */
  keyFrameRequested(track: string): void {
    this.#post({ type: 'keyFrame', track });
  }

  stats(): Promise<readonly TransformStats[]> {
    if (this.#closed) return Promise.resolve([]);
    return new Promise((resolve) => {
      this.#statsWaiters.push(resolve);
      this.#post({ type: 'getStats' });
    });
  }

  /** Ends the worker; its keys go with it. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#post({ type: 'close' });
    this.#worker.terminate();
    for (const w of this.#statsWaiters.splice(0)) w([]);
    this.removeAllListeners();
  }

  #attach(target: RTCRtpSender | RTCRtpReceiver, options: TransformOptions): void {
    if (this.#closed) return;
    if (this.#path === 'standard') {
      const Ctor = (globalThis as unknown as { RTCRtpScriptTransform: new (w: unknown, o: unknown) => unknown }).RTCRtpScriptTransform;
      (target as unknown as { transform: unknown }).transform = new Ctor(this.#worker, options);
      return;
    }
    const { readable, writable } = (target as unknown as EncodedStreamsCapable).createEncodedStreams();
    this.#post({ type: 'setup', readable, writable, options }, [readable as unknown as Transferable, writable as unknown as Transferable]);
  }

  #post(message: ToWorker, transfer: Transferable[] = []): void {
    if (this.#closed && message.type !== 'close') return;
    this.#worker.postMessage(message, transfer);
  }

  #onWorker(m: FromWorker): void {
    switch (m.type) {
      case 'identity':
        this.emit('identity', m.identityKey);
        break;
      case 'relay':
        this.emit('relay', m.to, m.relayType, m.payload);
        break;
      case 'sas':
        this.emit('sas', {
          peer: m.peer,
          peerRole: m.peerRole,
          emoji: sasEmoji(m.code),
          decimal: sasDecimal(m.code),
          identityKey: m.identityKey,
          fingerprint: m.fingerprint,
          verified: false,
        });
        break;
      case 'peerKeyed':
        this.emit('peerKeyed', m.peer);
        break;
      case 'decryptFailed':
        this.emit('decryptFailed', m.participantId, m.track, m.reason, m.count);
        break;
      case 'refused':
        this.emit('refused', m.peer, m.reason);
        break;
      case 'error':
        this.emit('error', m.message);
        break;
      case 'status':
        this.emit('status', m.status);
        break;
      case 'keyFrameWanted':
        this.emit('keyFrameWanted', m.participantId);
        break;
      case 'stats':
        for (const w of this.#statsWaiters.splice(0)) w(m.transforms);
        break;
      default:
        break;
    }
  }
}
