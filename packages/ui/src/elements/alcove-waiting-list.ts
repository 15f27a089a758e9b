import type { WaitingEntry } from '@alcove/protocol';
import { h, reconcile, setAttr, setText } from '../base/dom.js';
import { hasEmergencyDetails } from '../base/emergency.js';
import { type SessionHandlers, SessionPart } from '../base/session-part.js';
import { AlcoveAdmissionRequestEvent } from '../events.js';
import { errorCode, type MessageKey } from '../i18n/messages.js';

const STYLE = `
:host{display:block}
[part~=entry]{display:grid;gap:6px;padding:var(--_space);border:1px solid var(--_border);border-radius:calc(var(--_radius)*.6);background:var(--_raised)}
.name{font-weight:600;overflow-wrap:anywhere}
.steps{display:flex;flex-wrap:wrap;gap:4px;font-size:.85em}
.step{padding:0 6px;border-radius:4px;border:1px solid var(--_border)}
.step[data-status=failed]{border-color:var(--_danger)}
.step[data-status=warning]{border-color:var(--_warn)}
.licensure[data-outcome=block],.note,.refusal{color:var(--_danger);font-weight:600}
.licensure[data-outcome=warn]{color:var(--_warn);font-weight:600}
`;

const STEP_STATUS: Record<string, string> = { passed: '\u2713', warning: '!', failed: '\u2717', skipped: '\u2013', pending: '\u2026' };

/**
 * The host's waiting list: who waits (names as text), their checklist status per step, the
 * licensure outcome, whether they can be let in yet, and buttons to let them in, turn them away or
 * open their emergency information (once their sealed answers arrived). Fires a cancelable
 * `alcove-admission-request`, then acts on the session unless a listener cancelled it; when the
 * server refuses (`CHECKLIST_INCOMPLETE`, `LICENSURE_BLOCKED`) the entry says why in plain words.
 * Give it a `session` (or set `entries`).
 *
 * @tag alcove-waiting-list
 * @summary Who waits, their checklist status, admit and deny.
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @fires alcove-admission-request - admit or deny was pressed (cancelable)
 * @fires alcove-error - admitting or denying failed (`code`, e.g. `LICENSURE_BLOCKED`)
 * @csspart base - the container (also named `panel`)
 * @csspart panel - the container (same as `base`)
 * @csspart title - the heading
 * @csspart entry - one waiting person
 * @csspart admit - the admit button
 * @csspart deny - the deny button
 */
export class AlcoveWaitingList extends SessionPart {
  static override styles = [STYLE];

  readonly #title: HTMLHeadingElement;
  readonly #list: HTMLUListElement;
  readonly #empty: HTMLParagraphElement;
  #entries: readonly WaitingEntry[] | undefined;
  /** The server's last refusal to admit, by participant. */
  readonly #refused = new Map<string, string>();
  /** Shows a waiting person's emergency details (the host panel opens its emergency panel). */
  onDetails: ((participantId: string) => void) | undefined;

  constructor() {
    super();
    const d = this.doc;
    this.#title = h(d, 'h2', { part: 'title' });
    this.#list = h(d, 'ul');
    this.#empty = h(d, 'p', { class: 'muted' });
    this.root.append(h(d, 'section', { part: 'panel base', class: 'panel' }, this.#title, this.#list, this.#empty));
  }

  /** The people waiting; default the session's `waiting`. */
  get entries(): readonly WaitingEntry[] {
    return this.#entries ?? this.session?.waiting ?? [];
  }
  set entries(value: readonly WaitingEntry[]) {
    this.#entries = [...value];
    this.update();
  }

  protected handlers(): SessionHandlers {
    const u = () => this.update();
    return {
      waitingRoomChanged: u,
      // A new submission may change what the server says: the old refusal no longer holds.
      checklistSubmitted: (id) => {
        this.#refused.delete(id);
        u();
      },
      checklistSummary: u,
      stateChanged: u,
    };
  }

  protected update(): void {
    const entries = this.entries;
    setText(this.#title, this.t('waitingList.title', { count: entries.length }));
    setText(this.#empty, this.t('waitingList.empty'));
    this.#empty.hidden = entries.length > 0;
    reconcile(
      this.#list,
      entries,
      (e) => e.id,
      (e) => {
        const d = this.doc;
        const li = h(d, 'li', { part: 'entry' });
        li.dataset.participantId = e.id;
        const admit = h(d, 'button', {
          type: 'button',
          part: 'admit',
          class: 'admit primary',
          onclick: () => void this.#decide(e.id, 'admit'),
        });
        const deny = h(d, 'button', { type: 'button', part: 'deny', class: 'deny', onclick: () => void this.#decide(e.id, 'deny') });
        const details = h(d, 'button', { type: 'button', class: 'details', onclick: () => this.onDetails?.(e.id) });
        li.append(
          h(d, 'span', { class: 'name' }),
          h(d, 'span', { class: 'check' }),
          h(d, 'div', { class: 'steps' }),
          h(d, 'span', { class: 'licensure' }),
          h(d, 'span', { class: 'note', id: `note-${e.id}` }),
          h(d, 'p', { class: 'refusal', role: 'alert' }),
          h(d, 'div', { class: 'row' }, admit, deny, details),
        );
        return li;
      },
      (li, e) => this.#updateEntry(li, e),
    );
  }

  #updateEntry(li: HTMLElement, e: WaitingEntry): void {
    setText(li.querySelector('.name')!, e.displayName);
    const check = li.querySelector<HTMLElement>('.check')!;
    setText(check, e.checklist ? this.t(e.checklist.complete ? 'waitingList.checklist.complete' : 'waitingList.checklist.incomplete') : '');
    check.hidden = !e.checklist;
    const steps = li.querySelector<HTMLElement>('.steps')!;
    const stepList = Object.entries(e.checklist?.steps ?? {});
    const sig = JSON.stringify([this.locale, stepList]);
    if (steps.dataset.sig !== sig) {
      steps.dataset.sig = sig;
      steps.replaceChildren(
        ...stepList.map(([id, status]) => {
          const title = this.#stepTitle(id);
          return h(this.doc, 'span', {
            class: 'step',
            'data-status': status,
            text: `${STEP_STATUS[status] ?? ''} ${title}: ${this.t(`check.${status}` as MessageKey)}`,
          });
        }),
      );
    }
    const lic = li.querySelector<HTMLElement>('.licensure')!;
    setText(lic, e.licensure ? this.t(`licensure.${e.licensure}`) : '');
    setAttr(lic, 'data-outcome', e.licensure);
    lic.hidden = !e.licensure;
    // Not admissible yet: said next to the button, which stays usable (the server decides; its
    // refusal is shown below).
    const blocked = e.admissible === false;
    const note = li.querySelector<HTMLElement>('.note')!;
    setText(note, blocked ? this.t(e.licensure === 'block' ? 'waitingList.blocked' : 'waitingList.notAdmissible') : '');
    note.hidden = !blocked;
    const refusal = li.querySelector<HTMLElement>('.refusal')!;
    const refused = this.#refused.get(e.id);
    setText(refusal, refused ? this.t(refusalKey(refused), { name: e.displayName }) : '');
    refusal.hidden = !refused;
    const admit = li.querySelector<HTMLButtonElement>('.admit')!;
    setText(admit, this.t('waitingList.admit', { name: e.displayName }));
    setAttr(admit, 'aria-describedby', blocked ? `note-${e.id}` : null);
    setText(li.querySelector('.deny')!, this.t('waitingList.deny', { name: e.displayName }));
    const details = li.querySelector<HTMLButtonElement>('.details')!;
    setText(details, this.t('waitingList.details', { name: e.displayName }));
    details.hidden = !this.onDetails || !hasEmergencyDetails(this.session?.emergencyInfo(e.id));
  }

  #stepTitle(id: string): string {
    const key = `step.${id}` as MessageKey;
    return id.startsWith('custom-') ? this.t('step.custom') : this.t(key) === key ? id : this.t(key);
  }

  async #decide(id: string, decision: 'admit' | 'deny'): Promise<void> {
    if (!this.emit(new AlcoveAdmissionRequestEvent(id, decision))) return;
    const s = this.session;
    if (!s) return;
    this.#refused.delete(id);
    try {
      await (decision === 'admit' ? s.admit(id) : s.deny(id));
    } catch (e) {
      if (decision === 'admit') this.#refused.set(id, errorCode(e));
      this.update();
      this.report(e);
    }
  }
}

/** The plain-words refusal for an admit the server turned down. */
function refusalKey(code: string): MessageKey {
  return code === 'LICENSURE_BLOCKED'
    ? 'waitingList.refused.licensure'
    : code === 'CHECKLIST_INCOMPLETE'
      ? 'waitingList.refused.checklist'
      : 'waitingList.refused';
}
