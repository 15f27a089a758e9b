/**
 * Test page of the Firefox interop test (served to Chromium and Firefox alike):
 * - `window.alcoveE2ee.start(url, token)` joins an E2EE session with the worker at /e2ee-worker.js and
 *   shows each remote track in `#<kind>-<participantId>` (the same shape as e2ee-page.ts);
 * - `window.alcoveFirefox.createWithPath(url, token, path)` answers what `Session.create` does with a
 *   forced encoded-transform path (`created`, or the error's code), without joining.
 */
import { Session, type AlcoveError, type E2eeTransformPath } from '@alcove/core';

const worker = (): Worker => new Worker('/e2ee-worker.js', { type: 'module' });

const e2ee = {
  session: undefined as Session | undefined,
  keyed: [] as string[],
  errors: [] as string[],
  async start(serverUrl: string, token: string): Promise<string> {
    const s = Session.create({ serverUrl, token, e2eeWorker: worker });
    this.session = s;
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

const firefox = {
  createWithPath(serverUrl: string, token: string, path: E2eeTransformPath): string {
    try {
      Session.create({ serverUrl, token, e2eePath: path, e2eeWorker: worker });
      return 'created';
    } catch (e) {
      return (e as { code?: string }).code ?? String(e);
    }
  },
};
(window as unknown as { alcoveE2ee: typeof e2ee; alcoveFirefox: typeof firefox }).alcoveE2ee = e2ee;
(window as unknown as { alcoveFirefox: typeof firefox }).alcoveFirefox = firefox;
