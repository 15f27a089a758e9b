import type { SasInfo } from '@alcove/core';
import { h, reconcile, setAttr, setText } from '../base/dom.js';
import { type SessionHandlers, SessionPart } from '../base/session-part.js';

const STYLE = `
:host{display:block}
[part~=entry]{display:grid;gap:6px;padding:var(--_space);border:1px solid var(--_border);border-radius:calc(var(--_radius)*.6);background:var(--_raised)}
[part~=emoji]{font-size:1.6em;letter-spacing:.15em}
[part~=digits]{font:600 1.3em/1.2 ui-monospace,monospace;letter-spacing:.08em}
[part~=changed]{color:var(--_warn);font-weight:600}
.confirmed,.peer-confirmed{font-weight:600}
.confirmed::before,.peer-confirmed::before{content:"\\2713  "}
.head{display:flex;justify-content:space-between;align-items:center;gap:var(--_space);flex-wrap:wrap}
`;

interface Entry {
  info: SasInfo;
  changed: boolean;
}

/**
 * The security code (short authentication string) to read aloud with each person in the call:
 * one entry per current peer (gone when they leave), "the code changed" when a peer's identity
 * changes, a "The codes match" button that keeps focus in the entry once pressed, and the peer's
 * own confirmation. Once every code is confirmed, the panel can be collapsed. Give it a `session`.
 *
 * @tag alcove-security-code
 * @summary Security codes to compare aloud, per peer, with confirmation.
 * @attr {boolean} empty - no code to show yet (reflected, read-only)
 * @attr {boolean} collapsed - only the heading and the show button are visible (possible once verified)
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @fires alcove-error - a confirmation failed (`code`)
 * @csspart base - the panel
 * @csspart title - the heading
 * @csspart toggle - the show / hide button
 * @csspart entry - one peer's code
 * @csspart emoji - the code as symbols
 * @csspart digits - the code as digits
 * @csspart match - "The codes match"
 * @csspart changed - the "code changed" notice
 */
export class AlcoveSecurityCode extends SessionPart {
  static override styles = [STYLE];
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'collapsed'];
  }

  readonly #title: HTMLHeadingElement;
  readonly #body: HTMLParagraphElement;
  readonly #toggle: HTMLButtonElement;
  readonly #list: HTMLUListElement;
  readonly #entries = new Map<string, Entry>();
  /** `by>peer` pairs confirmed. */
  readonly #verified = new Set<string>();

  constructor() {
    super();
    const d = this.doc;
    this.#title = h(d, 'h2', { part: 'title' });
    this.#toggle = h(d, 'button', { type: 'button', part: 'toggle', onclick: () => this.toggleAttribute('collapsed') });
    this.#body = h(d, 'p');
    this.#list = h(d, 'ul');
    this.root.append(
      h(d, 'section', { part: 'base', class: 'panel' }, h(d, 'div', { class: 'head' }, this.#title, this.#toggle), this.#body, this.#list),
    );
  }

  /** Whether every current peer's code was confirmed by this participant. */
  get allVerified(): boolean {
    const self = this.session?.participantId ?? '';
    return this.#entries.size > 0 && [...this.#entries.keys()].every((p) => this.#verified.has(`${self}>${p}`));
  }

  protected override sessionChanged(): void {
    this.#entries.clear();
    this.#verified.clear();
  }

  protected handlers(): SessionHandlers {
    return {
      e2eeSasReady: (info) => {
        const before = this.#entries.get(info.peer);
        const changed = !!before && before.info.decimal.join() !== info.decimal.join();
        if (changed) {
          // A new identity: earlier confirmations no longer hold.
          for (const k of [...this.#verified]) if (k.endsWith(`>${info.peer}`) || k.startsWith(`${info.peer}>`)) this.#verified.delete(k);
          this.removeAttribute('collapsed');
        }
        this.#entries.set(info.peer, { info, changed: changed || !!before?.changed });
        // Confirmed by this device in an earlier session (same identity): no need to compare again.
        if (info.verified) this.#verified.add(`${this.session?.participantId ?? ''}>${info.peer}`);
        this.update();
      },
      // A peer this device verified before shows another identity: "the code changed — compare again".
      e2eeIdentityChanged: (change) => {
        for (const k of [...this.#verified]) if (k.endsWith(`>${change.participantId}`)) this.#verified.delete(k);
        this.#entries.set(change.participantId, { info: change.sas, changed: true });
        this.removeAttribute('collapsed');
        this.update();
      },
      e2eeVerified: (by, peer) => {
        this.#verified.add(`${by}>${peer}`);
        this.update();
      },
      participantLeft: (p) => {
        this.#entries.delete(p.id);
        this.update();
      },
      participantUpdated: () => this.update(),
      stateChanged: (c) => {
        if (c.to === 'ended' || c.to === 'failed') this.sessionChanged();
        this.update();
      },
    };
  }

  protected update(): void {
    const self = this.session?.participantId ?? '';
    const current = new Set(this.session?.participants.map((p) => p.id) ?? []);
    for (const id of [...this.#entries.keys()]) if (this.session && !current.has(id)) this.#entries.delete(id);
    const entries = [...this.#entries.values()];
    const names = entries.map((e) => this.nameOf(e.info.peer)).filter(Boolean);
    setText(this.#title, this.t('sas.title'));
    setText(this.#body, this.t('sas.body', { name: names.join(', ') }));
    this.toggleAttr('empty', entries.length === 0);
    const canCollapse = this.allVerified;
    const collapsed = canCollapse && this.hasAttribute('collapsed');
    this.#toggle.hidden = !canCollapse;
    setText(this.#toggle, this.t(collapsed ? 'sas.show' : 'sas.hide'));
    setAttr(this.#toggle, 'aria-expanded', String(!collapsed));
    this.#body.hidden = collapsed || entries.length === 0;
    this.#list.hidden = collapsed;
    reconcile(
      this.#list,
      entries,
      (e) => e.info.peer,
      (e) => {
        const d = this.doc;
        const li = h(d, 'li', { part: 'entry' });
        li.dataset.peer = e.info.peer;
        const match = h(d, 'button', { type: 'button', part: 'match', class: 'match' });
        match.addEventListener('click', () => void this.#confirm(li, e.info.peer));
        li.append(
          h(d, 'p', { part: 'changed', class: 'changed', role: 'status' }),
          h(d, 'span', { part: 'emoji', class: 'emoji' }),
          h(d, 'span', { part: 'digits', class: 'digits' }),
          match,
          h(d, 'span', { class: 'confirmed', tabIndex: -1 }),
          h(d, 'span', { class: 'peer-confirmed' }),
        );
        return li;
      },
      (li, e) => {
        const name = this.nameOf(e.info.peer);
        const emoji = li.querySelector<HTMLElement>('.emoji')!;
        setText(emoji, e.info.emoji.map((x) => x.emoji).join(' '));
        setAttr(emoji, 'aria-label', e.info.emoji.map((x) => x.name).join(', '));
        setAttr(emoji, 'role', 'img');
        setText(li.querySelector('.digits')!, e.info.decimal.join(' '));
        const changed = li.querySelector<HTMLElement>('.changed')!;
        changed.hidden = !e.changed || this.#verified.has(`${self}>${e.info.peer}`);
        setText(changed, e.changed ? this.t('sas.changed', { name }) : '');
        const mine = this.#verified.has(`${self}>${e.info.peer}`);
        const match = li.querySelector<HTMLButtonElement>('.match')!;
        const done = li.querySelector<HTMLElement>('.confirmed')!;
        const focusMoves = mine && this.root.activeElement === match;
        match.hidden = mine;
        setText(match, this.t('sas.match'));
        done.hidden = !mine;
        setText(done, mine ? this.t('sas.confirmed') : '');
        if (focusMoves) done.focus();
        const theirs = li.querySelector<HTMLElement>('.peer-confirmed')!;
        const peerDone = this.#verified.has(`${e.info.peer}>${self}`);
        theirs.hidden = !peerDone;
        setText(theirs, peerDone ? this.t('sas.peerConfirmed', { name }) : '');
      },
    );
  }

  async #confirm(li: HTMLElement, peer: string): Promise<void> {
    const match = li.querySelector<HTMLButtonElement>('.match')!;
    match.setAttribute('aria-busy', 'true');
    const ok = await this.act((s) => s.confirmSecurityCode(peer));
    match.removeAttribute('aria-busy');
    if (ok) {
      this.#verified.add(`${this.session?.participantId ?? ''}>${peer}`);
      const e = this.#entries.get(peer);
      if (e) e.changed = false;
      const hadFocus = this.root.activeElement === match || this.root.activeElement === null;
      this.update();
      // Focus stays in the entry: on the confirmation that replaced the button.
      if (hadFocus && match.hidden) li.querySelector<HTMLElement>('.confirmed')?.focus();
    }
  }
}
