/**
 * The E2EE worker (E2EE.md §8): one script serving both the standard `RTCRtpScriptTransform`
 * (`onrtctransform`) and the legacy `createEncodedStreams()` path (`postMessage({type:'setup'})`).
 * All media keys live here; frames are sealed/opened with {@link sealFrame}/{@link openFrame}.
 */
import { E2EE_SUITES } from '@alcove/protocol';
import { isE2eeCodec, openFrame, sealFrame } from '../frame-crypto.js';
import { identitySigner } from '../identity-signer.js';
import { KeyAgreement } from '../key-agreement.js';
import { ReceiverKeyRing, SenderKeyState } from '../key-ring.js';
import type { FromWorker, ToWorker, TransformOptions, TransformStats } from './messages.js';
import { StatusReporter } from './status.js';

/** The parts of a dedicated worker's global scope this script uses (typed without the WebWorker lib). */
interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  onrtctransform?: (event: { transformer: RTCRtpScriptTransformerLike }) => void;
  close(): void;
}
declare const self: WorkerScope;

interface RTCRtpScriptTransformerLike {
  readonly readable: ReadableStream;
  readonly writable: WritableStream;
  readonly options: TransformOptions;
  generateKeyFrame?(rid?: string): Promise<unknown>;
  sendKeyFrameRequest?(): Promise<unknown>;
}

interface EncodedFrame {
  data: ArrayBuffer;
  readonly type?: 'key' | 'delta' | 'empty';
  getMetadata?(): { mimeType?: string };
}

const suite = E2EE_SUITES.AES_128_GCM; // frame format version 3: WebCrypto AES-GCM
/** Keys set directly by the main thread (tests, apps with their own key management)… */
const directSender = new SenderKeyState(suite);
const directReceivers = new Map<string, ReceiverKeyRing>();
/** …or negotiated here by pair handshakes once `init` arrives (the normal case). */
let agreement: KeyAgreement | undefined;
const currentSender = (): SenderKeyState => agreement?.sender ?? directSender;
const stats: { -readonly [K in keyof TransformStats]: TransformStats[K] }[] = [];

const post = (m: FromWorker, transfer: Transferable[] = []): void => self.postMessage(m, transfer);
/** Key state for the session's "encrypted" status, key frames after a key switch. */
const status = new StatusReporter(() => stats, post);

const noKeys = new ReceiverKeyRing(suite);
/** Last key request per sender (at most one a second). */
const keyRequests = new Map<string, number>();
function requestKeyOf(participantId: string): void {
  const now = Date.now();
  if (!agreement || now - (keyRequests.get(participantId) ?? 0) < 1000) return;
  keyRequests.set(participantId, now);
  agreement.requestKey(participantId);
}
function ringOf(participantId: string): ReceiverKeyRing {
  if (agreement) return agreement.receivers.get(participantId) ?? noKeys;
  let r = directReceivers.get(participantId);
  if (!r) {
    r = new ReceiverKeyRing(suite);
    directReceivers.set(participantId, r);
  }
  return r;
}

function setup(readable: ReadableStream, writable: WritableStream, options: TransformOptions): void {
  const signalled = options.codec?.toLowerCase();
  const passthrough = options.mode === 'passthrough';
  if (!passthrough && signalled !== undefined && !isE2eeCodec(signalled)) {
    post({ type: 'error', message: `codec ${options.codec} cannot be end-to-end encrypted` });
    // Fail closed: never forward this track's frames.
    readable.cancel().catch(() => undefined);
    return;
  }
  const s = {
    participantId: options.participantId,
    track: options.track,
    direction: options.direction,
    frames: 0,
    dropped: 0,
    droppedByReason: {},
  } as (typeof stats)[number];
  stats.push(s);
  let lastReport = 0;
  let sinceReport = 0;
  // A sender's codec does not change frame to frame: read it (and whether E2EE can protect it) once.
  let sendCodec: string | undefined = signalled;
  const transform = new TransformStream<EncodedFrame, EncodedFrame>({
    // Async (WebCrypto): the stream waits for each frame before the next, so order is kept.
    async transform(frame, controller) {
      if (passthrough) {
        controller.enqueue(frame);
        return;
      }
      const data = new Uint8Array(frame.data);
      let out: Awaited<ReturnType<typeof openFrame>>;
      if (options.direction === 'send') {
        sendCodec ??= frame.getMetadata?.().mimeType?.toLowerCase();
        const codec = sendCodec ?? '';
        // A codec E2EE cannot protect (H.264, AV1) is never sent: fail closed.
        out = isE2eeCodec(codec)
          ? await sealFrame(currentSender(), options.track, codec, frame.type === 'key', data)
          : { ok: false, reason: 'NO_KEY' };
      } else {
        out = await openFrame(ringOf(options.participantId), options.track, data);
      }
      if (!out.ok) {
        if (out.reason === 'UNKNOWN_KEY' && options.direction === 'recv') requestKeyOf(options.participantId);
        s.dropped++;
        s.lastDropReason = out.reason;
        (s.droppedByReason as Record<string, number>)[out.reason] = (s.droppedByReason?.[out.reason] ?? 0) + 1;
        sinceReport++;
        const now = Date.now();
        if (options.direction === 'recv' && now - lastReport >= 1000) {
          post({
            type: 'decryptFailed',
            participantId: options.participantId,
            track: options.track,
            reason: out.reason,
            count: sinceReport,
          });
          lastReport = now;
          sinceReport = 0;
        }
        return; // dropped: fail closed
      }
      s.frames++;
      frame.data = out.data.buffer.byteLength === out.data.byteLength ? (out.data.buffer as ArrayBuffer) : out.data.slice().buffer;
      controller.enqueue(frame);
    },
  });
  readable
    .pipeThrough(transform)
    .pipeTo(writable)
    .catch((e: unknown) => post({ type: 'error', message: `transform pipe closed: ${e instanceof Error ? e.name : 'error'}` }))
    // A closed transform's counters go with it, so a long call does not accumulate them.
    .finally(() => {
      const i = stats.indexOf(s);
      if (i >= 0) stats.splice(i, 1);
    });
  post({ type: 'transformAttached', direction: options.direction, participantId: options.participantId, track: options.track });
}

self.onrtctransform = (event) => {
  const t = event.transformer;
  if (t.options.direction === 'send') status.addSender(t, t.options.track);
  else status.addReceiver(t, t.options.participantId);
  setup(t.readable, t.writable, t.options);
};

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const m = event.data;
  try {
    switch (m.type) {
      case 'setup':
        setup(m.readable, m.writable, m.options);
        break;
      case 'setSendKey':
        directSender.setKey(m.generation, m.key);
        m.key.fill(0);
        break;
      case 'ratchetSendKey': {
        const r = currentSender().ratchet();
        post({ type: 'sendKeyRatcheted', generation: r.generation, step: r.step, key: r.base }, [r.base.buffer]);
        break;
      }
      case 'setRecvKey':
        ringOf(m.participantId).setKey(m.generation, m.step, m.key);
        m.key.fill(0);
        break;
      case 'removeParticipant':
        directReceivers.get(m.participantId)?.destroy();
        directReceivers.delete(m.participantId);
        break;
      case 'init':
        if (agreement) break;
        agreement = new KeyAgreement(
          {
            sessionId: m.sessionId,
            selfId: m.selfId,
            role: m.role,
            requirePublishedKey: true,
            identity: identitySigner(m.identity),
          },
          {
            relay: (to, relayType, payload) => post({ type: 'relay', to, relayType, payload }),
            sasReady: (peer, sas, peerRole, identityKey) =>
              post({ type: 'sas', peer, peerRole, code: sas.slice(0, 6), ...status.identity(identityKey) }),
            senderKeyChanged: () => status.requestKeyFrames(),
            peerKeySwitched: (peer) => status.requestKeyFramesFrom(peer),
            statusChanged: () => status.changed(),
            peerKeyed: (peer) => post({ type: 'peerKeyed', peer }),
            refused: (peer, reason) => post({ type: 'refused', peer, reason }),
            now: () => Date.now(),
            setTimeout: (fn, ms) => setTimeout(fn, ms),
            clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
          },
        );
        (m.identity as { seed?: Uint8Array } | undefined)?.seed?.fill(0);
        agreement.start();
        post({ type: 'identity', identityKey: agreement.identityKey });
        status.start(agreement);
        break;
      case 'peerIdentity':
        agreement?.setPublishedKey(m.peerId, m.identityKey);
        break;
      case 'peerJoined':
        agreement?.addPeer(m.peerId);
        break;
      case 'peerLeft':
        agreement?.removePeer(m.peerId);
        break;
      case 'signal':
        agreement?.receive(m.from, m.relayType, m.payload);
        break;
      case 'keyFrame':
        status.requestKeyFrames(m.track);
        break;
      case 'getStats':
        // postMessage copies the counters now (structured clone): a snapshot.
        post({ type: 'stats', transforms: stats });
        break;
      case 'close':
        directSender.destroy();
        for (const r of directReceivers.values()) r.destroy();
        directReceivers.clear();
        agreement?.destroy();
        status.stop();
        self.close();
        break;
    }
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : 'worker error' });
  }
};

post({ type: 'ready' });
