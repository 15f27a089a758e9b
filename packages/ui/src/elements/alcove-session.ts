import { Session, type FallbackPlan, type LocalTrack, type RemoteParticipant, type RemoteTrack, type SasInfo, type SessionOptions } from '@alcove/core';
import { AlcoveErrorEvent, AlcoveLeaveRequestEvent, AlcoveStateChangeEvent, type AlcoveAdmissionRequestEvent } from '../events.js';
import { errorKey, t, type MessageKey } from '../i18n/messages.js';
import { adoptStyles, BASE_CSS } from '../styles.js';
import type { AlcoveVideoTile } from './alcove-video-tile.js';
import type { AlcoveWaitingList } from './alcove-waiting-list.js';

/** What `<alcove-session>` needs of a session: the subset of `@alcove/core`'s `Session` it uses. */
export type SessionLike = Pick<
  Session,
  'on' | 'off' | 'join' | 'leave' | 'state' | 'role' | 'participants' | 'waiting' | 'localTracks' | 'attach' |
  'setMicrophoneEnabled' | 'setCameraEnabled' | 'admit' | 'deny' | 'confirmSecurityCode' | 'participantId'
>;

/** Creates the session; default `Session.create` from `@alcove/core`. */
export type SessionFactory = (options: SessionOptions) => SessionLike;

const STATUS: Record<string, MessageKey> = {
  idle: 'status.idle',
  connecting: 'status.connecting',
  waiting: 'status.waiting',
  joined: 'status.joined',
  reconnecting: 'status.reconnecting',
  ended: 'status.ended',
  failed: 'status.failed',
};

/**
 * A whole call in one element: status, waiting screen, video tiles, the host's waiting list, and
 * microphone / camera / leave controls. Give it the server URL as an attribute and the join token
 * as a property (never an attribute: it would sit in the DOM), then call `join()`.
 *
 * @example
 * ```html
 * <alcove-session server-url="wss://video.example.org/ws" lang="en"></alcove-session>
 * <script type="module">
 *   import { defineAlcoveElements } from '@alcove/ui';
 *   defineAlcoveElements();
 *   const el = document.querySelector('alcove-session');
 *   el.token = await fetchJoinTokenFromYourBackEnd();
 *   await el.join();
 * </script>
 * ```
 * @fires alcove-state-change - the call's state changed
 * @fires alcove-leave-request - the user pressed leave (cancelable)
 * @fires alcove-error - a problem, with a stable `code`
 * @csspart base - the container
 * @csspart status - the status line (a polite live region)
 * @csspart grid - the video tiles
 * @csspart controls - the buttons
 * @csspart panel - waiting, failed and ended panels, and the waiting list
 * @cssprop --alcove-bg, --alcove-fg, --alcove-accent, --alcove-danger, --alcove-radius, --alcove-font
 */
export class AlcoveSession extends HTMLElement {
  static get observedAttributes(): string[] {
    return ['lang', 'server-url'];
  }

  /** Join token (property only). Cleared from the element once used. */
  token: string | undefined;
  /** Shown when the call cannot be restored (the callback number agreed in the checklist). */
  fallback: FallbackPlan | undefined;
  /** Extra options for `Session.create` (publish defaults, reconnect policy, media hooks…). */
  sessionOptions: Partial<SessionOptions> = {};
  /** How the session is created; tests and apps with their own wiring may replace it. */
  sessionFactory: SessionFactory | undefined;

  readonly #root: ShadowRoot;
  readonly #status: HTMLParagraphElement;
  readonly #announcer: HTMLParagraphElement;
  readonly #waitingPanel: HTMLElement;
  readonly #failedPanel: HTMLElement;
  readonly #endedPanel: HTMLElement;
  readonly #grid: HTMLDivElement;
  readonly #sasPanel: HTMLElement;
  readonly #sas = new Map<string, SasInfo>();
  /** `by>peer` pairs confirmed as matching. */
  readonly #verified = new Set<string>();
  readonly #waitingList: AlcoveWaitingList;
  readonly #controls: HTMLDivElement;
  readonly #mic: HTMLButtonElement;
  readonly #cam: HTMLButtonElement;
  readonly #leave: HTMLButtonElement;
  readonly #tiles = new Map<string, AlcoveVideoTile>();
  readonly #audio = new Map<string, HTMLAudioElement>();
  readonly #detach = new Map<string, () => void>();
  readonly #unsubscribe: (() => void)[] = [];
  #session: SessionLike | undefined;
  #state = 'idle';
  #endReason = '';

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    adoptStyles(this.#root, BASE_CSS);
    const doc = this.#root.ownerDocument;
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, part?: string): HTMLElementTagNameMap[K] => {
      const e = doc.createElement(tag);
      if (part) e.setAttribute('part', part);
      return e;
    };
    const base = el('div', 'base');
    this.#status = el('p', 'status');
    this.#status.setAttribute('role', 'status');
    this.#status.setAttribute('aria-live', 'polite');
    this.#announcer = el('p');
    this.#announcer.className = 'sr-only';
    this.#announcer.setAttribute('aria-live', 'polite');
    this.#waitingPanel = this.#panel('waiting', el('h2'), el('p'));
    this.#failedPanel = this.#panel('failed', el('p'), el('p'));
    this.#endedPanel = this.#panel('ended', el('p'));
    this.#grid = el('div', 'grid');
    this.#sasPanel = this.#panel('sas', el('h2'), el('p'), el('ul'));
    this.#waitingList = doc.createElement('alcove-waiting-list');
    this.#waitingList.hidden = true;
    this.#waitingList.addEventListener('alcove-admission-request', (e) => this.#onAdmission(e));
    this.#controls = el('div', 'controls');
    this.#mic = this.#button('mic', () => this.#toggle('audio'));
    this.#cam = this.#button('cam', () => this.#toggle('video'));
    this.#leave = this.#button('leave', () => this.#requestLeave());
    this.#controls.append(this.#mic, this.#cam, this.#leave);
    base.append(this.#status, this.#announcer, this.#waitingPanel, this.#failedPanel, this.#endedPanel, this.#sasPanel, this.#grid, this.#waitingList, this.#controls);
    this.#root.append(base);
    this.#render();
  }

  attributeChangedCallback(): void {
    this.#render();
  }

  disconnectedCallback(): void {
    // Removing the element from the page ends the call: nothing keeps running unseen.
    if (this.#session && !['ended', 'failed', 'idle'].includes(this.#state)) void this.leave();
  }

  /** `wss://…` signalling URL (reflects the `server-url` attribute). */
  get serverUrl(): string {
    return this.getAttribute('server-url') ?? '';
  }
  set serverUrl(value: string) {
    this.setAttribute('server-url', value);
  }

  /** The running session, once `join()` was called. */
  get session(): SessionLike | undefined {
    return this.#session;
  }

  /** The call's state: `idle`, `connecting`, `waiting`, `joined`, `reconnecting`, `ended` or `failed`. */
  get state(): string {
    return this.#state;
  }

  /**
   * Joins the call with `token` (or the `token` property).
   * @throws the session's `AlcoveError` when joining fails (also fired as `alcove-error`).
   */
  async join(token: string | undefined = this.token): Promise<void> {
    if (this.#session && !['ended', 'failed'].includes(this.#state)) throw new Error('alcove-session: already joined');
    if (!token) throw new TypeError('alcove-session: a join token is required');
    if (!this.serverUrl) throw new TypeError('alcove-session: the server-url attribute is required');
    this.#reset();
    this.token = undefined;
    const options: SessionOptions = { ...this.sessionOptions, serverUrl: this.serverUrl, token, ...(this.fallback ? { fallback: this.fallback } : {}) };
    const factory = this.sessionFactory ?? ((o: SessionOptions) => Session.create(o));
    const session = factory(options);
    this.#session = session;
    this.#wire(session);
    try {
      await session.join();
    } catch (e) {
      this.#reportError(e);
      throw e;
    }
  }

  /** Leaves the call (no confirmation; `alcove-leave-request` is for the leave button). */
  async leave(): Promise<void> {
    await this.#session?.leave();
  }

  // --- wiring -------------------------------------------------------------------------------------

  #wire(s: SessionLike): void {
    const on = <E extends Parameters<SessionLike['on']>[0]>(event: E, fn: (...args: never[]) => void): void => {
      s.on(event, fn as never);
      this.#unsubscribe.push(() => s.off(event, fn as never));
    };
    on('stateChanged', (c: { from: string; to: string }) => {
      this.#state = c.to;
      this.dispatchEvent(new AlcoveStateChangeEvent(c.from, c.to));
      this.#render();
      if (c.to === 'waiting') (this.#waitingPanel.querySelector('h2') as HTMLElement | null)?.focus();
    });
    on('participantJoined', (p: RemoteParticipant) => {
      this.#tileFor(p);
      this.#announce('participant.joined', { name: p.displayName });
    });
    on('participantUpdated', (p: RemoteParticipant) => this.#tileFor(p));
    on('participantLeft', (p: RemoteParticipant) => {
      this.#removeTile(p.id);
      this.#announce('participant.left', { name: p.displayName });
    });
    on('trackPublished', (tr: RemoteTrack) => this.#attachRemote(tr));
    on('trackUnpublished', (tr: RemoteTrack) => this.#detachTrack(tr.id));
    on('trackMuted', () => this.#refreshTiles());
    on('localTrackChanged', (tr: LocalTrack) => this.#attachLocal(tr));
    on('waitingRoomChanged', (w: AlcoveWaitingList['entries']) => {
      const before = new Set(this.#waitingList.entries.map((e) => e.id));
      this.#waitingList.entries = w;
      for (const e of w) if (!before.has(e.id)) this.#announce('participant.waiting', { name: e.displayName });
      this.#render();
    });
    on('muteRequested', (kind: 'audio' | 'video') => this.#announce('muteRequested', { kind: t(this.#lang(), kind === 'audio' ? 'kind.audio' : 'kind.video') }));
    on('e2eeSasReady', (info: SasInfo) => {
      this.#sas.set(info.peer, info);
      this.#render();
    });
    on('e2eeVerified', (by: string, peer: string) => {
      this.#verified.add(`${by}>${peer}`);
      this.#render();
    });
    on('ended', (reason: string) => {
      this.#endReason = reason;
      this.#render();
    });
    on('failed', (info: { error: { code: string } }) => this.#reportError(info.error));
    on('error', (e: unknown) => this.#reportError(e));
  }

  #reset(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
    for (const id of [...this.#detach.keys()]) this.#detachTrack(id);
    for (const id of [...this.#tiles.keys()]) this.#removeTile(id);
    this.#endReason = '';
    this.#state = 'idle';
    this.#sas.clear();
    this.#verified.clear();
  }

  #tileFor(p: { id: string; displayName: string; connection?: string }): AlcoveVideoTile {
    let tile = this.#tiles.get(p.id);
    if (!tile) {
      tile = this.#root.ownerDocument.createElement('alcove-video-tile');
      tile.dataset.participantId = p.id;
      this.#tiles.set(p.id, tile);
      this.#grid.append(tile);
    }
    tile.label = p.displayName;
    this.#refreshTile(p.id);
    return tile;
  }

  #removeTile(id: string): void {
    this.#tiles.get(id)?.remove();
    this.#tiles.delete(id);
  }

  #attachRemote(tr: RemoteTrack): void {
    const p = this.#session?.participants.find((x) => x.id === tr.participantId);
    const tile = this.#tileFor(p ?? { id: tr.participantId, displayName: '' });
    this.#detachTrack(tr.id);
    if (tr.kind === 'video') {
      this.#detach.set(tr.id, this.#session!.attach(tr.track, tile.video));
    } else {
      const audio = this.#root.ownerDocument.createElement('audio');
      audio.autoplay = true;
      this.#audio.set(tr.id, audio);
      this.#root.append(audio);
      const detach = this.#session!.attach(tr.track, audio);
      this.#detach.set(tr.id, () => {
        detach();
        audio.remove();
        this.#audio.delete(tr.id);
      });
    }
    this.#refreshTile(tr.participantId);
  }

  #attachLocal(tr: LocalTrack): void {
    if (tr.kind === 'video' && tr.source === 'cam') {
      const tile = this.#tileFor({ id: '__self', displayName: t(this.#lang(), 'you') });
      this.#detach.get('__self-cam')?.();
      this.#detach.delete('__self-cam');
      if (tr.track) this.#detach.set('__self-cam', this.#session!.attach(tr.track, tile.video));
    }
    this.#refreshTile('__self');
    this.#render();
  }

  #detachTrack(id: string): void {
    this.#detach.get(id)?.();
    this.#detach.delete(id);
  }

  #refreshTiles(): void {
    for (const id of this.#tiles.keys()) this.#refreshTile(id);
  }

  #refreshTile(id: string): void {
    const tile = this.#tiles.get(id);
    if (!tile || !this.#session) return;
    const lang = this.#lang();
    const notes: string[] = [];
    if (id === '__self') {
      const local = this.#session.localTracks;
      if (local.find((x) => x.kind === 'audio')?.muted) notes.push(t(lang, 'muted'));
      if (!local.find((x) => x.kind === 'video' && x.source === 'cam')?.track) notes.push(t(lang, 'camera.off'));
    } else {
      const p = this.#session.participants.find((x) => x.id === id);
      if (p?.connection === 'reconnecting') notes.push(t(lang, 'participant.reconnecting'));
      const tracks = p?.tracks ?? [];
      if (tracks.some((x) => x.kind === 'audio' && x.muted)) notes.push(t(lang, 'muted'));
      if (tracks.some((x) => x.kind === 'video' && x.source === 'cam' && x.muted)) notes.push(t(lang, 'camera.off'));
    }
    tile.notes = notes;
  }

  // --- controls -----------------------------------------------------------------------------------

  #button(name: string, onClick: () => void): HTMLButtonElement {
    const b = this.#root.ownerDocument.createElement('button');
    b.type = 'button';
    b.className = name;
    b.addEventListener('click', onClick);
    return b;
  }

  async #toggle(kind: 'audio' | 'video'): Promise<void> {
    const s = this.#session;
    if (!s) return;
    const local = s.localTracks.find((x) => x.kind === kind && x.source !== 'screen');
    const on = kind === 'audio' ? !!local && !local.muted : !!local?.track;
    try {
      if (kind === 'audio') await s.setMicrophoneEnabled(!on);
      else await s.setCameraEnabled(!on);
    } catch (e) {
      this.#reportError(e);
    }
    this.#render();
  }

  #requestLeave(): void {
    if (this.dispatchEvent(new AlcoveLeaveRequestEvent())) void this.leave();
  }

  async #onAdmission(e: AlcoveAdmissionRequestEvent): Promise<void> {
    // Let the page veto first: our listener runs at the list; a page listener on this element runs
    // during bubbling, so re-dispatch from here and act only if nobody cancelled.
    e.stopPropagation();
    const again = new (e.constructor as typeof AlcoveAdmissionRequestEvent)(e.participantId, e.decision);
    if (!this.dispatchEvent(again)) return;
    try {
      if (e.decision === 'admit') await this.#session?.admit(e.participantId);
      else await this.#session?.deny(e.participantId);
    } catch (err) {
      this.#reportError(err);
    }
  }

  // --- rendering ----------------------------------------------------------------------------------

  /** The security codes (SAS) to compare aloud, one line per peer: emoji with their names, and digits. */
  #renderSas(lang: string, inCall: boolean): void {
    const [title, body, list] = this.#sasPanel.children as unknown as [HTMLElement, HTMLElement, HTMLUListElement];
    title.textContent = `${t(lang, 'sas.title')} · ${t(lang, 'encrypted')}`;
    const names = [...this.#sas.keys()].map((id) => this.#session?.participants.find((p) => p.id === id)?.displayName ?? id);
    body.textContent = t(lang, 'sas.body', { name: names.join(', ') });
    const doc = this.#root.ownerDocument;
    list.replaceChildren(
      ...[...this.#sas.values()].map((info) => {
        const li = doc.createElement('li');
        li.dataset.peer = info.peer;
        const emoji = doc.createElement('span');
        emoji.textContent = info.emoji.map((e) => e.emoji).join(' ');
        emoji.setAttribute('aria-label', info.emoji.map((e) => e.name).join(', '));
        const digits = doc.createElement('span');
        digits.className = 'digits';
        digits.textContent = info.decimal.join(' ');
        li.append(emoji, digits);
        const self = this.#session?.participantId ?? '';
        const name = this.#session?.participants.find((p) => p.id === info.peer)?.displayName ?? info.peer;
        if (this.#verified.has(`${self}>${info.peer}`)) {
          const done = doc.createElement('span');
          done.className = 'confirmed';
          done.textContent = t(lang, 'sas.confirmed');
          li.append(done);
        } else {
          const match = doc.createElement('button');
          match.type = 'button';
          match.className = 'match';
          match.textContent = t(lang, 'sas.match');
          match.addEventListener('click', () => {
            match.disabled = true;
            this.#session?.confirmSecurityCode(info.peer).catch((e: unknown) => {
              match.disabled = false;
              this.#reportError(e);
            });
          });
          li.append(match);
        }
        if (this.#verified.has(`${info.peer}>${self}`)) {
          const theirs = doc.createElement('span');
          theirs.className = 'peer-confirmed';
          theirs.textContent = t(lang, 'sas.peerConfirmed', { name });
          li.append(theirs);
        }
        return li;
      }),
    );
    this.#sasPanel.hidden = !(inCall && this.#sas.size > 0);
  }

  #panel(name: string, ...children: HTMLElement[]): HTMLElement {
    const p = this.#root.ownerDocument.createElement('section');
    p.setAttribute('part', `panel ${name}`);
    p.hidden = true;
    p.append(...children);
    return p;
  }

  #lang(): string {
    return this.closest('[lang]')?.getAttribute('lang') || 'en';
  }

  #announce(key: MessageKey, params: Record<string, string>): void {
    this.#announcer.textContent = t(this.#lang(), key, params);
  }

  #reportError(e: unknown): void {
    const code = typeof e === 'object' && e && 'code' in e && typeof (e as { code: unknown }).code === 'string' ? (e as { code: string }).code : 'INTERNAL_ERROR';
    this.#announcer.textContent = t(this.#lang(), errorKey(code), { code });
    this.dispatchEvent(new AlcoveErrorEvent(code));
  }

  #render(): void {
    const lang = this.#lang();
    const state = this.#state;
    this.#status.textContent = t(lang, STATUS[state] ?? 'status.idle');
    const [wTitle, wBody] = this.#waitingPanel.children as unknown as [HTMLElement, HTMLElement];
    wTitle.textContent = t(lang, 'waiting.title');
    wTitle.tabIndex = -1;
    wBody.textContent = t(lang, 'waiting.body');
    this.#waitingPanel.hidden = state !== 'waiting';
    const [fBody, fCallback] = this.#failedPanel.children as unknown as [HTMLElement, HTMLElement];
    fBody.textContent = t(lang, 'failed.body');
    const number = this.fallback?.callbackNumber;
    fCallback.textContent = number ? t(lang, 'failed.callback', { number }) : '';
    this.#failedPanel.hidden = state !== 'failed';
    const [eBody] = this.#endedPanel.children as unknown as [HTMLElement];
    eBody.textContent = t(lang, this.#endReason === 'denied' ? 'ended.denied' : this.#endReason === 'removed' ? 'ended.removed' : 'ended.body');
    this.#endedPanel.hidden = state !== 'ended';
    const inCall = state === 'joined' || state === 'reconnecting';
    this.#renderSas(lang, inCall);
    this.#grid.hidden = !inCall;
    this.#waitingList.hidden = !(inCall && this.#session?.role === 'host');
    this.#waitingList.setAttribute('lang', lang);
    this.#controls.hidden = !(inCall || state === 'waiting');
    const local = this.#session?.localTracks ?? [];
    const micOn = local.some((x) => x.kind === 'audio' && !x.muted);
    const camOn = local.some((x) => x.kind === 'video' && x.source === 'cam' && !!x.track);
    this.#mic.textContent = t(lang, micOn ? 'mic.on' : 'mic.off');
    this.#mic.setAttribute('aria-pressed', String(!micOn));
    this.#mic.hidden = state === 'waiting';
    this.#cam.textContent = t(lang, camOn ? 'cam.on' : 'cam.off');
    this.#cam.setAttribute('aria-pressed', String(!camOn));
    this.#cam.hidden = state === 'waiting';
    this.#leave.textContent = t(lang, 'leave');
  }
}
