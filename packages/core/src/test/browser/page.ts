/**
 * Test page for `session.browser.test.ts`: exposes a small driver on `window.alcoveTest`.
 * Bundled with esbuild; `@alcove/core` is aliased to the package source.
 */
import { Session, type SessionOptions } from '@alcove/core';
import { chatSupport } from '@alcove/core/chat';

interface Driver {
  session: Session | undefined;
  shareResult: string | undefined;
  quality: [string, string][];
  events: unknown[][];
  chat: string[];
  waiting: string[];
  start(serverUrl: string, token: string, options?: Partial<SessionOptions>): Promise<string>;
}

const w = window as unknown as Record<string, unknown> & { alcoveTest: Driver };

// Count peer connections so tests can check none leak across reconnect cycles.
const peerConnections: RTCPeerConnection[] = [];
const NativePeerConnection = window.RTCPeerConnection;
window.RTCPeerConnection = class extends NativePeerConnection {
  constructor(config?: RTCConfiguration) {
    super(config);
    peerConnections.push(this);
  }
} as typeof RTCPeerConnection;
w.openPeerConnections = (): number => peerConnections.filter((pc) => pc.signalingState !== 'closed').length;
const driver: Driver = {
  session: undefined,
  shareResult: undefined,
  quality: [],
  events: [],
  chat: [],
  waiting: [],
  async start(serverUrl, token, options = {}) {
    const s = Session.create({ serverUrl, token, simulcast: false, chat: chatSupport(), ...options });
    driver.session = s;
    const log = (...e: unknown[]): void => void driver.events.push([...e, Math.round(performance.now())]);
    s.on('stateChanged', (c) => log('state', c.from, c.to, c.reason));
    s.on('trackPublished', (t) => {
      log('published', t.participantId, t.kind, t.source);
      const id = `${t.kind}-${t.participantId}-${t.source}`;
      let el = document.getElementById(id) as HTMLMediaElement | null;
      if (!el) {
        el = document.createElement(t.kind === 'video' ? 'video' : 'audio');
        el.id = id;
        el.muted = true; // the test measures audio with Web Audio, not the speakers
        document.body.append(el);
      }
      s.attach(t.track, el);
      if (t.kind === 'audio') w[`audio_${t.participantId}`] = new MediaStream([t.track]);
    });
    s.on('trackUnpublished', (t) => log('unpublished', t.participantId, t.kind));
    s.on('trackMuted', (t, muted) => log('muted', t.participantId, t.kind, muted));
    s.on('participantJoined', (p) => log('joined', p.id));
    s.on('participantUpdated', (p) => log('updated', p.id, p.connection));
    s.on('participantLeft', (p, reason) => log('left', p.id, reason));
    s.on('waitingRoomChanged', (list) => {
      driver.waiting = list.map((e) => e.id);
      log('waiting', driver.waiting.join('+'));
    });
    s.on('chatMessage', (m) => void driver.chat.push(m.text));
    s.on('reconnecting', (i) => log('reconnecting', i.cause, i.tier));
    s.on('reconnected', (i) => log('reconnected', i.cause, i.tier));
    s.on('error', (e) => log('error', e.code));
    s.on('qualityChanged', (r) => void driver.quality.push([r.participantId, r.level]));
    s.on('failed', (f) => log('failed', f.error.code));
    await s.join();
    return s.state;
  },
};
w.alcoveTest = driver;

// Screen capture needs a user gesture: the test clicks this button.
const share = document.createElement('button');
share.id = 'share';
share.textContent = 'share';
share.addEventListener('click', () => {
  driver.shareResult = 'pending';
  driver.session?.startScreenShare().then(
    () => {
      driver.shareResult = 'ok';
    },
    (e: { code?: string; cause?: { name?: string } }) => {
      driver.shareResult = `error ${e.code ?? ''} ${e.cause?.name ?? ''}`;
    },
  );
});
document.body.append(share);
