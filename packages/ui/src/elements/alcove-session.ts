import {
  DefaultReconnectPolicy,
  type FallbackPlan,
  type PublishDefaults,
  type ReconnectPolicy,
  Session,
  type SessionOptions,
} from '@alcove/core';
import { chatSupport } from '@alcove/core/chat';
import { Checklist, checklistSupport } from '@alcove/core/checklist';
import { AlcoveElement } from '../base/alcove-element.js';
import { h, setAttr, setText } from '../base/dom.js';
import { isQuickExitKey, quickExit } from '../base/quick-exit.js';
import { releaseDevice } from '../base/release-device.js';
import { listen, type SessionLike } from '../base/session-part.js';
import {
  type AlcoveDeviceChangeEvent,
  AlcoveErrorEvent,
  type AlcovePanelToggleEvent,
  AlcoveScreenChangeEvent,
  AlcoveStateChangeEvent,
  type AlcoveUnreadChangeEvent,
} from '../events.js';
import { errorCode, errorKey, type MessageKey } from '../i18n/messages.js';
import type { AlcoveChecklist } from './alcove-checklist.js';
import type { AlcoveChatPanel } from './alcove-chat-panel.js';
import type { AlcoveConnectionBanner } from './alcove-connection-banner.js';
import type { AlcoveControlBar } from './alcove-control-bar.js';
import type { AlcoveDeviceMenu } from './alcove-device-menu.js';
import type { AlcoveHostPanel } from './alcove-host-panel.js';
import type { AlcoveSecurityCode } from './alcove-security-code.js';
import type { AlcoveVideoGrid } from './alcove-video-grid.js';
import type { AlcoveWaitingRoom } from './alcove-waiting-room.js';

export type { SessionLike } from '../base/session-part.js';

/** Creates the session; default `Session.create` from `@alcove/core`. */
export type SessionFactory = (options: SessionOptions) => SessionLike;

/** The screens of the flow. */
export type Screen = 'start' | 'checklist' | 'waiting' | 'call' | 'ended' | 'failed' | 'idle';

const STYLE = `
:host{display:block;container-type:inline-size}
[part~=base]{display:grid;gap:var(--_space);background:var(--_bg);color:var(--_fg);border-radius:var(--_radius);padding:var(--_space);min-width:0}
[part~=header]{display:flex;gap:var(--_space);align-items:center;justify-content:space-between;flex-wrap:wrap}
[part~=status]{font-weight:600}
[part~=error]{color:var(--_danger);font-weight:600}
alcove-connection-banner:not([active]),alcove-security-code[empty]{display:none}
[part~=call]{display:grid;gap:var(--_space);grid-template-columns:minmax(0,1fr);grid-template-areas:"banner" "stage" "controls" "side"}
[part~=call]>alcove-connection-banner{grid-area:banner}
[part~=stage]{grid-area:stage;min-width:0}
[part~=sidebar]{grid-area:side;display:grid;gap:var(--_space);align-content:start;min-width:0}
[part~=controls]{grid-area:controls;position:sticky;bottom:0;z-index:2}
@container (min-width:860px){[part~=call]{grid-template-columns:minmax(0,1fr) minmax(280px,340px);
grid-template-areas:"banner banner" "stage side" "controls controls"}}
.screen{display:grid;gap:var(--_space);justify-items:start}
.screen h2{font-size:1.3em}
.callback{font-size:1.15em;font-weight:600}
`;

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
 * A whole call in one element, for the client and the host: start → (checklist) → waiting room →
 * call → end screen, with a connection banner, the "we will call you at …" screen and a Try again
 * button when the call cannot be restored, chat, device menus, security code, the host's waiting
 * list, participants, lock and end-for-all, and quick exit (button and Shift+Escape). Give it the
 * server URL as an attribute and the join token as a property (never an attribute: it would sit in
 * the DOM), then call `join()` or let the person press "Join call".
 *
 * The pre-session checklist of `@alcove/core/checklist` is on for both roles (the session is
 * created with `checklistSupport()`): when the server's policy has a checklist, a client fills it
 * in while waiting (a `Checklist` the element creates, or the one given as `checklist`), its
 * answers reach the host sealed, and the host sees each entrant's status in the waiting list and,
 * once admitted, their location, emergency contact and callback number. Sealed chat (the chat
 * panel) is on too: the session is created with `chatSupport()` of `@alcove/core/chat`.
 *
 * Moving the element in the DOM keeps the call; removing it for good leaves, and every camera and
 * microphone track stops.
 *
 * @tag alcove-session
 * @summary A whole call in one element: checklist, waiting room, call, end screen.
 * @example
 * ```html
 * <alcove-session server-url="wss://video.example.org/ws" lang="en" quick-exit-url="https://weather.example"></alcove-session>
 * <script type="module">
 *   import { defineAlcoveElements } from '@alcove/ui';
 *   defineAlcoveElements();
 *   const el = document.querySelector('alcove-session');
 *   el.token = await fetchJoinTokenFromYourBackEnd();
 *   el.getToken = fetchJoinTokenFromYourBackEnd; // for "Try again"
 * </script>
 * ```
 * @attr {string} server-url - `wss://…` signalling URL
 * @attr {string} e2ee-worker-url - URL of the `@alcove/core/e2ee-worker` script, hosted by the practice (same origin for a strict CSP)
 * @attr {string} quick-exit-url - where quick exit goes (default `about:blank`)
 * @attr {string} host-name - the host's display name for the waiting room and the callback text; in the waiting room it overrides the name from the host's join token
 * @attr {string} host-credentials - optional line under the host's name in the waiting room; overrides the credentials line from the host's join token (`cred`)
 * @attr {string} state - the session state (reflected, read-only)
 * @attr {string} screen - the screen shown (reflected, read-only)
 * @attr {string} lang - language of the text (or inherited from an ancestor / the document)
 * @attr {'light'|'dark'} theme - colour scheme; default follows `prefers-color-scheme`
 * @fires alcove-state-change - the session state changed (`from`, `to`)
 * @fires alcove-screen-change - the screen changed (`screen`)
 * @fires alcove-leave-request - leave was pressed (cancelable)
 * @fires alcove-quick-exit - quick exit left the call (cancelable: keeps the page from navigating)
 * @fires alcove-error - a problem, with a stable `code`
 * @fires alcove-admission-request - the host pressed admit or deny (cancelable)
 * @fires alcove-host-action - the host confirmed remove, lock, unlock or end-for-all (cancelable)
 * @csspart base - the container
 * @csspart header - status line and quick exit
 * @csspart status - the status line (a polite live region)
 * @csspart error - the last error, as text
 * @csspart quick-exit - the quick-exit button outside the call
 * @csspart start - the start screen
 * @csspart checklist - the `<alcove-checklist>`
 * @csspart waiting - the waiting room (`<alcove-waiting-room>`)
 * @csspart call - the call screen
 * @csspart stage - the video area
 * @csspart grid - the `<alcove-video-grid>` (tile parts exported: tile, video, placeholder, initials, name, label, badges, badge, quality)
 * @csspart sidebar - the panels beside (or under) the video
 * @csspart controls - the `<alcove-control-bar>`
 * @csspart banner - the `<alcove-connection-banner>`
 * @csspart sas - the `<alcove-security-code>`
 * @csspart chat - the `<alcove-chat-panel>`
 * @csspart devices - the device menus panel
 * @csspart device-menu - each `<alcove-device-menu>` (in the devices panel and the waiting room)
 * @csspart device-select - the `<select>` of each device menu
 * @csspart device-label - the label of each device menu
 * @csspart host - the `<alcove-host-panel>` (parts exported: waiting-list, admit, deny, remove, lock, emergency, emergency-copy, emergency-call)
 * @csspart panel - the start, failed and ended screens
 * @csspart failed - the failed screen
 * @csspart ended - the end screen
 * @cssprop --alcove-bg - page background of the element
 * @cssprop --alcove-surface - panels
 * @cssprop --alcove-surface-raised - buttons, inputs, cards
 * @cssprop --alcove-fg - text
 * @cssprop --alcove-fg-muted - secondary text
 * @cssprop --alcove-border - borders
 * @cssprop --alcove-accent - accent (pressed toggles, primary buttons)
 * @cssprop --alcove-accent-fg - text on the accent
 * @cssprop --alcove-danger - leave, remove, errors
 * @cssprop --alcove-danger-fg - text on danger
 * @cssprop --alcove-warning - warnings
 * @cssprop --alcove-success - success
 * @cssprop --alcove-focus - focus ring
 * @cssprop --alcove-video-bg - video and placeholder background
 * @cssprop --alcove-video-fg - text on video
 * @cssprop --alcove-radius - corner radius
 * @cssprop --alcove-font - font shorthand
 * @cssprop --alcove-space - base spacing
 */
export class AlcoveSession extends AlcoveElement {
  static override styles = [STYLE];
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'server-url', 'host-name', 'host-credentials', 'quick-exit-url'];
  }

  /**
   * What the failed screen promises when the call cannot be restored ("Your host will call you at
   * …"). Default: the plan the client agreed in the checklist (its callback number, or rejoining).
   */
  fallback: FallbackPlan | undefined;
  /** Extra options for `Session.create` (publish defaults, reconnect policy, media hooks…). */
  sessionOptions: Partial<SessionOptions> = {};
  /** How the session is created; tests and apps with their own wiring may replace it. */
  sessionFactory: SessionFactory | undefined;
  /** Fetches a fresh join token for "Try again" (tokens may be single-use); default: reuse the last one. */
  getToken: (() => Promise<string>) | undefined;
  /**
   * The client's checklist, for a page that runs device checks before joining or sets its own
   * options (`new Checklist({ rememberAnswers: true })` of `@alcove/core/checklist`). Default: one
   * created when the server's policy has a checklist (its answers are kept for Try again).
   */
  checklist: Checklist | undefined;
  /** The checklist this element created (closed when the call ends). */
  #ownChecklist: Checklist | undefined;

  #token: string | undefined;
  #lastToken: string | undefined;
  readonly #base: HTMLDivElement;
  readonly #status: HTMLParagraphElement;
  readonly #error: HTMLParagraphElement;
  readonly #announcer: HTMLParagraphElement;
  readonly #quickExit: HTMLButtonElement;
  readonly #start: HTMLElement;
  readonly #join: HTMLButtonElement;
  readonly #waiting: AlcoveWaitingRoom;
  readonly #checklist: AlcoveChecklist;
  #checklistDone = false;
  #failedFallback: FallbackPlan | undefined;
  readonly #call: HTMLDivElement;
  readonly #grid: AlcoveVideoGrid;
  readonly #controls: AlcoveControlBar;
  readonly #banner: AlcoveConnectionBanner;
  readonly #sas: AlcoveSecurityCode;
  readonly #chat: AlcoveChatPanel;
  readonly #devices: HTMLElement;
  readonly #menus: AlcoveDeviceMenu[];
  /** Devices the person chose (checklist, waiting room, call menus), by kind; the call uses them. */
  #chosen: Partial<Record<MediaDeviceKind, string>> = {};
  readonly #host: AlcoveHostPanel;
  readonly #failed: HTMLElement;
  readonly #ended: HTMLElement;
  readonly #parts: HTMLElement[];
  #session: SessionLike | undefined;
  #off: (() => void) | undefined;
  #state = 'idle';
  #endReason = '';
  #screen: Screen = 'idle';
  #panel = '';
  #leaveTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #onKey = (e: KeyboardEvent): void => {
    if (isQuickExitKey(e) && this.#session && !['ended', 'failed', 'idle'].includes(this.#state)) {
      e.preventDefault();
      this.quickExit();
    }
  };

  constructor() {
    super();
    const d = this.doc;
    this.#status = h(d, 'p', { part: 'status', role: 'status', 'aria-live': 'polite' });
    this.#error = h(d, 'p', { part: 'error', hidden: true });
    this.#announcer = h(d, 'p', { class: 'sr-only', 'aria-live': 'polite' });
    this.#quickExit = h(d, 'button', { type: 'button', part: 'quick-exit', onclick: () => this.quickExit() });
    this.#join = h(d, 'button', { type: 'button', class: 'primary', onclick: () => void this.join().catch(() => undefined) });
    this.#start = h(
      d,
      'section',
      { part: 'panel start', class: 'screen', hidden: true },
      h(d, 'h2', { tabIndex: -1 }),
      h(d, 'p'),
      this.#join,
    );
    this.#checklist = h(d, 'alcove-checklist', {
      part: 'checklist',
      hidden: true,
      exportparts: 'title:checklist-title,progress:checklist-progress,steps:checklist-steps,nav:checklist-nav',
    });
    this.#waiting = h(d, 'alcove-waiting-room', {
      part: 'panel waiting',
      hidden: true,
      exportparts: 'title:waiting-title,preview,preview-toggle,device-menu,device-select,device-label',
    });
    this.#banner = h(d, 'alcove-connection-banner', { part: 'banner', exportparts: 'base:banner-base,message:banner-message' });
    this.#grid = h(d, 'alcove-video-grid', {
      part: 'grid',
      exportparts: 'tile,video,placeholder,initials,name,label,badges,badge,quality,pip-move',
    });
    this.#controls = h(d, 'alcove-control-bar', { part: 'controls', exportparts: 'control,unread,dialog' });
    this.#sas = h(d, 'alcove-security-code', { part: 'sas', exportparts: 'entry:sas-entry,digits:sas-digits,match:sas-match' });
    this.#chat = h(d, 'alcove-chat-panel', {
      part: 'chat',
      hidden: true,
      exportparts: 'log:chat-log,message:chat-message,input:chat-input,send:chat-send',
    });
    const menus = (['videoinput', 'audioinput', 'audiooutput'] as const).map((kind) =>
      h(d, 'alcove-device-menu', { kind, part: 'device-menu', exportparts: 'select:device-select,label:device-label' }),
    );
    this.#menus = menus;
    this.#devices = h(
      d,
      'section',
      { part: 'devices', class: 'panel', hidden: true, 'aria-labelledby': 'devices-title' },
      h(d, 'h2', { id: 'devices-title', tabIndex: -1 }),
      ...menus,
    );
    this.#host = h(d, 'alcove-host-panel', {
      part: 'host',
      hidden: true,
      exportparts: 'waiting-list,admit,deny,remove,lock,emergency,emergency-copy,emergency-call',
    });
    const stage = h(d, 'main', { part: 'stage' }, h(d, 'h2', { class: 'sr-only', tabIndex: -1, id: 'call-title' }), this.#grid);
    this.#call = h(
      d,
      'div',
      { part: 'call', hidden: true },
      this.#banner,
      stage,
      h(d, 'aside', { part: 'sidebar' }, this.#sas, this.#host, this.#chat, this.#devices),
      this.#controls,
    );
    this.#failed = h(
      d,
      'section',
      { part: 'panel failed', class: 'screen', hidden: true },
      h(d, 'h2', { tabIndex: -1 }),
      h(d, 'p', { class: 'body' }),
      h(d, 'p', { class: 'callback' }),
      h(d, 'button', { type: 'button', class: 'retry primary', onclick: () => void this.retry() }),
    );
    this.#ended = h(
      d,
      'section',
      { part: 'panel ended', class: 'screen', hidden: true },
      h(d, 'h2', { tabIndex: -1 }),
      h(d, 'p', { class: 'body' }),
      h(d, 'p', { class: 'muted close' }),
    );
    this.#base = h(
      d,
      'div',
      { part: 'base' },
      h(d, 'div', { part: 'header' }, this.#status, this.#quickExit),
      this.#error,
      this.#announcer,
      this.#start,
      this.#checklist,
      this.#waiting,
      this.#call,
      this.#failed,
      this.#ended,
    );
    this.root.append(this.#base);
    this.root.addEventListener('alcove-checklist-complete', () => {
      this.#checklistDone = true;
      this.update();
    });
    this.#parts = [this.#waiting, this.#banner, this.#grid, this.#controls, this.#sas, this.#chat, this.#host, ...menus];
    this.root.addEventListener('alcove-panel-toggle', (e) => this.#togglePanel(e as AlcovePanelToggleEvent));
    this.root.addEventListener('alcove-unread-change', (e) => {
      const count = (e as AlcoveUnreadChangeEvent).count;
      this.#controls.setAttribute('unread', String(count));
    });
    this.root.addEventListener('alcove-error', (e) => {
      // Errors from the parts: show them here too (the event goes on to the page).
      if (e.target !== this) this.#showError((e as AlcoveErrorEvent).code);
    });
    this.root.addEventListener('alcove-device-change', (e) => this.#deviceChosen(e as AlcoveDeviceChangeEvent));
    this.root.addEventListener('keydown', (e) => this.#panelKey(e as KeyboardEvent));
  }

  /** Join token (property only, never an attribute). Cleared once used. */
  get token(): string | undefined {
    return this.#token;
  }
  set token(value: string | undefined) {
    this.#token = value || undefined;
    this.update();
  }

  /** `wss://…` signalling URL (reflects `server-url`). */
  get serverUrl(): string {
    return this.getAttribute('server-url') ?? '';
  }
  set serverUrl(value: string) {
    this.setAttribute('server-url', value);
  }

  /** URL of the E2EE worker script (reflects `e2ee-worker-url`). */
  get e2eeWorkerUrl(): string {
    return this.getAttribute('e2ee-worker-url') ?? '';
  }
  set e2eeWorkerUrl(value: string) {
    this.setAttribute('e2ee-worker-url', value);
  }

  /** Where quick exit goes (reflects `quick-exit-url`; default `about:blank`). */
  get quickExitUrl(): string {
    return this.getAttribute('quick-exit-url') ?? 'about:blank';
  }
  set quickExitUrl(value: string) {
    this.setAttribute('quick-exit-url', value);
  }

  /** The running session, once `join()` was called. */
  get session(): SessionLike | undefined {
    return this.#session;
  }

  /** The session state: `idle`, `connecting`, `waiting`, `joined`, `reconnecting`, `ended` or `failed`. */
  get state(): string {
    return this.#state;
  }

  /** The screen shown. */
  get screen(): Screen {
    return this.#screen;
  }

  override connectedCallback(): void {
    clearTimeout(this.#leaveTimer);
    this.doc.addEventListener('keydown', this.#onKey);
    super.connectedCallback();
  }

  disconnectedCallback(): void {
    this.doc.removeEventListener('keydown', this.#onKey);
    // Moved in the DOM: connected again before this runs, the call goes on. Gone for good: leave.
    clearTimeout(this.#leaveTimer);
    this.#leaveTimer = setTimeout(() => {
      if (!this.isConnected) void this.leave();
    }, 0);
  }

  /**
   * Joins the call with `token` (or the `token` property).
   * @throws the session's `AlcoveError` when joining fails (also fired as `alcove-error`).
   * @throws {TypeError} without a token or `server-url`.
   */
  async join(token: string | undefined = this.#token): Promise<void> {
    if (this.#session && !['ended', 'failed'].includes(this.#state)) throw new Error('alcove-session: already joined');
    if (!token) throw new TypeError('alcove-session: a join token is required');
    if (!this.serverUrl) throw new TypeError('alcove-session: the server-url attribute is required');
    this.#reset();
    this.#token = undefined;
    this.#lastToken = token;
    const workerUrl = this.e2eeWorkerUrl;
    const options: SessionOptions = {
      ...(workerUrl ? { e2eeWorker: () => new Worker(new URL(workerUrl, this.doc.baseURI), { type: 'module' }) } : {}),
      ...this.sessionOptions,
      reconnectPolicy: this.#observedPolicy(this.sessionOptions.reconnectPolicy ?? new DefaultReconnectPolicy()),
      // Both roles: a client's checklist (given now, or attached once the policy asks for one), a host's sealed answers.
      checklist: this.sessionOptions.checklist ?? checklistSupport(this.checklist ?? this.#ownChecklist),
      // The chat panel sends and shows sealed chat: the session needs the chat plug-in.
      chat: this.sessionOptions.chat ?? chatSupport(),
      publish: this.#publishChoice(this.sessionOptions.publish),
      serverUrl: this.serverUrl,
      token,
      ...(this.fallback ? { fallback: this.fallback } : {}),
    };
    const factory = this.sessionFactory ?? ((o: SessionOptions) => Session.create(o));
    let session: SessionLike;
    try {
      session = factory(options);
    } catch (e) {
      // Refused before any connection (bad URL, options): say so, never fail silently.
      this.#reportError(e);
      throw e;
    }
    this.#session = session;
    this.#wire(session);
    for (const p of this.#parts) (p as unknown as { session: SessionLike | undefined }).session = session;
    this.update();
    try {
      await session.join();
    } catch (e) {
      this.#reportError(e);
      throw e;
    }
  }

  /** Leaves the call (no confirmation). Every track stops before this returns control. */
  async leave(): Promise<void> {
    this.#waiting.stopPreview();
    this.#endChecklist();
    await this.#session?.leave();
  }

  /** Leaves at once and goes to `quick-exit-url` (unless `alcove-quick-exit` is cancelled). */
  quickExit(): void {
    this.#waiting.stopPreview();
    this.#endChecklist();
    quickExit(this, this.#session, this.quickExitUrl);
  }

  /** After a failure: joins again (with `getToken()` when set, else the last token). */
  async retry(): Promise<void> {
    let token = this.#lastToken;
    try {
      if (this.getToken) token = await this.getToken();
      await this.join(token);
    } catch (e) {
      this.#reportError(e);
    }
  }

  /** The devices chosen so far, by kind (`''`: the system default). */
  get chosenDevices(): Partial<Record<MediaDeviceKind, string>> {
    return { ...this.#chosen };
  }

  // --- devices ------------------------------------------------------------------------------------

  /**
   * What the call publishes once admitted: the page's own `publish` option where it turns a kind
   * off or names a device, else the camera and microphone chosen in the checklist or the waiting
   * room — read when the call starts, so a choice made while waiting counts. (Without a choice
   * here the session takes the checklist's.)
   */
  #publishChoice(given: PublishDefaults | undefined): PublishDefaults {
    const pick = (kind: 'audio' | 'video'): boolean | string => {
      const g = given?.[kind];
      if (g === false || typeof g === 'string') return g;
      return this.#chosen[kind === 'audio' ? 'audioinput' : 'videoinput'] || true;
    };
    return {
      get audio() {
        return pick('audio');
      },
      get video() {
        return pick('video');
      },
    };
  }

  /** A device was chosen in any menu (checklist step, waiting room, call): remember it, show it everywhere. */
  #deviceChosen(e: AlcoveDeviceChangeEvent): void {
    this.#chosen[e.kind] = e.deviceId;
    const s = this.#session;
    // A speaker chosen before the call: remote audio plays there from the start (the call's menu switches it itself).
    if (e.kind === 'audiooutput' && s && e.deviceId && s.state !== 'joined' && s.state !== 'reconnecting')
      void s.setAudioOutput(e.deviceId).catch((err: unknown) => this.#reportError(err));
    this.#syncDevices();
  }

  /** The choice for `kind`: made here, else the checklist's. */
  #deviceFor(kind: MediaDeviceKind): string | undefined {
    const own = this.#chosen[kind];
    if (own !== undefined) return own;
    const d = this.#session?.checklist?.devices;
    return kind === 'videoinput' ? d?.cameraId : kind === 'audioinput' ? d?.microphoneId : d?.speakerId;
  }

  /** The waiting room's and the call's menus show the devices in use or chosen. */
  #syncDevices(): void {
    const wanted: Partial<Record<MediaDeviceKind, string>> = {};
    for (const kind of ['videoinput', 'audioinput', 'audiooutput'] as const) {
      const id = this.#deviceFor(kind);
      if (id !== undefined) wanted[kind] = id;
    }
    this.#waiting.devices = wanted;
    const local = this.#session?.localTracks ?? [];
    for (const m of this.#menus) {
      const id = wanted[m.kind];
      // A camera or microphone in use: its menu shows the track's own device (the menu follows it).
      const live = m.kind !== 'audiooutput' && local.some((t) => t.kind === (m.kind === 'videoinput' ? 'video' : 'audio') && t.deviceId);
      if (id !== undefined && !live && m.value !== id) m.value = id;
    }
  }

  /** Escape in an open panel (chat, devices, security code, host) closes it; focus goes back to its button. */
  #panelKey(e: KeyboardEvent): void {
    if (e.key !== 'Escape' || e.shiftKey || e.defaultPrevented || !this.#panel) return;
    const path = e.composedPath();
    const panel = this.#panel;
    const el = panel === 'chat' ? this.#chat : panel === 'devices' ? this.#devices : panel === 'host' ? this.#host : this.#sas;
    if (!path.includes(el)) return;
    e.preventDefault();
    this.#controls.togglePanel(panel as 'chat' | 'devices' | 'security' | 'host');
    this.#controls.focusControl(panel === 'security' ? 'security' : panel);
  }

  // --- wiring -------------------------------------------------------------------------------------

  #observedPolicy(inner: ReconnectPolicy): ReconnectPolicy {
    return {
      nextRetryDelayMs: (ctx) => {
        const delay = inner.nextRetryDelayMs(ctx);
        if (delay !== null && delay >= 1000) this.#banner.retryScheduled(delay);
        return delay;
      },
    };
  }

  #wire(s: SessionLike): void {
    this.#off = listen(s, {
      stateChanged: (c) => {
        this.#state = c.to;
        if (c.to === 'waiting' || c.to === 'joined') this.#attachChecklist(s);
        if (c.to === 'ended') this.#endChecklist();
        this.emit(new AlcoveStateChangeEvent(c.from, c.to));
        if (c.to === 'joined' && !this.#panel && s.role === 'host') this.#panel = 'host';
        this.update();
      },
      participantJoined: (p) => this.#announce('participant.joined', { name: p.displayName }),
      participantLeft: (p) => this.#announce('participant.left', { name: p.displayName }),
      waitingRoomChanged: (w) => {
        const known = new Set(this.#waitingIds);
        this.#waitingIds = w.map((e) => e.id);
        for (const e of w) if (!known.has(e.id)) this.#announce('participant.waiting', { name: e.displayName });
      },
      muteRequested: (kind) => this.#announce('muteRequested', { kind: this.t(kind === 'audio' ? 'kind.audio' : 'kind.video') }),
      lockChanged: (locked) => this.#announce(locked ? 'lock.locked' : 'lock.unlocked', {}),
      chatMessage: (m) => {
        if (this.#panel !== 'chat') this.#announce('chat.new', { name: s.participants.find((p) => p.id === m.from)?.displayName ?? '' });
      },
      ended: (reason) => {
        this.#endReason = reason;
        this.update();
      },
      failed: (info) => {
        this.#failedFallback = info.fallback ?? agreedFallback(s);
        this.#reportError(info.error);
        this.update();
      },
      error: (e) => this.#reportError(e),
    });
  }

  #waitingIds: string[] = [];

  /** A client whose session policy has a checklist and who brought none gets one. */
  #attachChecklist(s: SessionLike): void {
    if (s.role === 'host' || !s.policy?.checklist || s.checklist || typeof s.attachChecklist !== 'function') return;
    const platform = this.sessionOptions.platform;
    this.#ownChecklist ??= new Checklist(platform ? { platform } : {});
    try {
      s.attachChecklist(this.#ownChecklist);
    } catch (e) {
      this.#reportError(e);
    }
  }

  /**
   * The call is over (left, quick exit, ended): the checklist lets go of the camera, microphone and
   * tone at once, and what the client typed leaves this tab's storage (kept there only for a reload
   * while the session is on); the one this element created is closed, a given one forgets its
   * progress (its answers stay in memory for the page).
   */
  #endChecklist(): void {
    this.#checklist.checklist = undefined;
    const own = this.#ownChecklist;
    this.#ownChecklist = undefined;
    own?.close();
    this.checklist?.forgetProgress();
    const release = (c: Checklist | undefined): void => {
      for (const step of [c?.camera, c?.microphone, c?.speaker]) releaseDevice(step);
    };
    release(this.checklist);
    // A device being opened at this very moment is only known once it is open: let go of it then too.
    const given = this.checklist;
    setTimeout(() => {
      release(own);
      release(given);
    }, 0);
  }

  #reset(): void {
    this.#off?.();
    this.#off = undefined;
    this.#endReason = '';
    this.#state = 'idle';
    this.#panel = '';
    this.#waitingIds = [];
    this.#error.hidden = true;
    this.#checklistDone = false;
    this.#failedFallback = undefined;
    this.#checklist.checklist = undefined;
  }

  #togglePanel(e: AlcovePanelToggleEvent): void {
    this.#panel = e.open ? e.panel : '';
    this.update();
    const target =
      e.panel === 'chat'
        ? this.#chat
        : e.panel === 'devices'
          ? this.#devices.querySelector('h2')
          : e.panel === 'host'
            ? this.#host
            : this.#sas;
    if (e.open) (target as HTMLElement | null)?.focus();
  }

  #announce(key: MessageKey, params: Record<string, string>): void {
    this.#announcer.textContent = this.t(key, params);
  }

  #reportError(e: unknown): void {
    const code = errorCode(e);
    this.#showError(code);
    this.emit(new AlcoveErrorEvent(code));
  }

  #showError(code: string): void {
    const text = this.t(errorKey(code), { code });
    this.#error.textContent = text;
    // The failed screen says "We could not reconnect the call" itself: not twice.
    this.#error.hidden = code === 'RECONNECT_FAILED';
    this.#announcer.textContent = text;
  }

  // --- rendering ----------------------------------------------------------------------------------

  #screenFor(): Screen {
    const s = this.#state;
    if (s === 'idle') return this.#token ? 'start' : 'idle';
    if (s === 'connecting')
      return this.#screen === 'failed' || this.#screen === 'ended' ? 'start' : this.#screen === 'idle' ? 'start' : this.#screen;
    if (s === 'waiting' || (s === 'reconnecting' && (this.#screen === 'checklist' || this.#screen === 'waiting')))
      return this.#needsChecklist() ? 'checklist' : 'waiting';
    if (s === 'joined' || s === 'reconnecting') return 'call';
    return s === 'failed' ? 'failed' : 'ended';
  }

  /**
   * A guest whose session policy has a checklist sees it before the waiting room until they finish
   * it (one resumed complete after a reload goes straight to the waiting room).
   */
  #needsChecklist(): boolean {
    const s = this.#session;
    const cl = s?.checklist;
    if (!cl || !s.policy?.checklist || s.role === 'host' || this.#checklistDone || cl.state === 'closed') return false;
    if (cl.complete && cl.steps.every((x) => x.done)) return false;
    if (this.#checklist.checklist !== cl) this.#checklist.checklist = cl;
    return true;
  }

  protected update(): void {
    const screen = this.#screenFor();
    const changed = screen !== this.#screen;
    this.#screen = screen;
    setAttr(this, 'state', this.#state);
    setAttr(this, 'screen', screen);
    this.propagate(...this.#parts);
    setText(this.#status, this.t(screen === 'checklist' ? 'status.checklist' : (STATUS[this.#state] ?? 'status.idle')));
    setText(this.#quickExit, this.t('quickExit'));
    setAttr(this.#quickExit, 'title', this.t('quickExit.hint'));
    this.#quickExit.hidden = screen === 'call' || screen === 'ended' || screen === 'idle' || screen === 'failed';
    this.#controls.setAttribute('quick-exit-url', this.quickExitUrl);
    // Start
    this.#start.hidden = screen !== 'start';
    setText(this.#start.querySelector('h2')!, this.t('start.title'));
    setText(this.#start.querySelector('p')!, this.t('start.body'));
    setText(this.#join, this.t('join'));
    this.#join.disabled = this.#state !== 'idle' && this.#state !== 'ended' && this.#state !== 'failed';
    this.#checklist.hidden = screen !== 'checklist';
    // Off screen, the checklist holds no device (admitted mid-way, or failed): its current step lets go.
    if (screen !== 'checklist') this.#checklist.checklist = undefined;
    // Waiting room
    this.#waiting.hidden = screen !== 'waiting';
    for (const a of ['host-name', 'host-credentials']) setAttr(this.#waiting, a, this.getAttribute(a));
    // Call
    const inCall = screen === 'call';
    this.#call.hidden = !inCall;
    setText(this.#call.querySelector('#call-title')!, this.t('grid.label'));
    const host = this.#session?.role === 'host';
    this.#sas.hidden = !this.#session?.policy?.e2eeRequired;
    this.#host.hidden = !(inCall && host && this.#panel === 'host');
    this.#chat.hidden = this.#panel !== 'chat';
    this.#chat.toggleAttribute('open', this.#panel === 'chat');
    this.#devices.hidden = this.#panel !== 'devices';
    this.#syncDevices();
    setText(this.#devices.querySelector('h2')!, this.t('devices'));
    setAttr(this.#controls, 'panel', this.#panel);
    // Failed
    this.#failed.hidden = screen !== 'failed';
    setText(this.#failed.querySelector('h2')!, this.t('status.failed'));
    setText(this.#failed.querySelector('.body')!, this.t('failed.body'));
    const fallback = this.fallback ?? this.#failedFallback;
    const number = fallback?.callbackNumber;
    const rejoin = fallback?.plan === 'client-rejoins';
    const hostName = this.getAttribute('host-name');
    const cb = this.#failed.querySelector<HTMLElement>('.callback')!;
    setText(
      cb,
      rejoin
        ? this.t('failed.rejoin')
        : number
          ? hostName
            ? this.t('failed.callbackNamed', { name: hostName, number })
            : this.t('failed.callback', { number })
          : '',
    );
    cb.hidden = !number && !rejoin;
    setText(this.#failed.querySelector('.retry')!, this.t('failed.retry'));
    // Ended
    this.#ended.hidden = screen !== 'ended';
    setText(this.#ended.querySelector('h2')!, this.t('status.ended'));
    const reason = this.#endReason;
    setText(
      this.#ended.querySelector('.body')!,
      this.t(
        reason === 'denied'
          ? 'ended.denied'
          : reason === 'removed'
            ? 'ended.removed'
            : reason === 'session-ended'
              ? 'ended.session-ended'
              : 'ended.body',
      ),
    );
    setText(this.#ended.querySelector('.close')!, this.t('ended.close'));
    if (changed) {
      this.emit(new AlcoveScreenChangeEvent(screen));
      this.#focusScreen(screen);
    }
  }

  /** On a screen change, focus goes to the new screen's heading (announced by screen readers). */
  #focusScreen(screen: Screen): void {
    const target =
      screen === 'waiting'
        ? this.#waiting
        : screen === 'checklist'
          ? this.#checklist
          : screen === 'call'
            ? this.#call.querySelector<HTMLElement>('#call-title')
            : screen === 'failed'
              ? this.#failed.querySelector('h2')
              : screen === 'ended'
                ? this.#ended.querySelector('h2')
                : screen === 'start'
                  ? this.#start.querySelector('h2')
                  : null;
    if (!target || !this.isConnected) return;
    // Only take focus from inside the element or from nowhere: never steal it from the page.
    const active = this.doc.activeElement;
    if (active && active !== this.doc.body && active !== this && !this.contains(active)) return;
    (target as HTMLElement).focus();
  }
}

/**
 * The plan the client agreed in the checklist, for the failed screen when the session's `failed`
 * event brings none: the callback number (E.164) and whether the host calls or the client rejoins.
 */
function agreedFallback(s: SessionLike): FallbackPlan | undefined {
  const answer = s.checklist?.emergencyPlan?.answer;
  return answer ? { callbackNumber: answer.callbackPhone.e164, plan: answer.plan } : undefined;
}
