import { confirmDialog } from '../base/confirm.js';
import { h, reconcile, setAttr, setText } from '../base/dom.js';
import { hasEmergencyDetails } from '../base/emergency.js';
import { type SessionHandlers, SessionPart } from '../base/session-part.js';
import { AlcoveHostActionEvent } from '../events.js';
import type { AlcoveEmergencyPanel } from './alcove-emergency-panel.js';
import type { AlcoveWaitingList } from './alcove-waiting-list.js';

const STYLE = `
:host{display:block}
[part~=base]{display:grid;gap:calc(var(--_space)*2)}
li{display:flex;flex-wrap:wrap;gap:var(--_space);align-items:center}
.name{font-weight:600;flex:1 1 8rem;overflow-wrap:anywhere}
`;

/**
 * Everything the host runs: the waiting list (with each entrant's checklist status and, on the
 * host's device only, their sealed answers), who is in the call with remove and emergency-info
 * buttons, lock / unlock, and the emergency panel of the selected client — opened by itself for
 * the first client admitted with emergency information, so it is at hand during the call. Give it
 * a `session`.
 *
 * @tag alcove-host-panel
 * @summary Waiting list, participants, remove, lock and the emergency panel.
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @fires alcove-admission-request - admit or deny was pressed (cancelable)
 * @fires alcove-host-action - remove, lock or unlock was confirmed (cancelable)
 * @fires alcove-error - an action failed (`code`)
 * @csspart base - the panel
 * @csspart participants - the list of people in the call
 * @csspart lock - the lock toggle
 * @csspart remove - a remove button
 * @csspart waiting-list - the `<alcove-waiting-list>` (its parts exported with a `waiting-` prefix)
 * @csspart emergency - the `<alcove-emergency-panel>` (its parts exported with an `emergency-` prefix: `emergency-title`, `emergency-field`, `emergency-copy`, `emergency-call`)
 */
export class AlcoveHostPanel extends SessionPart {
  static override styles = [STYLE];

  readonly #waiting: AlcoveWaitingList;
  readonly #title: HTMLHeadingElement;
  readonly #list: HTMLUListElement;
  readonly #lock: HTMLButtonElement;
  readonly #lockState: HTMLParagraphElement;
  readonly #emergency: AlcoveEmergencyPanel;
  #locked = false;

  constructor() {
    super();
    const d = this.doc;
    this.#waiting = h(d, 'alcove-waiting-list', {
      part: 'waiting-list',
      exportparts: 'panel:waiting-panel,entry:waiting-entry,admit,deny',
    });
    this.#waiting.onDetails = (id) => this.showEmergency(id);
    this.#title = h(d, 'h2');
    this.#list = h(d, 'ul', { part: 'participants' });
    this.#lock = h(d, 'button', { type: 'button', part: 'lock', onclick: () => void this.#toggleLock() });
    this.#lockState = h(d, 'p', { class: 'muted' });
    this.#emergency = h(d, 'alcove-emergency-panel', {
      part: 'emergency',
      hidden: true,
      exportparts: 'title:emergency-title,field:emergency-field,copy:emergency-copy,call:emergency-call',
    });
    const people = h(d, 'section', { class: 'panel' }, this.#title, this.#list, h(d, 'div', { class: 'row' }, this.#lock), this.#lockState);
    this.root.append(h(d, 'div', { part: 'base' }, this.#waiting, people, this.#emergency));
  }

  /** Shows the emergency panel of `participantId` and moves focus to it. */
  showEmergency(participantId: string): void {
    this.#emergency.setAttribute('participant-id', participantId);
    this.#emergency.hidden = false;
    this.#emergency.focus();
  }

  protected override sessionChanged(): void {
    this.#waiting.session = this.session;
    this.#emergency.session = this.session;
    this.#locked = this.session?.policy?.locked ?? false;
  }

  protected handlers(): SessionHandlers {
    const u = () => this.update();
    return {
      participantJoined: (p) => {
        this.#autoShow(p.id, p.role);
        u();
      },
      participantLeft: (p) => {
        if (this.#emergency.getAttribute('participant-id') === p.id) this.#emergency.hidden = true;
        u();
      },
      participantUpdated: u,
      stateChanged: (c) => {
        if (c.to === 'joined') this.#locked = this.session?.policy?.locked ?? false;
        u();
      },
      lockChanged: (locked) => {
        this.#locked = locked;
        u();
      },
      checklistSubmitted: u,
      checklistSummary: (id) => {
        const p = this.session?.participants.find((x) => x.id === id);
        if (p) this.#autoShow(p.id, p.role);
        u();
      },
    };
  }

  /** Shows an admitted client's emergency information when no panel is open yet (focus stays put). */
  #autoShow(id: string, role: string): void {
    if (role === 'host' || !this.#emergency.hidden || !hasEmergencyDetails(this.session?.emergencyInfo(id))) return;
    this.#emergency.setAttribute('participant-id', id);
    this.#emergency.hidden = false;
  }

  protected update(): void {
    this.propagate(this.#waiting, this.#emergency);
    const s = this.session;
    const people = s?.participants ?? [];
    setText(this.#title, this.t('host.participants', { count: people.length }));
    reconcile(
      this.#list,
      people,
      (p) => p.id,
      (p) => {
        const d = this.doc;
        return h(
          d,
          'li',
          {},
          h(d, 'span', { class: 'name' }),
          h(d, 'button', { type: 'button', class: 'info', onclick: () => this.showEmergency(p.id) }),
          h(d, 'button', { type: 'button', part: 'remove', class: 'remove', onclick: () => void this.#remove(p.id) }),
        );
      },
      (li, p) => {
        setText(li.querySelector('.name')!, p.displayName);
        const info = li.querySelector<HTMLButtonElement>('.info')!;
        setText(info, this.t('host.emergency', { name: p.displayName }));
        info.hidden = p.role === 'host' || !hasEmergencyDetails(s?.emergencyInfo(p.id));
        const remove = li.querySelector<HTMLButtonElement>('.remove')!;
        setText(remove, this.t('host.remove', { name: p.displayName }));
        remove.hidden = p.role === 'host';
      },
    );
    setText(this.#lock, this.t('host.lock'));
    setAttr(this.#lock, 'aria-pressed', String(this.#locked));
    setText(this.#lockState, this.t(this.#locked ? 'host.locked' : 'host.unlocked'));
  }

  async #remove(id: string): Promise<void> {
    const name = this.nameOf(id);
    const yes = await confirmDialog(this.root, {
      title: this.t('confirm.remove', { name }),
      yes: this.t('confirm.yes.remove'),
      no: this.t('cancel'),
      danger: true,
    });
    if (yes && this.emit(new AlcoveHostActionEvent('remove', id))) await this.act((s) => s.remove(id));
  }

  async #toggleLock(): Promise<void> {
    const lock = !this.#locked;
    if (!this.emit(new AlcoveHostActionEvent(lock ? 'lock' : 'unlock'))) return;
    if (await this.act((s) => (lock ? s.lock() : s.unlock()))) {
      this.#locked = lock;
      this.update();
    }
  }
}
