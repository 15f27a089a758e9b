import { h, setText } from '../base/dom.js';
import { type SessionHandlers, SessionPart } from '../base/session-part.js';
import type { MessageKey } from '../i18n/messages.js';

const STYLE = `
:host{display:block}
[part~=base]{display:flex;gap:var(--_space);align-items:center;flex-wrap:wrap;padding:10px 14px;border-radius:var(--_radius);
border:2px solid var(--_warn);background:var(--_surface);color:var(--_fg);font-weight:600}
[part~=base].problem{border-color:var(--_danger)}
[part~=base].ok{border-color:var(--_ok)}
[part~=icon]{font-weight:700}
`;

interface Notice {
  key: MessageKey;
  params: Record<string, string | number>;
  tone: 'warn' | 'problem' | 'ok';
}

/**
 * Connection problems in plain words, in a polite live region: "Connection lost. Reconnecting… 6 s"
 * with a countdown to the next attempt, "You are offline…", "Connected again"; a peer's drop and
 * return; and for the host, "The connection of Sam failed — call them at …" with the callback
 * number. Give it a `session`; `<alcove-session>` also feeds it retry delays and callback numbers.
 *
 * @tag alcove-connection-banner
 * @summary Reconnecting countdown, offline notice, peer drops and the callback number.
 * @attr {boolean} active - a notice is shown (reflected, read-only)
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @csspart base - the banner
 * @csspart icon - the leading symbol
 * @csspart message - the text
 */
export class AlcoveConnectionBanner extends SessionPart {
  static override styles = [STYLE];

  readonly #base: HTMLDivElement;
  readonly #icon: HTMLSpanElement;
  readonly #message: HTMLSpanElement;
  readonly #region: HTMLDivElement;
  #retryAt = 0;
  #offline = false;
  #recovered = false;
  readonly #dropped = new Map<string, string>();
  readonly #failed = new Map<string, string>();
  readonly #back = new Map<string, string>();
  #tick: ReturnType<typeof setInterval> | undefined;
  #clearOk: ReturnType<typeof setTimeout> | undefined;
  /**
   * Callback number of a participant, for the host's "call them at …". Default: the number the
   * client gave in the checklist (`session.emergencyInfo(id).callbackPhone`, E.164), kept while
   * they were here (their answers go when they leave).
   */
  callbackNumber: (participantId: string) => string | undefined = (id) =>
    this.session?.emergencyInfo(id)?.callbackPhone?.e164 ?? this.#numbers.get(id);
  /** Numbers seen while the person was here (the summary goes when they leave). */
  readonly #numbers = new Map<string, string>();

  constructor() {
    super();
    const d = this.doc;
    this.#icon = h(d, 'span', { part: 'icon', 'aria-hidden': 'true' });
    this.#message = h(d, 'span', { part: 'message' });
    this.#base = h(d, 'div', { part: 'base' }, this.#icon, this.#message);
    this.#region = h(d, 'div', { role: 'status', 'aria-live': 'polite' }, this.#base);
    this.root.append(this.#region);
  }

  /** The session will retry in `delayMs` (from the reconnect policy): shown as a countdown. */
  retryScheduled(delayMs: number): void {
    this.#retryAt = Date.now() + delayMs;
    this.#startTick();
    this.update();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#tick);
    this.#tick = undefined;
    clearTimeout(this.#clearOk);
  }

  protected override sessionChanged(): void {
    this.#dropped.clear();
    this.#failed.clear();
    this.#back.clear();
    this.#numbers.clear();
    this.#retryAt = 0;
    this.#recovered = false;
  }

  protected handlers(): SessionHandlers {
    return {
      checklistSummary: (id) => this.#remember(id),
      stateChanged: (c) => {
        if (c.to === 'reconnecting') {
          this.#recovered = false;
          this.#offline = c.reason === 'offline';
        }
        if (c.from === 'reconnecting' && (c.to === 'joined' || c.to === 'waiting')) this.#flashOk();
        if (c.to === 'ended' || c.to === 'failed') this.#retryAt = 0;
        this.update();
      },
      participantUpdated: (p) => {
        this.#remember(p.id);
        if (p.connection === 'reconnecting') this.#dropped.set(p.id, p.displayName);
        else if (this.#dropped.delete(p.id)) {
          this.#back.set(p.id, p.displayName);
          setTimeout(() => {
            this.#back.delete(p.id);
            this.update();
          }, 4000);
        }
        this.update();
      },
      participantLeft: (p, reason) => {
        const wasDropped = this.#dropped.delete(p.id);
        if (reason === 'timeout' || (wasDropped && reason !== 'left' && reason !== 'removed')) this.#failed.set(p.id, p.displayName);
        this.update();
      },
      participantJoined: (p) => {
        this.#remember(p.id);
        this.#failed.delete(p.id);
        this.update();
      },
    };
  }

  #remember(id: string): void {
    const n = this.session?.emergencyInfo(id)?.callbackPhone?.e164;
    if (n) this.#numbers.set(id, n);
  }

  /** The notice in force, most important first. */
  notice(): Notice | undefined {
    const s = this.session;
    if (s?.state === 'reconnecting') {
      if (this.#offline) return { key: 'banner.offline', params: {}, tone: 'problem' };
      const left = Math.ceil((this.#retryAt - Date.now()) / 1000);
      return left > 0
        ? { key: 'banner.countdown', params: { s: left }, tone: 'warn' }
        : { key: 'banner.reconnecting', params: {}, tone: 'warn' };
    }
    if (s && (s.state === 'joined' || s.state === 'waiting')) {
      for (const [id, name] of this.#failed) {
        const number = this.callbackNumber(id);
        return number
          ? { key: 'banner.peerFailed', params: { name, number }, tone: 'problem' }
          : { key: 'banner.peerFailedNoNumber', params: { name }, tone: 'problem' };
      }
      for (const name of this.#dropped.values()) return { key: 'banner.peerDropped', params: { name }, tone: 'warn' };
      for (const name of this.#back.values()) return { key: 'banner.peerBack', params: { name }, tone: 'ok' };
      if (this.#recovered) return { key: 'banner.reconnected', params: {}, tone: 'ok' };
    }
    return undefined;
  }

  protected update(): void {
    const n = this.notice();
    this.#base.hidden = !n;
    this.toggleAttr('active', !!n);
    if (!n) return;
    this.#base.className = n.tone;
    setText(this.#icon, n.tone === 'ok' ? '\u2713' : '!');
    setText(this.#message, this.t(n.key, n.params));
  }

  #startTick(): void {
    this.#tick ??= setInterval(() => {
      if (this.#retryAt <= Date.now() || this.session?.state !== 'reconnecting') {
        clearInterval(this.#tick);
        this.#tick = undefined;
      }
      this.update();
    }, 1000);
  }

  #flashOk(): void {
    this.#recovered = true;
    this.#offline = false;
    this.#retryAt = 0;
    clearTimeout(this.#clearOk);
    this.#clearOk = setTimeout(() => {
      this.#recovered = false;
      this.update();
    }, 4000);
  }
}
