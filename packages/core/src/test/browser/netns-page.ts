/**
 * Test page for the real-link tests (`network/real-links.browser.test.ts`): @alcove/core with the
 * E2EE worker, tracks attached by id, events and quality levels recorded, and the ICE path each
 * peer connection selected (host/relay, udp/tcp) read from its stats. Exposes `window.alcoveNet`.
 */
import { Session, type SessionOptions } from '@alcove/core';

/** The local end of a peer connection's selected candidate pair. */
interface Path {
  candidateType: string;
  protocol: string;
  relayProtocol?: string;
  address?: string;
  /** The peer connection's state, and bytes its transport sent and received. */
  connectionState: string;
  bytesSent: number;
  bytesReceived: number;
}

interface NetPage {
  session?: Session;
  events: unknown[][];
  quality: string[];
  start(serverUrl: string, token: string, options?: Partial<SessionOptions>): Promise<string>;
  paths(): Promise<Path[]>;
  openPeerConnections(): number;
  /** Timers the page holds now: timeouts set and not yet fired or cleared, intervals not cleared. */
  timers(): { timeouts: number; intervals: number };
}

// Every timer the page (core, mediasoup-client, the test page) sets, so a test can tell a leak
// (a retry loop or an interval left behind by a reconnect) from the steady set.
const liveTimeouts = new Set<unknown>();
const liveIntervals = new Set<unknown>();
const nativeSetTimeout = window.setTimeout.bind(window);
const nativeClearTimeout = window.clearTimeout.bind(window);
const nativeSetInterval = window.setInterval.bind(window);
const nativeClearInterval = window.clearInterval.bind(window);
window.setTimeout = ((fn: TimerHandler, ms?: number, ...args: unknown[]) => {
  const id = nativeSetTimeout(
    (...a: unknown[]) => {
      liveTimeouts.delete(id);
      if (typeof fn === 'function') fn(...a);
    },
    ms,
    ...args,
  );
  liveTimeouts.add(id);
  return id;
}) as typeof window.setTimeout;
window.clearTimeout = ((id?: number) => {
  liveTimeouts.delete(id);
  nativeClearTimeout(id);
}) as typeof window.clearTimeout;
window.setInterval = ((fn: TimerHandler, ms?: number, ...args: unknown[]) => {
  const id = nativeSetInterval(fn, ms, ...args);
  liveIntervals.add(id);
  return id;
}) as typeof window.setInterval;
window.clearInterval = ((id?: number) => {
  liveIntervals.delete(id);
  nativeClearInterval(id);
}) as typeof window.clearInterval;

const pcs: RTCPeerConnection[] = [];
const Native = window.RTCPeerConnection;
window.RTCPeerConnection = class extends Native {
  constructor(config?: RTCConfiguration) {
    super(config);
    pcs.push(this);
  }
} as typeof RTCPeerConnection;

const page: NetPage = {
  events: [],
  quality: [],
  async start(serverUrl, token, options = {}) {
    const s = Session.create({
      serverUrl,
      token,
      simulcast: false,
      e2eeWorker: () => new Worker('/e2ee-worker.js', { type: 'module' }),
      ...options,
    });
    this.session = s;
    const log = (...e: unknown[]): void => void this.events.push([...e, Math.round(performance.now())]);
    s.on('stateChanged', (c) => log('state', c.from, c.to, c.reason));
    s.on('reconnecting', (i) => log('reconnecting', i.cause, i.tier));
    s.on('reconnected', (i) => log('reconnected', i.cause, i.tier));
    s.on('error', (e) => log('error', e.code));
    s.on('failed', (f) => log('failed', f.error.code));
    s.on('e2eePeerKeyed', (id) => log('keyed', id));
    s.on('qualityChanged', (r) => void this.quality.push(r.level));
    s.on('trackPublished', (t) => {
      const id = `${t.kind}-${t.participantId}`;
      let el = document.getElementById(id) as HTMLMediaElement | null;
      if (!el) {
        el = document.createElement(t.kind === 'video' ? 'video' : 'audio');
        el.id = id;
        el.muted = true; // measured with Web Audio, not played
        document.body.append(el);
      }
      s.attach(t.track, el);
      if (t.kind === 'audio') (window as unknown as Record<string, unknown>)[`audio_${t.participantId}`] = new MediaStream([t.track]);
    });
    await s.join();
    return s.state;
  },
  async paths() {
    const out: Path[] = [];
    for (const pc of pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      let pairId: string | undefined;
      let bytesSent = 0;
      let bytesReceived = 0;
      stats.forEach((r) => {
        if (r.type === 'transport' && r.selectedCandidatePairId) {
          pairId = r.selectedCandidatePairId;
          bytesSent = r.bytesSent ?? 0;
          bytesReceived = r.bytesReceived ?? 0;
        }
      });
      if (!pairId) continue;
      const pair = stats.get(pairId);
      const local = pair ? stats.get(pair.localCandidateId) : undefined;
      if (local) {
        out.push({
          candidateType: local.candidateType,
          protocol: local.protocol,
          ...(local.relayProtocol ? { relayProtocol: local.relayProtocol } : {}),
          ...(local.address ? { address: local.address } : {}),
          connectionState: pc.connectionState,
          bytesSent,
          bytesReceived,
        });
      }
    }
    return out;
  },
  openPeerConnections() {
    return pcs.filter((pc) => pc.signalingState !== 'closed').length;
  },
  timers() {
    return { timeouts: liveTimeouts.size, intervals: liveIntervals.size };
  },
};
(window as unknown as { alcoveNet: NetPage }).alcoveNet = page;
