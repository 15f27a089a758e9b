import { mapMediaError } from '@alcove/core';
import { h, setAttr, setText } from '../base/dom.js';
import { type SessionHandlers, SessionPart } from '../base/session-part.js';
import type { AlcoveDeviceChangeEvent } from '../events.js';
import type { AlcoveDeviceMenu } from './alcove-device-menu.js';

const STYLE = `
:host{display:block}
[part~=base]{display:grid;gap:calc(var(--_space)*1.5)}
.cols{display:grid;gap:calc(var(--_space)*2);grid-template-columns:repeat(auto-fit,minmax(min(100%,260px),1fr));align-items:start}
[part~=preview]{position:relative;aspect-ratio:16/10;background:var(--_video);border-radius:var(--_radius);overflow:hidden}
[part~=preview] video{width:100%;height:100%;object-fit:cover;transform:scaleX(-1);display:block}
[part~=credentials]{color:var(--_muted)}
[part~=hosts] p{margin:0}
[part~=hosts] ul{margin:calc(var(--_space)*.5) 0 0;padding-inline-start:calc(var(--_space)*2.5)}
[part~=host]{color:var(--_muted)}
.menus{display:grid;gap:var(--_space)}
`;

/**
 * The waiting room a client sees until the host lets them in: who will let them in (the first
 * host's display name and optional credentials line — from the session, i.e. the host's join token,
 * or from the `host-name` / `host-credentials` attributes, which override it — and, when more hosts
 * are there, e.g. a supervisor or a co-therapist, a list of the others with theirs: four at most,
 * beyond that three and "and N more"), a self-view preview that
 * starts only on a button press, and camera / microphone / speaker menus — "you can test your
 * devices while you wait". Every preview track stops when the preview is turned off, when the
 * room is left or when the element leaves the page.
 *
 * @tag alcove-waiting-room
 * @summary Waiting screen with host name, self-view preview and device menus.
 * @attr {string} host-name - who will let the client in (shown as text); overrides the name of the session's first host (its token's `name`)
 * @attr {string} host-credentials - an optional line under the name, e.g. a licence; overrides the session's first host's (its token's `cred`); the other hosts always come from the session
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @fires alcove-device-change - a device was chosen in one of the menus
 * @fires alcove-error - the preview could not start (`code`, e.g. `PERMISSION_DENIED`)
 * @csspart base - the screen
 * @csspart title - the heading (focused when the screen appears)
 * @csspart credentials - the credentials line
 * @csspart hosts - the other hosts in the session (shown with two hosts or more)
 * @csspart host - each other host: name and credentials line
 * @csspart preview - the self-view box
 * @csspart preview-toggle - the button that starts or stops the preview
 * @csspart device-menu - each `<alcove-device-menu>`
 * @csspart device-select - the `<select>` of each device menu
 * @csspart device-label - the label of each device menu
 */
export class AlcoveWaitingRoom extends SessionPart {
  static override styles = [STYLE];
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'host-name', 'host-credentials'];
  }

  readonly #title: HTMLHeadingElement;
  readonly #body: HTMLParagraphElement;
  readonly #credentials: HTMLParagraphElement;
  readonly #hosts: HTMLDivElement;
  readonly #hostsLabel: HTMLParagraphElement;
  readonly #hostList: HTMLUListElement;
  readonly #test: HTMLParagraphElement;
  readonly #video: HTMLVideoElement;
  readonly #preview: HTMLDivElement;
  readonly #toggle: HTMLButtonElement;
  readonly #menus: AlcoveDeviceMenu[];
  #stream: MediaStream | undefined;

  constructor() {
    super();
    const d = this.doc;
    this.#title = h(d, 'h2', { part: 'title', tabIndex: -1 });
    this.#body = h(d, 'p');
    this.#credentials = h(d, 'p', { part: 'credentials' });
    this.#hostsLabel = h(d, 'p', { id: 'hosts-label' });
    this.#hostList = h(d, 'ul', { 'aria-labelledby': 'hosts-label' });
    this.#hosts = h(d, 'div', { part: 'hosts', hidden: true }, this.#hostsLabel, this.#hostList);
    this.#test = h(d, 'p', { class: 'muted' });
    this.#video = h(d, 'video', { autoplay: true, muted: true, playsInline: true });
    this.#preview = h(d, 'div', { part: 'preview', role: 'img', hidden: true }, this.#video);
    this.#toggle = h(d, 'button', {
      type: 'button',
      part: 'preview-toggle',
      onclick: () => void (this.#stream ? this.stopPreview() : this.startPreview()),
    });
    this.#menus = (['videoinput', 'audioinput', 'audiooutput'] as const).map((kind) =>
      h(d, 'alcove-device-menu', { kind, part: 'device-menu', exportparts: 'select:device-select,label:device-label' }),
    );
    this.root.addEventListener('alcove-device-change', (e) => {
      const ev = e as AlcoveDeviceChangeEvent;
      if (ev.kind === 'videoinput' && this.#stream) void this.startPreview();
    });
    this.root.append(
      h(
        d,
        'section',
        { part: 'base', 'aria-labelledby': 'title' },
        this.#title,
        this.#body,
        this.#credentials,
        this.#hosts,
        h(
          d,
          'div',
          { class: 'cols' },
          h(d, 'div', { class: 'menus' }, this.#preview, h(d, 'div', { class: 'row' }, this.#toggle)),
          h(d, 'div', { class: 'menus' }, this.#test, ...this.#menus),
        ),
      ),
    );
    this.#title.id = 'title';
  }

  override focus(): void {
    this.#title.focus();
  }

  /**
   * The devices chosen so far (e.g. in the checklist), shown selected in the menus; the preview
   * uses the camera. `<alcove-session>` keeps it up to date.
   */
  get devices(): Partial<Record<MediaDeviceKind, string>> {
    return Object.fromEntries(this.#menus.map((m) => [m.kind, m.value]));
  }
  set devices(value: Partial<Record<MediaDeviceKind, string>>) {
    for (const m of this.#menus) {
      const id = value[m.kind];
      if (id !== undefined && m.value !== id) m.value = id;
    }
  }

  /** Starts (or restarts, with the chosen camera) the self-view preview. Call from a user gesture. */
  async startPreview(): Promise<void> {
    this.stopPreview();
    const md = globalThis.navigator?.mediaDevices;
    if (!md) return;
    const camera = this.#menus[0]!.value;
    try {
      const stream = await md.getUserMedia({ video: camera ? { deviceId: { exact: camera } } : true, audio: false });
      if (!this.isConnected) {
        for (const t of stream.getTracks()) t.stop();
        return;
      }
      this.#stream = stream;
      this.#video.srcObject = stream;
      void this.#video.play?.()?.catch(() => undefined);
      for (const m of this.#menus) void m.refresh();
    } catch (e) {
      // Core's mapping: a camera in use or over-constrained is not "not found".
      this.report(mapMediaError(e, 'camera'));
    }
    this.update();
  }

  /** Stops the preview: its tracks stop at once. */
  stopPreview(): void {
    for (const t of this.#stream?.getTracks() ?? []) t.stop();
    this.#stream = undefined;
    this.#video.srcObject = null;
    this.update();
  }

  /** Whether the preview holds a camera. */
  get previewing(): boolean {
    return !!this.#stream;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopPreview();
  }

  protected handlers(): SessionHandlers {
    return {
      stateChanged: (c) => {
        if (c.to !== 'waiting') this.stopPreview();
        this.update();
      },
      hostsChanged: () => this.update(),
    };
  }

  protected update(): void {
    this.propagate(...this.#menus);
    // The attributes override what the session says of its first host; every host is shown as text only.
    const [host, ...others] = this.session?.hosts ?? [];
    const name = this.getAttribute('host-name') ?? host?.displayName ?? '';
    const creds = this.getAttribute('host-credentials') ?? host?.credentials ?? '';
    setText(this.#title, this.t('waiting.title'));
    setText(this.#body, name ? this.t('waiting.with', { name }) : this.t('waiting.body'));
    setText(this.#credentials, line(name, creds));
    this.#credentials.hidden = !creds;
    this.#updateOthers(others);
    setText(this.#test, this.t('waiting.test'));
    this.#preview.hidden = !this.#stream;
    setAttr(this.#preview, 'aria-label', this.t('preview.label'));
    setText(this.#toggle, this.t(this.#stream ? 'preview.stop' : 'preview.start'));
    setAttr(this.#toggle, 'aria-pressed', String(!!this.#stream));
  }

  /** The hosts after the first: at most {@link MAX_OTHERS} listed, then "and N more". */
  #updateOthers(others: readonly { displayName: string; credentials?: string | undefined }[]): void {
    this.#hosts.hidden = others.length === 0;
    setText(this.#hostsLabel, this.t('waiting.others'));
    const shown = others.slice(0, others.length > MAX_OTHERS ? MAX_OTHERS - 1 : MAX_OTHERS);
    const texts = shown.map((o) => line(o.displayName, o.credentials ?? ''));
    if (shown.length < others.length) texts.push(this.t('waiting.more', { count: others.length - shown.length }));
    const items = this.#hostList.children;
    while (items.length > texts.length) items[items.length - 1]!.remove();
    while (items.length < texts.length) this.#hostList.append(h(this.doc, 'li', { part: 'host' }));
    for (const [i, t] of texts.entries()) setText(items[i]!, t);
  }
}

/** Other hosts listed by name at most; beyond, the last line says how many more. */
const MAX_OTHERS = 4;

/** "Name · credentials", or whichever of the two there is. */
function line(name: string, creds: string): string {
  return name && creds ? `${name} · ${creds}` : creds || name;
}
