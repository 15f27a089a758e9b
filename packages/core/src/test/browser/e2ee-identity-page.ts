/**
 * Test page for the E2EE device identity and key-switch tests against the real server: a session
 * with the E2EE worker at /e2ee-worker.js, its identity in this browser profile's IndexedDB (the
 * default store). Exposes `window.alcoveIdentity` to the Chromium test. Remote videos record the
 * time of every decoded frame (requestVideoFrameCallback) so the test can measure frame gaps.
 */
import { Session, type AlcoveError, type E2eeIdentityChange, type E2eeTransformPath, type SasInfo } from '@alcove/core';

interface IdentityPage {
  session?: Session;
  sas: SasInfo[];
  changes: E2eeIdentityChange[];
  errors: string[];
  /** Decoded-frame times (performance.now) per remote participant's camera. */
  frames: Record<string, number[]>;
  start(serverUrl: string, token: string, path?: E2eeTransformPath): Promise<string>;
  /** The longest gap between decoded frames of `participantId`'s video after `from` (performance.now), ms. */
  longestGap(participantId: string, from: number): { gap: number; frames: number };
  /**
   * Simulates a server (or a patched client) that shows others another identity key than the one
   * this client's handshakes are signed with: rewrites `e2ee.publishKey` on its way out.
   */
  tamperPublishedKey(identityKey: string): void;
  /** What this origin keeps in storage (never a seed or private key bytes: only what the page can see of them). */
  storage(): Promise<{
    localStorageSeed: boolean;
    wrapKey: { type: string; extractable: boolean; algorithm: string } | null;
    sealedSeedBytes: number;
    /** The identity's private key as stored (a `CryptoKey`), and whether this page can export it. */
    privateKey: { isCryptoKey: boolean; type: string; extractable: boolean; algorithm: string; usages: string[] } | null;
    exportRefused: string | null;
    /** The stored raw public key, base64. */
    publicKey: string | null;
  }>;
}

const page: IdentityPage = {
  sas: [],
  changes: [],
  errors: [],
  frames: {},
  async start(serverUrl, token, path) {
    const s = Session.create({
      serverUrl,
      token,
      e2eeWorker: () => new Worker('/e2ee-worker.js', { type: 'module' }),
      ...(path ? { e2eePath: path } : {}),
    });
    this.session = s;
    s.on('e2eeSasReady', (info) => this.sas.push(info));
    s.on('e2eeIdentityChanged', (c) => this.changes.push(c));
    s.on('error', (e: AlcoveError) => this.errors.push(`${e.code} ${e.message}`));
    s.on('trackPublished', (t) => {
      if (t.kind !== 'video') return;
      const el = document.createElement('video');
      el.id = `video-${t.participantId}`;
      el.autoplay = true;
      el.muted = true;
      document.body.append(el);
      s.attach(t.track, el);
      const times: number[] = [];
      this.frames[t.participantId] = times;
      const onFrame = (now: number): void => {
        times.push(now);
        if (times.length > 20_000) times.splice(0, 10_000);
        el.requestVideoFrameCallback(onFrame);
      };
      el.requestVideoFrameCallback(onFrame);
    });
    await s.join();
    return s.state;
  },
  longestGap(participantId, from) {
    const times = (this.frames[participantId] ?? []).filter((t) => t >= from);
    let gap = 0;
    for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i]! - times[i - 1]!);
    return { gap, frames: times.length };
  },
  tamperPublishedKey(identityKey) {
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (this: WebSocket, data: Parameters<WebSocket['send']>[0]) {
      if (typeof data === 'string' && data.includes('"e2ee.publishKey"')) {
        const m = JSON.parse(data) as { data: { identityKey: string } };
        m.data.identityKey = identityKey;
        return send.call(this, JSON.stringify(m));
      }
      return send.call(this, data);
    };
  },
  async storage() {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('alcove-identity');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const get = (key: string) =>
      new Promise<unknown>((resolve, reject) => {
        const r = db.transaction('identity').objectStore('identity').get(key);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    const key = (await get('wrap')) as CryptoKey | undefined;
    const sealed = (await get('seed')) as { data: ArrayBuffer } | undefined;
    const pair = (await get('pair')) as { privateKey: CryptoKey; publicKey: Uint8Array } | undefined;
    db.close();
    const priv = pair?.privateKey;
    // What any script of this origin could try: every export of the private key must be refused.
    const exportRefused = priv
      ? await crypto.subtle.exportKey('pkcs8', priv).then(
          () => 'exported',
          (e: Error) => e.name,
        )
      : null;
    return {
      localStorageSeed: localStorage.getItem('alcove.identity.v1') !== null,
      wrapKey: key ? { type: key.type, extractable: key.extractable, algorithm: key.algorithm.name } : null,
      sealedSeedBytes: sealed?.data.byteLength ?? 0,
      privateKey: priv
        ? {
            isCryptoKey: priv instanceof CryptoKey,
            type: priv.type,
            extractable: priv.extractable,
            algorithm: priv.algorithm.name,
            usages: [...priv.usages],
          }
        : null,
      exportRefused,
      publicKey: pair ? btoa(String.fromCharCode(...pair.publicKey)) : null,
    };
  },
};
(window as unknown as { alcoveIdentity: IdentityPage }).alcoveIdentity = page;
