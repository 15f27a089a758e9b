import type { AlcoveError } from '@alcove/core';
import type { AnyCheck, Checklist } from '@alcove/core/checklist';
import { AlcoveElement } from '../base/alcove-element.js';
import { h, reconcile, setAttr, setText } from '../base/dom.js';
import { AlcoveChecklistCompleteEvent, AlcoveErrorEvent } from '../events.js';
import type { MessageKey } from '../i18n/messages.js';
import type { AlcoveChecklistStep } from './alcove-checklist-step.js';

const STYLE = `
:host{display:block}
[part~=base]{display:grid;gap:calc(var(--_space)*1.5)}
[part~=steps]{display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:0;list-style:none;font-size:.9em}
[part~=steps] li{padding:2px 8px;border:1px solid var(--_border);border-radius:999px}
[part~=steps] li[aria-current=step]{border-color:var(--_accent);box-shadow:inset 0 0 0 1px var(--_accent);font-weight:600}
[part~=nav]{display:flex;gap:var(--_space);flex-wrap:wrap;justify-content:space-between}
`;

const MARK: Record<string, string> = {
  passed: '\u2713 ',
  warning: '! ',
  failed: '\u2717 ',
  skipped: '\u2013 ',
  running: '\u2026 ',
  idle: '',
};

/**
 * The pre-session checklist, one step at a time: "Step 2 of 6", the list of steps with their
 * status as text, the current step (`<alcove-checklist-step>`), Back / Continue / Skip, and a
 * closing "All set" once every required step is done. Give it `checklist` (a `Checklist` of
 * `@alcove/core/checklist`, e.g. `session.checklist`); setting it runs `checklist.start()` (the
 * browser check). The steps follow the checklist: once a session binds it, the server's policy.
 * Focus moves to each step's heading.
 *
 * @tag alcove-checklist
 * @summary The pre-session checklist, step by step.
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @fires alcove-checklist-complete - every required step is done and the person pressed Finish
 * @fires alcove-error - a step refused an answer, or the answers could not be sent yet (`code`)
 * @csspart base - the checklist
 * @csspart title - the heading
 * @csspart progress - "Step n of total"
 * @csspart steps - the list of steps
 * @csspart step - the current `<alcove-checklist-step>` (its parts exported with a `step-` prefix)
 * @csspart notice - why Finish went back to a step (a polite live region)
 * @csspart nav - Back / Skip / Continue
 * @csspart done - the closing message
 */
export class AlcoveChecklist extends AlcoveElement {
  static override styles = [STYLE];

  readonly #title: HTMLHeadingElement;
  readonly #progress: HTMLParagraphElement;
  readonly #steps: HTMLOListElement;
  readonly #step: AlcoveChecklistStep;
  readonly #back: HTMLButtonElement;
  readonly #skip: HTMLButtonElement;
  readonly #next: HTMLButtonElement;
  readonly #done: HTMLParagraphElement;
  readonly #notice: HTMLParagraphElement;
  #checklist: Checklist | undefined;
  #index = 0;
  #finished = false;
  readonly #onChange = (): void => this.update();
  /** A new policy rebuilt the steps: stay on the same step when it is still there. */
  readonly #onSteps = (): void => {
    const id = this.#step.step?.id;
    const steps = this.#checklist?.steps ?? [];
    const at = steps.findIndex((s) => s.id === id);
    this.#index =
      at >= 0
        ? at
        : Math.max(
            0,
            steps.findIndex((s) => !s.done),
          );
    this.update();
  };
  readonly #onError = (e: AlcoveError): void => void this.emit(new AlcoveErrorEvent(e.code));

  constructor() {
    super();
    const d = this.doc;
    this.#title = h(d, 'h2', { part: 'title' });
    this.#progress = h(d, 'p', { part: 'progress', class: 'muted' });
    this.#steps = h(d, 'ol', { part: 'steps' });
    this.#step = h(d, 'alcove-checklist-step', {
      part: 'step',
      exportparts:
        'title:step-title,status:step-status,field:step-field,field-error:step-field-error,hint:step-hint,action:step-action,preview:step-preview,meter:step-meter,progress:step-progress,result:step-result,device-menu:step-device-menu,device-select:step-device-select,device-label:step-device-label',
    });
    this.#back = h(d, 'button', { type: 'button', text: '', onclick: () => this.#go(-1) });
    this.#skip = h(d, 'button', { type: 'button', onclick: () => void this.#skipStep() });
    this.#next = h(d, 'button', { type: 'button', class: 'primary', onclick: () => void this.#continue() });
    this.#done = h(d, 'p', { part: 'done', tabIndex: -1, hidden: true });
    this.#notice = h(d, 'p', { part: 'notice', role: 'status' });
    this.root.append(
      h(
        d,
        'section',
        { part: 'base', class: 'panel' },
        this.#title,
        this.#progress,
        this.#steps,
        this.#step,
        this.#notice,
        this.#done,
        h(d, 'div', { part: 'nav' }, this.#back, h(d, 'span', { class: 'row' }, this.#skip, this.#next)),
      ),
    );
  }

  /** The checklist run shown. */
  get checklist(): Checklist | undefined {
    return this.#checklist;
  }
  set checklist(value: Checklist | undefined) {
    if (value === this.#checklist) return;
    this.#checklist?.off('stepChanged', this.#onChange);
    this.#checklist?.off('stepsChanged', this.#onSteps);
    this.#checklist?.off('error', this.#onError);
    this.#checklist = value;
    this.#index = 0;
    this.#finished = false;
    if (value && value.state !== 'closed') {
      value.on('stepChanged', this.#onChange);
      value.on('stepsChanged', this.#onSteps);
      value.on('error', this.#onError);
      // Start at the first step that still needs the person (a reload resumes where they were).
      this.#index = Math.max(
        0,
        value.steps.findIndex((s) => !s.done),
      );
      void value.start().catch(() => undefined);
    }
    this.update();
  }

  /** Whether the person finished the checklist. */
  get finished(): boolean {
    return this.#finished;
  }

  override focus(): void {
    if (this.#finished) this.#done.focus();
    else this.#step.focus();
  }

  protected update(): void {
    this.propagate(this.#step);
    const c = this.#checklist;
    const steps: readonly AnyCheck[] = c?.steps ?? [];
    this.#index = Math.min(this.#index, Math.max(0, steps.length - 1));
    const current = steps[this.#index];
    setText(this.#title, this.t('checklist.title'));
    setText(this.#progress, steps.length ? this.t('checklist.progress', { n: this.#index + 1, total: steps.length }) : '');
    this.#steps.setAttribute('aria-label', this.t('checklist.steps'));
    reconcile(
      this.#steps,
      steps,
      (s) => s.id,
      () => h(this.doc, 'li'),
      (li, s) => {
        const k = `step.${s.kind}` as MessageKey;
        const title = s.title || (this.t(k) === k ? s.id : this.t(k));
        const status = s.status === 'idle' ? 'pending' : s.status;
        setText(li, `${MARK[s.status] ?? ''}${title}${s.required ? '' : ` (${this.t('checklist.optional')})`}`);
        setAttr(li, 'aria-label', `${title}: ${this.t(`check.${status}` as MessageKey)}`);
        setAttr(li, 'aria-current', s === current && !this.#finished ? 'step' : null);
      },
    );
    this.#step.step = this.#finished ? undefined : current;
    this.#step.hidden = this.#finished || !current;
    this.#done.hidden = !this.#finished;
    setText(this.#done, this.t('checklist.done'));
    setText(this.#back, this.t('checklist.back'));
    this.#back.hidden = this.#finished || this.#index === 0;
    setText(this.#skip, this.t('checklist.skip'));
    this.#skip.hidden = this.#finished || !current || current.required || current.done;
    const last = this.#index >= steps.length - 1;
    setText(this.#next, this.t(last ? 'checklist.finish' : 'checklist.next'));
    this.#next.hidden = this.#finished;
  }

  #go(delta: number): void {
    setText(this.#notice, '');
    const n = (this.#checklist?.steps.length ?? 0) - 1;
    this.#index = Math.max(0, Math.min(n, this.#index + delta));
    this.update();
    this.#step.focus();
  }

  async #skipStep(): Promise<void> {
    try {
      this.#checklist?.steps[this.#index]?.skip();
    } catch {
      return;
    }
    await this.#advance();
  }

  async #continue(): Promise<void> {
    if (!(await this.#step.submit())) return;
    await this.#advance();
  }

  async #advance(): Promise<void> {
    const c = this.#checklist;
    if (!c) return;
    const last = this.#index >= c.steps.length - 1;
    if (!last) return this.#go(1);
    const missing = c.steps.findIndex((s) => s.required && !s.satisfied);
    if (missing >= 0) {
      this.#index = missing;
      this.update();
      setText(this.#notice, this.t('checklist.missing'));
      this.#step.focus();
      return;
    }
    setText(this.#notice, '');
    await c.flush().catch(() => undefined);
    this.#finished = true;
    this.update();
    this.#done.focus();
    this.emit(new AlcoveChecklistCompleteEvent());
  }
}
