/**
 * Test page for E2EE sessions against the real server: @alcove/core with the E2EE worker served at
 * /e2ee-worker.js. Exposes `window.alcoveE2ee` to the Chromium test.
 */
import { Session, type AlcoveError, type SasInfo } from '@alcove/core';

interface E2eePage {
  session?: Session;
  sas: SasInfo[];
  keyed: string[];
  errors: string[];
  start(serverUrl: string, token: string, withWorker: boolean): Promise<string>;
}

const page: E2eePage = {
  sas: [],
  keyed: [],
  errors: [],
  async start(serverUrl, token, withWorker) {
    const s = Session.create({
      serverUrl,
      token,
      ...(withWorker ? { e2eeWorker: () => new Worker('/e2ee-worker.js', { type: 'module' }) } : {}),
    });
    this.session = s;
    s.on('e2eeSasReady', (info) => this.sas.push(info));
    s.on('e2eePeerKeyed', (id) => this.keyed.push(id));
    s.on('error', (e: AlcoveError) => this.errors.push(e.code));
    s.on('trackPublished', (t) => {
      const el = document.createElement(t.kind === 'video' ? 'video' : 'audio') as HTMLMediaElement;
      el.id = `${t.kind}-${t.participantId}`;
      el.autoplay = true;
      el.muted = true;
      document.body.append(el);
      s.attach(t.track, el);
    });
    await s.join();
    return s.state;
  },
};
(window as unknown as { alcoveE2ee: E2eePage }).alcoveE2ee = page;
