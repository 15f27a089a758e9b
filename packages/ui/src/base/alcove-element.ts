import { type MessageKey, resolveLang, t } from '../i18n/messages.js';
import { adoptStyles, BASE_CSS } from './styles.js';
import type { AlcoveEvent } from '../events.js';

/**
 * The base of every Alcove element: an open shadow root with adopted (CSP-safe) style sheets, one
 * language resolver, message lookup, a typed `emit`, and `update()` on connect and on every
 * observed attribute change. Subclasses build their DOM once in the constructor and keep it,
 * updating text and keyed lists in place (so focus survives updates).
 */
export abstract class AlcoveElement extends HTMLElement {
  /** Extra style sheets of the subclass (after the shared tokens and base rules). */
  static styles: readonly string[] = [];
  /** Attributes every element reacts to; subclasses add theirs. */
  static readonly baseAttributes: readonly string[] = ['lang', 'theme'];
  static get observedAttributes(): string[] {
    return [...this.baseAttributes];
  }

  /** The shadow root. */
  protected readonly root: ShadowRoot;
  /** The element's document (the one shadow-root children are created in). */
  protected readonly doc: Document;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    this.doc = this.ownerDocument;
    adoptStyles(this.root, [BASE_CSS, ...(this.constructor as typeof AlcoveElement).styles]);
  }

  /**
   * Registers `ctor` as `tag` unless the tag is taken (another copy of the library may have
   * registered it first: that one stays).
   */
  static defineAs(tag: string, registry: CustomElementRegistry = customElements): void {
    if (!registry.get(tag)) registry.define(tag, this as unknown as CustomElementConstructor);
  }

  connectedCallback(): void {
    this.update();
  }

  attributeChangedCallback(_name: string, old: string | null, value: string | null): void {
    if (old !== value) this.update();
  }

  /** The language in effect: own `lang`, nearest ancestor's (across shadow roots), document's, else `en`. */
  get locale(): string {
    return resolveLang(this);
  }

  /** A message in the element's language. */
  protected t(key: MessageKey, params?: Record<string, string | number>): string {
    return t(this.locale, key, params);
  }

  /** Dispatches one of the typed Alcove events; returns `false` when a listener cancelled it. */
  protected emit(event: AlcoveEvent): boolean {
    return this.dispatchEvent(event);
  }

  /** Reflects a boolean attribute. */
  protected toggleAttr(name: string, on: boolean): void {
    if (on !== this.hasAttribute(name)) this.toggleAttribute(name, on);
  }

  /** Passes language and theme to child Alcove elements (they may sit in this shadow root). */
  protected propagate(...children: (Element | null | undefined)[]): void {
    const lang = this.locale;
    const theme = this.getAttribute('theme');
    for (const c of children) {
      if (!c) continue;
      if (c.getAttribute('lang') !== lang) c.setAttribute('lang', lang);
      if (theme === null) c.removeAttribute('theme');
      else if (c.getAttribute('theme') !== theme) c.setAttribute('theme', theme);
    }
  }

  /** Renders the current state into the shadow DOM; called on connect, attribute and property changes. */
  protected abstract update(): void;
}
