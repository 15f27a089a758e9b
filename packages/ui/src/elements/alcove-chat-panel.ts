import type { ChatMessage } from '@alcove/core';
import { h, reconcile, setText } from '../base/dom.js';
import { type SessionHandlers, SessionPart } from '../base/session-part.js';
import { AlcoveUnreadChangeEvent } from '../events.js';

const STYLE = `
:host{display:block}
[part~=base]{display:grid;grid-template-rows:auto minmax(0,1fr) auto;gap:var(--_space);max-height:min(70vh,32rem)}
[part~=log]{overflow:auto;display:grid;gap:var(--_space);align-content:start;margin:0;padding:0;list-style:none;min-height:6rem}
[part~=message]{background:var(--_raised);border:1px solid var(--_border);border-radius:calc(var(--_radius)*.6);padding:6px 10px;overflow-wrap:anywhere}
[part~=message].mine{border-color:var(--_accent)}
[part~=sender]{font-weight:600;margin-right:6px}
.meta{color:var(--_muted);font-size:.85em}
form{display:grid;grid-template-columns:minmax(0,1fr) auto;gap:var(--_space);align-items:end}
label{grid-column:1/-1}
textarea{resize:vertical;min-height:44px;width:100%}
`;

type Line = { id: string; from: string; name: string; text: string; mine: boolean; pending: boolean };

/** Splits text into text and `https:` links (nothing else becomes a link). */
export function linkify(doc: Document, text: string): Node[] {
  const out: Node[] = [];
  let last = 0;
  for (const m of text.matchAll(/https:\/\/[^\s<>"']+/g)) {
    let raw = m[0];
    while (/[.,;:!?)\]]$/.test(raw)) raw = raw.slice(0, -1);
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:') continue;
    out.push(doc.createTextNode(text.slice(last, m.index)));
    out.push(h(doc, 'a', { href: url.href, target: '_blank', rel: 'noopener noreferrer', text: raw }));
    last = m.index + raw.length;
  }
  out.push(doc.createTextNode(text.slice(last)));
  return out;
}

/**
 * Text chat of the call: a log (polite live region), a message box (Enter sends, Shift+Enter a new
 * line), unread count while closed. Names and messages are shown as text only; only `https:`
 * links become links, opened with `rel="noopener noreferrer"`. Give it a `session`.
 *
 * @tag alcove-chat-panel
 * @summary Text chat with unread count and safe links.
 * @attr {boolean} open - the panel is visible (unread resets while open)
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @fires alcove-unread-change - the unread count changed (`count`)
 * @fires alcove-error - a message could not be sent (`code`)
 * @csspart base - the panel
 * @csspart title - the heading
 * @csspart log - the message list
 * @csspart message - one message
 * @csspart sender - the sender's name
 * @csspart input - the message box
 * @csspart send - the send button
 */
export class AlcoveChatPanel extends SessionPart {
  static override styles = [STYLE];
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'open'];
  }

  readonly #title: HTMLHeadingElement;
  readonly #log: HTMLDivElement;
  readonly #empty: HTMLParagraphElement;
  readonly #label: HTMLLabelElement;
  readonly #input: HTMLTextAreaElement;
  readonly #send: HTMLButtonElement;
  #lines: Line[] = [];
  #unread = 0;

  constructor() {
    super();
    const d = this.doc;
    this.#title = h(d, 'h2', { part: 'title', tabIndex: -1 });
    this.#log = h(d, 'div', { part: 'log', role: 'log', 'aria-live': 'polite', tabIndex: 0 });
    this.#empty = h(d, 'p', { class: 'muted' });
    this.#label = h(d, 'label', { htmlFor: 'msg' });
    this.#input = h(d, 'textarea', { part: 'input', id: 'msg', rows: 1, maxLength: 2000 });
    this.#send = h(d, 'button', { type: 'submit', part: 'send', class: 'primary' });
    const form = h(d, 'form', {}, this.#label, this.#input, this.#send);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.#submit();
    });
    this.#input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        void this.#submit();
      }
    });
    this.root.append(
      h(d, 'section', { part: 'base', 'aria-labelledby': 'title' }, this.#title, h(d, 'div', {}, this.#empty, this.#log), form),
    );
    this.#title.id = 'title';
  }

  /** Unread messages (received while the panel was closed). */
  get unread(): number {
    return this.#unread;
  }

  /** Moves focus to the message box. */
  override focus(): void {
    this.#input.focus();
  }

  protected override sessionChanged(): void {
    this.#lines = [];
    this.#setUnread(0);
  }

  protected handlers(): SessionHandlers {
    return {
      chatMessage: (m) => this.#received(m),
      participantJoined: () => this.update(),
      participantLeft: () => this.update(),
    };
  }

  #received(m: ChatMessage): void {
    if (this.#lines.some((l) => l.id === `${m.from}:${m.id}`)) return;
    this.#lines.push({ id: `${m.from}:${m.id}`, from: m.from, name: this.nameOf(m.from), text: m.text, mine: false, pending: false });
    if (!this.hasAttribute('open')) this.#setUnread(this.#unread + 1);
    this.update();
  }

  async #submit(): Promise<void> {
    const text = this.#input.value.trim();
    const s = this.session;
    if (!text || !s) return;
    this.#input.value = '';
    const line: Line = { id: `me:${Date.now()}:${Math.random()}`, from: s.participantId, name: '', text, mine: true, pending: true };
    this.#lines.push(line);
    this.update();
    const ok = await this.act((x) => x.sendChat(text));
    line.pending = false;
    if (!ok) this.#lines = this.#lines.filter((l) => l !== line);
    this.update();
  }

  #setUnread(n: number): void {
    if (n === this.#unread) return;
    this.#unread = n;
    this.emit(new AlcoveUnreadChangeEvent(n));
  }

  protected update(): void {
    if (this.hasAttribute('open')) this.#setUnread(0);
    setText(this.#title, this.t('chat.title'));
    setText(this.#label, this.t('chat.label'));
    setText(this.#send, this.t('chat.send'));
    setText(this.#empty, this.t('chat.empty'));
    this.#empty.hidden = this.#lines.length > 0;
    this.#log.hidden = this.#lines.length === 0;
    this.#log.setAttribute('aria-label', this.t('chat.log'));
    const canSend = !!this.session && (this.session.state === 'joined' || this.session.state === 'reconnecting');
    this.#send.disabled = !canSend;
    const stick = this.#log.scrollTop + this.#log.clientHeight >= this.#log.scrollHeight - 8;
    reconcile(
      this.#log,
      this.#lines,
      (l) => l.id,
      (l) => {
        const li = h(
          this.doc,
          'div',
          { part: 'message', class: l.mine ? 'mine' : '' },
          h(this.doc, 'span', { part: 'sender' }),
          h(this.doc, 'span', { class: 'text' }, ...linkify(this.doc, l.text)),
          h(this.doc, 'span', { class: 'meta' }),
        );
        return li;
      },
      (li, l) => {
        setText(li.querySelector('[part~=sender]')!, l.mine ? this.t('chat.you') : l.name || this.nameOf(l.from) || '?');
        setText(li.querySelector('.meta')!, l.pending ? ` ${this.t('chat.sending')}` : '');
      },
    );
    if (stick) this.#log.scrollTop = this.#log.scrollHeight;
  }
}
