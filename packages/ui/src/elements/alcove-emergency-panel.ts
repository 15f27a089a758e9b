import { h, setText } from '../base/dom.js';
import { type EmergencyDetails, formatLocation, telHref } from '../base/emergency.js';
import { type SessionHandlers, SessionPart } from '../base/session-part.js';
import type { MessageKey } from '../i18n/messages.js';

const STYLE = `
:host{display:block}
dl{margin:0;display:grid;gap:var(--_space)}
dt{font-weight:600;color:var(--_muted);font-size:.9em}
dd{margin:0;display:flex;flex-wrap:wrap;gap:var(--_space);align-items:center;overflow-wrap:anywhere}
.value{font-size:1.05em}
`;

type Field = 'location' | 'contact' | 'callback' | 'plan';

/**
 * The host's emergency panel for one client: location for this session, emergency contact,
 * callback number and the agreed plan, each with one-click copy, and `tel:` links for the numbers.
 * The data is the client's sealed checklist answers, opened on the host's device only. Give it a
 * `session` and `participant-id`, or set `info` directly.
 *
 * @tag alcove-emergency-panel
 * @summary Client's location, emergency contact and callback number, with copy and call links.
 * @attr {string} participant-id - whose information to show
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @csspart base - the panel
 * @csspart title - the heading
 * @csspart field - one label/value pair
 * @csspart copy - a copy button
 * @csspart call - a `tel:` link
 */
export class AlcoveEmergencyPanel extends SessionPart {
  static override styles = [STYLE];
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'participant-id'];
  }

  readonly #title: HTMLHeadingElement;
  readonly #who: HTMLParagraphElement;
  readonly #list: HTMLDListElement;
  readonly #none: HTMLParagraphElement;
  readonly #status: HTMLParagraphElement;
  #info: EmergencyDetails | undefined;

  constructor() {
    super();
    const d = this.doc;
    this.#title = h(d, 'h2', { part: 'title', tabIndex: -1 });
    this.#who = h(d, 'p', { class: 'muted' });
    this.#list = h(d, 'dl');
    this.#none = h(d, 'p', { class: 'muted' });
    this.#status = h(d, 'p', { class: 'sr-only', role: 'status' });
    this.root.append(h(d, 'section', { part: 'base', class: 'panel' }, this.#title, this.#who, this.#list, this.#none, this.#status));
  }

  /**
   * The information shown; default: `session.emergencyInfo(participant-id)` (a page showing the
   * panel on its own may set it, in the same shape).
   */
  get info(): EmergencyDetails | undefined {
    return this.#info ?? this.session?.emergencyInfo(this.getAttribute('participant-id') ?? '');
  }
  set info(value: EmergencyDetails | undefined) {
    this.#info = value;
    this.update();
  }

  override focus(): void {
    this.#title.focus();
  }

  protected handlers(): SessionHandlers {
    const u = () => this.update();
    return { participantUpdated: u, participantLeft: u, waitingRoomChanged: u, checklistSubmitted: u, checklistSummary: u };
  }

  protected update(): void {
    const info = this.info;
    const id = this.getAttribute('participant-id') ?? '';
    const name = this.nameOf(id) || this.session?.waiting.find((w) => w.id === id)?.displayName || '';
    setText(this.#title, this.t('emergency.title'));
    setText(this.#who, name ? this.t('emergency.for', { name }) : '');
    this.#who.hidden = !name;
    const contact = info?.emergencyContact;
    const plan = info?.plan
      ? this.t(info.plan === 'client-rejoins' ? 'emergency.plan.client-rejoins' : 'emergency.plan.therapist-calls')
      : '';
    // [field, label, value shown and copied, number for a tel: link]
    const rows: [Field, MessageKey, string | undefined, string | undefined][] = [
      ['location', 'emergency.location', formatLocation(info?.location) || undefined, undefined],
      ['contact', 'emergency.contact', contact ? `${contact.name} · ${contact.phone.e164}` : undefined, contact?.phone.e164],
      ['callback', 'emergency.callback', info?.callbackPhone?.e164, info?.callbackPhone?.e164],
      ['plan', 'emergency.plan', [plan, info?.note].filter(Boolean).join(' — ') || undefined, undefined],
    ];
    const d = this.doc;
    const nodes: Node[] = [];
    for (const [field, label, value, tel] of rows) {
      if (!value) continue;
      const copy = h(d, 'button', {
        type: 'button',
        part: 'copy',
        text: this.t('emergency.copy', { what: this.t(label).toLowerCase() }),
        onclick: () => void this.#copy(value),
      });
      const dd = h(d, 'dd', {}, h(d, 'span', { class: 'value', text: value }), copy);
      if (tel) dd.append(h(d, 'a', { part: 'call', class: 'btn', href: telHref(tel), text: this.t('emergency.call', { number: tel }) }));
      nodes.push(h(d, 'div', { part: 'field', 'data-field': field }, h(d, 'dt', { text: this.t(label) }), dd));
    }
    // Rebuild only when the content changed (keeps focus on a copy button across updates).
    const sig = JSON.stringify([this.locale, rows.map((r) => r[2])]);
    if (this.#list.dataset.sig !== sig) {
      this.#list.dataset.sig = sig;
      this.#list.replaceChildren(...nodes);
    }
    setText(this.#none, this.t('emergency.none'));
    this.#none.hidden = nodes.length > 0;
  }

  async #copy(value: string): Promise<void> {
    try {
      await globalThis.navigator?.clipboard?.writeText(value);
      this.#status.textContent = this.t('emergency.copied');
    } catch {
      // Clipboard refused (no permission): the value stays on screen to copy by hand.
    }
  }
}
