import type { WaitingEntry } from '@alcove/protocol';
import { AlcoveAdmissionRequestEvent } from '../events.js';
import { t } from '../i18n/messages.js';
import { adoptStyles, BASE_CSS } from '../styles.js';

/**
 * The host's waiting list: who waits, whether their checklist is done, and buttons to let them
 * in or turn them away. Fires a cancelable `alcove-admission-request`; the session element acts on
 * it unless the page cancels it.
 *
 * @csspart panel - the container
 * @csspart entry - one waiting person
 */
export class AlcoveWaitingList extends HTMLElement {
  readonly #root: ShadowRoot;
  readonly #title: HTMLHeadingElement;
  readonly #list: HTMLUListElement;
  readonly #empty: HTMLParagraphElement;
  #entries: readonly WaitingEntry[] = [];

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: 'open' });
    adoptStyles(this.#root, BASE_CSS);
    const doc = this.#root.ownerDocument;
    const panel = doc.createElement('section');
    panel.setAttribute('part', 'panel');
    this.#title = doc.createElement('h2');
    this.#list = doc.createElement('ul');
    this.#empty = doc.createElement('p');
    panel.append(this.#title, this.#list, this.#empty);
    this.#root.append(panel);
    this.#render();
  }

  static get observedAttributes(): string[] {
    return ['lang'];
  }
  attributeChangedCallback(): void {
    this.#render();
  }

  /** The people waiting, as the session reports them. */
  get entries(): readonly WaitingEntry[] {
    return this.#entries;
  }
  set entries(value: readonly WaitingEntry[]) {
    this.#entries = [...value];
    this.#render();
  }

  #lang(): string {
    return this.closest('[lang]')?.getAttribute('lang') ?? (this.getRootNode() as ShadowRoot).host?.closest?.('[lang]')?.getAttribute('lang') ?? 'en';
  }

  #render(): void {
    const lang = this.#lang();
    const doc = this.#root.ownerDocument;
    this.#title.textContent = t(lang, 'waitingList.title', { count: this.#entries.length });
    this.#empty.textContent = t(lang, 'waitingList.empty');
    this.#empty.hidden = this.#entries.length > 0;
    this.#list.replaceChildren(
      ...this.#entries.map((e) => {
        const li = doc.createElement('li');
        li.setAttribute('part', 'entry');
        li.dataset.participantId = e.id;
        const name = doc.createElement('span');
        name.textContent = e.displayName;
        const check = doc.createElement('span');
        check.textContent = t(lang, e.checklist?.complete ? 'waitingList.checklist.complete' : 'waitingList.checklist.incomplete');
        const admit = doc.createElement('button');
        admit.type = 'button';
        admit.className = 'admit';
        admit.textContent = t(lang, 'waitingList.admit', { name: e.displayName });
        admit.addEventListener('click', () => this.dispatchEvent(new AlcoveAdmissionRequestEvent(e.id, 'admit')));
        const deny = doc.createElement('button');
        deny.type = 'button';
        deny.className = 'deny';
        deny.textContent = t(lang, 'waitingList.deny', { name: e.displayName });
        deny.addEventListener('click', () => this.dispatchEvent(new AlcoveAdmissionRequestEvent(e.id, 'deny')));
        li.append(name, check, admit, deny);
        return li;
      }),
    );
  }
}
