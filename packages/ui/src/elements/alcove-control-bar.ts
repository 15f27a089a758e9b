import { confirmDialog } from '../base/confirm.js';
import { h, setAttr, setText } from '../base/dom.js';
import { quickExit } from '../base/quick-exit.js';
import { type SessionHandlers, SessionPart } from '../base/session-part.js';
import { AlcoveHostActionEvent, AlcoveLeaveRequestEvent, AlcovePanelToggleEvent } from '../events.js';
import type { MessageKey } from '../i18n/messages.js';

const STYLE = `
:host{display:block}
[part~=base]{display:flex;flex-wrap:wrap;gap:var(--_space);justify-content:center;align-items:center;padding:var(--_space);
background:var(--_surface);border:1px solid var(--_border);border-radius:var(--_radius)}
.state{font-size:.8em;padding:0 6px;border-radius:4px;border:1px solid currentColor;text-transform:uppercase;letter-spacing:.02em}
button[aria-pressed=false] .state{text-decoration:line-through}
[part~=unread]{min-width:1.6em;padding:0 6px;border-radius:999px;background:var(--_danger);color:var(--_on-danger);font-size:.8em;font-weight:600}
.sep{flex:1 0 0}
@container (max-width:480px){button{padding:6px 8px}.sep{display:none}}
`;

type Toggle = 'mic' | 'cam' | 'screen';
type Panel = 'chat' | 'devices' | 'security' | 'host';

/**
 * The call's controls: microphone, camera and screen share (when the session allows it) as toggle
 * buttons with stable labels and `aria-pressed`; buttons that open the chat (with the unread
 * count), device, security-code and host panels; leave (asks first), quick exit, and end-for-all
 * for the host. Give it a `session`; it hides itself outside a call.
 *
 * @tag alcove-control-bar
 * @summary Microphone, camera, screen share, panels, leave, quick exit and end-for-all.
 * @attr {string} panel - the open panel (`chat`, `devices`, `security`, `host`, or empty)
 * @attr {number} unread - unread chat messages shown on the chat button
 * @attr {string} quick-exit-url - where quick exit goes (default `about:blank`)
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @fires alcove-panel-toggle - a panel button was pressed
 * @fires alcove-leave-request - leave was pressed (cancelable; not cancelled, the bar asks to confirm, then leaves)
 * @fires alcove-quick-exit - quick exit was pressed: the call was left (cancelable: keeps the page from navigating)
 * @fires alcove-host-action - the host confirmed end-for-all (cancelable)
 * @fires alcove-error - an action failed (`code`)
 * @csspart base - the bar
 * @csspart control - every button (plus its own name: `mic`, `cam`, `screen`, `chat`, `devices`, `security`, `host`, `leave`, `quick-exit`, `end-all`)
 * @csspart unread - the unread count on the chat button
 * @csspart dialog - the confirmation dialog
 */
export class AlcoveControlBar extends SessionPart {
  static override styles = [STYLE];
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'panel', 'unread'];
  }

  readonly #base: HTMLDivElement;
  readonly #buttons = new Map<string, HTMLButtonElement>();
  readonly #unread: HTMLSpanElement;
  readonly #unreadText: HTMLSpanElement;
  #busy = new Set<Toggle>();

  constructor() {
    super();
    const d = this.doc;
    this.#base = h(d, 'div', { part: 'base', role: 'toolbar' });
    this.#unread = h(d, 'span', { part: 'unread', 'aria-hidden': 'true' });
    this.#unreadText = h(d, 'span', { id: 'unread', class: 'sr-only' });
    const add = (name: string, onclick: () => void, extra?: Node): void => {
      const b = h(d, 'button', { type: 'button', part: `control ${name}`, class: name, onclick }, h(d, 'span', { class: 'label' }), extra);
      this.#buttons.set(name, b);
      this.#base.append(b);
    };
    const state = () => h(d, 'span', { class: 'state', 'aria-hidden': 'true' });
    add('mic', () => void this.#toggle('mic'), state());
    add('cam', () => void this.#toggle('cam'), state());
    add('screen', () => void this.#toggle('screen'), state());
    add('chat', () => this.#panel('chat'), this.#unread);
    add('devices', () => this.#panel('devices'));
    add('security', () => this.#panel('security'));
    add('host', () => this.#panel('host'));
    this.#base.append(h(d, 'span', { class: 'sep' }));
    add('quick-exit', () => quickExit(this, this.session, this.getAttribute('quick-exit-url') ?? ''));
    add('end-all', () => void this.#endAll());
    add('leave', () => void this.#leave());
    this.#buttons.get('chat')!.setAttribute('aria-describedby', 'unread');
    this.#buttons.get('leave')!.classList.add('danger');
    this.root.append(this.#base, this.#unreadText);
  }

  protected handlers(): SessionHandlers {
    const u = () => this.update();
    return { stateChanged: u, localTrackChanged: u, policyChanged: u };
  }

  /** Moves focus to a control (`mic`, `cam`, `chat`, `devices`, `security`, `host`, `leave`…), e.g. after its panel closed. */
  focusControl(name: string): void {
    this.#buttons.get(name)?.focus();
  }

  /** Opens or closes a panel (as if its button was pressed). */
  togglePanel(panel: Panel): void {
    this.#panel(panel);
  }

  protected update(): void {
    const s = this.session;
    const inCall = !!s && (s.state === 'joined' || s.state === 'reconnecting');
    this.#base.hidden = !inCall;
    this.#base.setAttribute('aria-label', this.t('controls'));
    const local = s?.localTracks ?? [];
    const on: Record<Toggle, boolean> = {
      mic: local.some((x) => x.kind === 'audio' && !!x.track && !x.muted),
      cam: local.some((x) => x.kind === 'video' && x.source === 'cam' && !!x.track && !x.muted),
      screen: local.some((x) => x.source === 'screen' && !!x.track),
    };
    const host = s?.role === 'host';
    const share = s?.policy?.screenShare;
    const canShare =
      (share === 'everyone' || (share === 'host' && host)) && typeof globalThis.navigator?.mediaDevices?.getDisplayMedia === 'function';
    const open = this.getAttribute('panel') ?? '';
    const labels: Record<string, MessageKey> = {
      mic: 'mic',
      cam: 'cam',
      screen: 'screen',
      chat: 'chat',
      devices: 'devices',
      security: 'sas.title',
      host: 'host.title',
      'quick-exit': 'quickExit',
      'end-all': 'endAll',
      leave: 'leave',
    };
    for (const [name, b] of this.#buttons) {
      setText(b.querySelector('.label')!, this.t(labels[name]!));
      if (name in on) {
        const pressed = on[name as Toggle];
        setAttr(b, 'aria-pressed', String(pressed));
        setText(b.querySelector('.state')!, this.t(pressed ? 'state.on' : 'state.off'));
        setAttr(b, 'aria-busy', this.#busy.has(name as Toggle) ? 'true' : null);
      } else if (['chat', 'devices', 'security', 'host'].includes(name)) {
        setAttr(b, 'aria-pressed', String(open === name));
      }
    }
    this.#buttons.get('screen')!.hidden = !canShare;
    this.#buttons.get('host')!.hidden = !host;
    this.#buttons.get('end-all')!.hidden = !host;
    this.#buttons.get('security')!.hidden = !s?.policy?.e2eeRequired;
    const unread = Number(this.getAttribute('unread') ?? 0) || 0;
    this.#unread.hidden = unread === 0;
    setText(this.#unread, String(unread));
    setText(this.#unreadText, unread ? this.t('chat.unread', { count: unread }) : '');
  }

  async #toggle(which: Toggle): Promise<void> {
    const s = this.session;
    if (!s || this.#busy.has(which)) return;
    const pressed = this.#buttons.get(which)!.getAttribute('aria-pressed') === 'true';
    this.#busy.add(which);
    this.update();
    await this.act((x) =>
      which === 'mic'
        ? x.setMicrophoneEnabled(!pressed)
        : which === 'cam'
          ? x.setCameraEnabled(!pressed)
          : pressed
            ? x.stopScreenShare()
            : x.startScreenShare(),
    );
    this.#busy.delete(which);
    this.update();
  }

  #panel(panel: Panel): void {
    const open = this.getAttribute('panel') === panel;
    this.setAttribute('panel', open ? '' : panel);
    this.emit(new AlcovePanelToggleEvent(panel, !open));
  }

  async #leave(): Promise<void> {
    if (!this.emit(new AlcoveLeaveRequestEvent())) return;
    const yes = await confirmDialog(this.root, {
      title: this.t('confirm.leave'),
      body: this.t('confirm.leaveBody'),
      yes: this.t('confirm.yes.leave'),
      no: this.t('cancel'),
      danger: true,
    });
    if (yes) await this.act((s) => s.leave());
  }

  async #endAll(): Promise<void> {
    const yes = await confirmDialog(this.root, {
      title: this.t('confirm.endAll'),
      yes: this.t('confirm.yes.endAll'),
      no: this.t('cancel'),
      danger: true,
    });
    if (yes && this.emit(new AlcoveHostActionEvent('end'))) await this.act((s) => s.end());
  }
}
