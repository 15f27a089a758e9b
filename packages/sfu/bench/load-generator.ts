/**
 * The benchmark's load generator, run as a child process so its CPU is not
 * counted as the engine's: one publishing endpoint (VP8-like stream) and N
 * receiving endpoints that count packets. Driven over IPC by `sfu-bench.ts`.
 */
import { NodeEndpoint, type RemoteTransportParameters } from '../src/testing/node-endpoint.js';
import { Vp8Generator } from '../src/testing/vp8-generator.js';
import { parseRtcpCompound } from '../src/rtp/index.js';
import { getEndpointCertificate } from '../src/testing/certificate.js';

/** Requests the parent sends. */
export type GeneratorRequest =
  | {
      id: number;
      type: 'create';
      key: string;
      params: RemoteTransportParameters;
      publisher: boolean;
      iceUfrag?: string;
      bindAddress?: string;
      icePassword?: string;
    }
  | { id: number; type: 'fingerprint' }
  | { id: number; type: 'profile'; key: string }
  | { id: number; type: 'publishOn'; key: string; ssrc: number; payloadType: number }
  | { id: number; type: 'connect'; keys: string[] }
  | { id: number; type: 'startPublishing'; ssrc: number; payloadType: number }
  | { id: number; type: 'stopPublishing' }
  | { id: number; type: 'startSimulcast'; key: string; ssrcs: number[]; bitrates: number[]; payloadType: number }
  | { id: number; type: 'snapshot' }
  | { id: number; type: 'close' };

/** Counters reported by `snapshot`. */
export type GeneratorSnapshot = {
  sent: number;
  received: number;
  receivedBytes: number;
  decryptErrors: number;
  keyFramesSent: number;
  keyFrameRequests: number;
  consumers: number;
  /** Consumers that received anything since the previous snapshot. */
  activeConsumers: number;
  packetsPerSecond: number;
  /** CPU time of the load generator process so far (µs). */
  cpuUs: number;
  /** Packets sent per simulcast layer (index = layer), and received per consumer key. */
  simulcastSent: number[];
  receivedByKey: Record<string, number>;
  /** Packets sent by each extra publisher (`publishOn`). */
  sentByKey: Record<string, number>;
  /**
   * Per receiver: packets received and the span of (extended) sequence numbers seen so far. A
   * window's loss is 1 − Δreceived / Δspan: packets missing from the sequence, not packets still
   * in flight at the window's edges (which a loaded machine queues for tens of ms).
   */
  seqByKey: Record<string, { received: number; span: number }>;
};

/** Sequence-number bookkeeping of one receiver. */
class SeqTracker {
  received = 0;
  first = -1;
  max = -1;
  onPacket(seq: number): void {
    this.received++;
    if (this.max < 0) {
      this.first = seq;
      this.max = seq;
      return;
    }
    // Extend around the 16-bit wrap, relative to the highest so far.
    const delta = ((seq - (this.max & 0xffff) + 0x8000) & 0xffff) - 0x8000;
    if (delta > 0) this.max += delta;
  }
  get span(): number {
    return this.max < 0 ? 0 : this.max - this.first + 1;
  }
}
const seqTrackers = new Map<string, SeqTracker>();

const lastReceived = new Map<NodeEndpoint, number>();

const endpoints = new Map<string, NodeEndpoint>();
let publisher: NodeEndpoint | undefined;
let generator: Vp8Generator | undefined;
let stopPacing: (() => void) | undefined;
let keyFrameRequests = 0;
let simulcastPublisher: NodeEndpoint | undefined;
const simulcastGens: Vp8Generator[] = [];
const simulcastSent: number[] = [];
const stopSimulcast: (() => void)[] = [];
/** Extra publishers (`publishOn`: the two-worker row and the Janus baseline). */
const extraPublishers = new Map<string, { ep: NodeEndpoint; gen: Vp8Generator; stop: () => void }>();

const reply = (id: number, data: unknown, error?: string): void => {
  process.send?.({ id, data, error });
};

async function handle(req: GeneratorRequest): Promise<unknown> {
  switch (req.type) {
    case 'create': {
      // Receivers count packets from the clear RTP header; every 64th is decrypted and authenticated.
      const ep = await NodeEndpoint.create(req.params, {
        decrypt: req.publisher ? 'all' : 64,
        ...(req.iceUfrag ? { iceUfrag: req.iceUfrag } : {}),
        // A peer on another local address (Janus's libnice skips loopback) answers to that address.
        ...(req.bindAddress ? { bindAddress: req.bindAddress } : {}),
        ...(req.icePassword ? { icePassword: req.icePassword } : {}),
      });
      endpoints.set(req.key, ep);
      if (req.publisher) publisher = ep;
      else {
        // The RTP header stays readable without decrypting: track every packet's sequence number.
        const t = new SeqTracker();
        seqTrackers.set(req.key, t);
        ep.onRtp = (pkt) => t.onPacket((pkt[2]! << 8) | pkt[3]!);
      }
      return ep.dtlsParameters;
    }
    case 'connect': {
      // A few handshakes at a time: werift's DTLS is pure JS.
      const keys = [...req.keys];
      while (keys.length > 0) {
        await Promise.all(keys.splice(0, 8).map((k) => endpoints.get(k)!.connect({ timeoutMs: 20_000 })));
      }
      return true;
    }
    case 'startPublishing': {
      if (!publisher) throw new Error('no publisher');
      const gen = new Vp8Generator({ ssrc: req.ssrc, payloadType: req.payloadType, bitrate: 2_500_000, fps: 30, keyFrameInterval: 60 });
      generator = gen;
      const pub = publisher;
      pub.onRtcp = (buf) => {
        for (const r of parseRtcpCompound(buf).packets) {
          if (r.type === 'pli' || r.type === 'fir') {
            keyFrameRequests++;
            gen.requestKeyFrame();
          }
        }
      };
      stopPacing = gen.startPacing((p) => pub.sendRtp(p));
      return gen.packetsPerSecond;
    }
    case 'stopPublishing': {
      stopPacing?.();
      stopPacing = undefined;
      for (const p of extraPublishers.values()) p.stop();
      extraPublishers.clear();
      return true;
    }
    case 'profile': {
      const p = endpoints.get(req.key)?.srtpProfile;
      return p === 7 ? 'AEAD_AES_128_GCM' : p === 1 ? 'AES_CM_128_HMAC_SHA1_80' : String(p);
    }
    case 'fingerprint':
      return (await getEndpointCertificate()).fingerprint;
    case 'publishOn': {
      // Another publisher of the same 2.5 Mbit/s stream on endpoint `key`.
      const ep = endpoints.get(req.key);
      if (!ep) throw new Error(`no endpoint ${req.key}`);
      const gen = new Vp8Generator({ ssrc: req.ssrc, payloadType: req.payloadType, bitrate: 2_500_000, fps: 30, keyFrameInterval: 60 });
      ep.onRtcp = (buf) => {
        for (const r of parseRtcpCompound(buf).packets) if (r.type === 'pli' || r.type === 'fir') gen.requestKeyFrame();
      };
      extraPublishers.set(req.key, { ep, gen, stop: gen.startPacing((p) => ep.sendRtp(p)) });
      return gen.packetsPerSecond;
    }
    case 'startSimulcast': {
      // One endpoint sending one VP8-like stream per layer (SSRC-signalled simulcast).
      const pub = endpoints.get(req.key);
      if (!pub) throw new Error('no simulcast publisher');
      simulcastPublisher = pub;
      req.ssrcs.forEach((ssrc, i) => {
        const gen = new Vp8Generator({ ssrc, payloadType: req.payloadType, bitrate: req.bitrates[i]!, fps: 30, keyFrameInterval: 60 });
        simulcastGens.push(gen);
        simulcastSent.push(0);
        stopSimulcast.push(
          gen.startPacing((p) => {
            simulcastSent[i]!++;
            pub.sendRtp(p);
          }),
        );
      });
      pub.onRtcp = (buf) => {
        for (const r of parseRtcpCompound(buf).packets) {
          if (r.type === 'pli' || r.type === 'fir') {
            const i = req.ssrcs.indexOf(r.type === 'pli' ? r.mediaSsrc : (r.entries[0]?.ssrc ?? 0));
            simulcastGens[i]?.requestKeyFrame();
          }
        }
      };
      return simulcastGens.reduce((sum, g) => sum + g.packetsPerSecond, 0);
    }
    case 'snapshot': {
      const snap: GeneratorSnapshot = {
        sent: publisher?.stats.rtpSent ?? 0,
        received: 0,
        receivedBytes: 0,
        decryptErrors: 0,
        keyFramesSent: generator?.keyFrames ?? 0,
        keyFrameRequests,
        consumers: 0,
        activeConsumers: 0,
        packetsPerSecond: generator?.packetsPerSecond ?? 0,
        cpuUs: process.cpuUsage().user + process.cpuUsage().system,
        simulcastSent: [...simulcastSent],
        receivedByKey: {},
        sentByKey: {},
        seqByKey: {},
      };
      for (const [key, t] of seqTrackers) if (t.received > 0) snap.seqByKey[key] = { received: t.received, span: t.span };
      for (const [key, p] of extraPublishers) snap.sentByKey[key] = p.ep.stats.rtpSent;
      for (const [key, ep] of endpoints) {
        if (ep === publisher || ep === simulcastPublisher || extraPublishers.has(key)) continue;
        snap.receivedByKey[key] = ep.stats.rtpReceived;
        snap.consumers++;
        snap.received += ep.stats.rtpReceived;
        snap.receivedBytes += ep.stats.rtpBytesReceived;
        snap.decryptErrors += ep.stats.decryptErrors;
        if (ep.stats.rtpReceived > (lastReceived.get(ep) ?? 0)) snap.activeConsumers++;
        lastReceived.set(ep, ep.stats.rtpReceived);
      }
      return snap;
    }
    case 'close': {
      stopPacing?.();
      for (const stop of stopSimulcast) stop();
      for (const p of extraPublishers.values()) p.stop();
      for (const ep of endpoints.values()) ep.close();
      setImmediate(() => process.exit(0));
      return true;
    }
  }
}

process.on('message', (req: GeneratorRequest) => {
  handle(req).then(
    (data) => reply(req.id, data),
    (error: unknown) => reply(req.id, undefined, error instanceof Error ? error.message : String(error)),
  );
});
process.on('disconnect', () => process.exit(0));
