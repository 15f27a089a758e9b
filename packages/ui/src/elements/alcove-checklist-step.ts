import type { AnyCheck, CheckReason } from '@alcove/core/checklist';
import { AlcoveElement } from '../base/alcove-element.js';
import { releaseDevice } from '../base/release-device.js';
import { h, setAttr, setText } from '../base/dom.js';
import { type AlcoveDeviceChangeEvent, AlcoveErrorEvent } from '../events.js';
import { errorCode, errorKey, type MessageKey } from '../i18n/messages.js';
import type { AlcoveDeviceMenu } from './alcove-device-menu.js';

const STYLE = `
:host{display:block}
[part~=base]{display:grid;gap:calc(var(--_space)*1.5)}
.body{display:grid;gap:calc(var(--_space)*1.5);justify-items:start}
.body>*{max-width:100%}
.doc{max-height:16rem;overflow:auto;white-space:pre-wrap;padding:var(--_space);border:1px solid var(--_border);border-radius:calc(var(--_radius)*.6);background:var(--_raised)}
.field{display:grid;gap:4px;width:min(100%,28rem)}
fieldset{border:1px solid var(--_border);border-radius:calc(var(--_radius)*.6);padding:var(--_space) calc(var(--_space)*1.5);display:grid;gap:6px;margin:0}
.check{display:flex;gap:var(--_space);align-items:flex-start}
.check input{min-height:auto;width:1.3em;height:1.3em;margin-top:.15em}
.hint{color:var(--_muted);font-size:.92em}
[part~=field-error],.warn{color:var(--_danger);font-weight:600}
.warn.soft{color:var(--_warn)}
video{width:min(100%,360px);aspect-ratio:4/3;object-fit:cover;background:var(--_video);border-radius:var(--_radius);transform:scaleX(-1)}
meter,progress{width:min(100%,360px);height:1.2em}
[part~=status]{font-weight:600}
`;

type Input = HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
type Step<K extends AnyCheck['kind']> = Extract<AnyCheck, { kind: K }>;

const DEVICE_TYPES = ['computer', 'tablet', 'phone'] as const;
const CONNECTION_TYPES = ['wifi', 'ethernet', 'cellular', 'other'] as const;
const PLANS = ['therapist-calls', 'client-rejoins'] as const;
/** Steps answered through a form (Continue records the answers). */
const ANSWER_STEPS = new Set(['consent', 'location', 'emergency-plan', 'environment', 'custom']);

/** A refusal the element raises itself (a box left unticked), shaped like core's `ChecklistError`. */
const refusal = (code: string, field: string): Error & { code: string; field: string } => Object.assign(new Error(code), { code, field });

/**
 * One step of the pre-session checklist of `@alcove/core/checklist`, whatever its kind: agreement
 * (text or link, and an accept box), location (address form, licensure notice), plan if the call
 * drops (phone numbers shown as they will be used, emergency contact, what happens if the video
 * fails, cancellation policy), private space and device, browser, camera (live preview), microphone
 * (level meter), speaker (test tone, "I heard it"), connection test (progress, result) and custom
 * steps. Give it `step` (a step of a `Checklist`, e.g. `checklist.steps[0]`). `submit()` records
 * the answers; a refused answer is explained next to the field at fault, which takes focus. Device
 * checks start on a button press (a user gesture, which audio needs); the camera, microphone and
 * test tone stop when the element shows another step or leaves the page.
 *
 * @tag alcove-checklist-step
 * @summary One step of the pre-session checklist, any kind.
 * @attr {string} kind - the step's kind (reflected, read-only)
 * @attr {string} status - the step's status: `idle`, `running`, `passed`, `warning`, `failed` or `skipped` (reflected, read-only)
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @fires alcove-error - a check could not run or an answer was refused (`code`)
 * @fires alcove-device-change - a camera, microphone or speaker was chosen in a device step
 * @csspart base - the step
 * @csspart title - the heading (focused when the step appears)
 * @csspart status - the step's status and what to do about a warning, as text
 * @csspart field - a labelled input
 * @csspart field-error - the message next to a field at fault
 * @csspart hint - how a phone number will be used (E.164), under its field
 * @csspart action - a button that runs a check (start camera, play sound, test connection)
 * @csspart device-menu - the camera, microphone or speaker picker (`<alcove-device-menu>`) of a device step
 * @csspart device-select - its `<select>`
 * @csspart device-label - its label
 * @csspart preview - the camera preview
 * @csspart meter - the microphone level meter
 * @csspart progress - the connection test progress bar
 * @csspart result - a check's result (browser, connection test)
 */
export class AlcoveChecklistStep extends AlcoveElement {
  static override styles = [STYLE];

  readonly #title: HTMLHeadingElement;
  readonly #body: HTMLDivElement;
  readonly #status: HTMLParagraphElement;
  #step: AnyCheck | undefined;
  #built = '';
  readonly #inputs = new Map<string, Input>();
  #video: HTMLVideoElement | undefined;
  #meter: HTMLMeterElement | undefined;
  #progress: HTMLProgressElement | undefined;
  #menu: AlcoveDeviceMenu | undefined;
  #menuStatus = '';
  /** The test tone has started (the answer buttons show only then: an answer before it is refused). */
  #tonePlayed = false;
  #hint = '';
  #off: (() => void) | undefined;

  constructor() {
    super();
    const d = this.doc;
    this.#title = h(d, 'h2', { part: 'title', tabIndex: -1, id: 'title' });
    this.#body = h(d, 'div', { class: 'body' });
    this.#status = h(d, 'p', { part: 'status', role: 'status' });
    this.root.append(h(d, 'section', { part: 'base', 'aria-labelledby': 'title' }, this.#title, this.#body, this.#status));
  }

  /** The step shown. Showing another one stops the camera, microphone or tone of the previous one. */
  get step(): AnyCheck | undefined {
    return this.#step;
  }
  set step(value: AnyCheck | undefined) {
    if (value === this.#step) return;
    this.#unlisten();
    releaseDevice(this.#step);
    this.#step = value;
    this.#built = '';
    this.#hint = '';
    if (value && this.isConnected) this.#listen(value);
    this.update();
  }

  override connectedCallback(): void {
    if (this.#step && !this.#off) this.#listen(this.#step);
    super.connectedCallback();
  }

  disconnectedCallback(): void {
    this.#unlisten();
    releaseDevice(this.#step);
  }

  override focus(): void {
    this.#title.focus();
  }

  /** Whether the step can be left now (satisfied, or optional). */
  get ready(): boolean {
    const s = this.#step;
    return !!s && (s.satisfied || !s.required);
  }

  /**
   * Records the answers of an answer step (agreement, location, plan, space, custom) and tells
   * whether the step may be left. Returns `false` and points at the field at fault when an answer
   * is refused, or says what is missing (a device check not run, the tone not answered).
   */
  async submit(): Promise<boolean> {
    const s = this.#step;
    if (!s) return false;
    this.#clearErrors();
    this.#hint = '';
    try {
      this.#record(s);
      if (s.kind === 'consent' && !s.acknowledged) await s.acknowledge();
    } catch (e) {
      this.#fieldError(e);
      return false;
    }
    const ok = s.satisfied || !s.required;
    if (!ok && !ANSWER_STEPS.has(s.kind)) {
      // A device or connection check not run (or not answered): say so, and go to its button.
      this.#hint = this.t(s.kind === 'speaker' && s.status === 'running' ? 'speaker.answer' : 'checklist.runFirst');
      this.#body.querySelector<HTMLElement>(s.kind === 'speaker' && s.status === 'running' ? '.heard button' : '[part~=action]')?.focus();
    }
    this.update();
    return ok;
  }

  /** Hands the form's answers to the step (throws the step's `ChecklistError`, with `field`). */
  #record(s: AnyCheck): void {
    const v = (k: string): string => this.#inputs.get(k)?.value.trim() ?? '';
    const c = (k: string): boolean => (this.#inputs.get(k) as HTMLInputElement | undefined)?.checked ?? false;
    switch (s.kind) {
      case 'consent':
        if (!c('accept')) throw refusal('CONSENT_REQUIRED', 'accept');
        break;
      case 'location':
        s.setAddress({
          country: v('country'),
          region: v('region') || undefined,
          locality: v('locality'),
          street: v('street'),
          postalCode: v('postalCode') || undefined,
        });
        break;
      case 'emergency-plan': {
        const plan = this.#body.querySelector<HTMLInputElement>('input[name=plan]:checked')?.value;
        s.setPlan({
          callbackPhone: v('callbackPhone'),
          contactName: v('contactName'),
          contactPhone: v('contactPhone'),
          plan: plan === 'client-rejoins' ? 'client-rejoins' : 'therapist-calls',
          note: v('note') || undefined,
          ...(s.cancellationPolicy !== undefined ? { cancellationPolicyAcknowledged: c('cancellationPolicyAcknowledged') } : {}),
        });
        break;
      }
      case 'environment': {
        const deviceType = DEVICE_TYPES.find((x) => x === v('deviceType'));
        const connectionType = CONNECTION_TYPES.find((x) => x === v('connectionType'));
        if (!deviceType) throw refusal('ANSWER_INVALID', 'deviceType');
        if (!connectionType) throw refusal('ANSWER_INVALID', 'connectionType');
        s.answer({ privateSpace: c('privateSpace'), privateNetwork: c('privateNetwork'), deviceType, connectionType });
        break;
      }
      case 'custom':
        if (!c('ack')) throw refusal('STEP_REQUIRED', 'ack');
        if (s.status !== 'passed') s.acknowledge();
        break;
      default:
        // An optional check left alone is skipped; a required one needs its button.
        if (!s.done && !s.busy && !s.required) s.skip();
    }
  }

  protected update(): void {
    const s = this.#step;
    setAttr(this, 'kind', s?.kind ?? null);
    setAttr(this, 'status', s?.status ?? null);
    if (!s) {
      this.#body.replaceChildren();
      setText(this.#title, '');
      this.#status.hidden = true;
      return;
    }
    const key = `${s.id}|${this.locale}`;
    if (this.#built !== key) {
      this.#built = key;
      this.#build(s);
    }
    setText(this.#title, s.title || this.#stepTitle(s));
    setText(this.#status, this.#hint || this.#statusText(s));
    this.#status.hidden = !this.#hint && s.status === 'idle';
    this.#refresh(s);
  }

  /** "Done, with a warning — what to do", from the step's reason or error code (never its message). */
  #statusText(s: AnyCheck): string {
    const status = s.status === 'idle' ? 'pending' : s.status;
    const text = this.t(`check.${status}` as MessageKey);
    if (s.status !== 'warning' && s.status !== 'failed') return text;
    const why = s.reason
      ? this.t(`reason.${s.reason satisfies CheckReason}`)
      : s.error
        ? this.t(errorKey(s.error.code), { code: s.error.code })
        : '';
    return why ? `${text} — ${why}` : text;
  }

  #stepTitle(s: AnyCheck): string {
    const k = `step.${s.kind}` as MessageKey;
    const text = this.t(k);
    return text === k ? s.id : text;
  }

  #build(s: AnyCheck): void {
    this.#inputs.clear();
    this.#video = this.#meter = this.#progress = this.#menu = undefined;
    this.#menuStatus = '';
    this.#tonePlayed = false;
    this.#body.replaceChildren(...this.#nodes(s));
  }

  #nodes(s: AnyCheck): Node[] {
    const d = this.doc;
    const run = (): void => {
      this.#hint = '';
      s.run().catch((e: unknown) => this.emit(new AlcoveErrorEvent(errorCode(e))));
      this.update();
    };
    const action = (label: MessageKey): HTMLButtonElement =>
      h(d, 'button', { type: 'button', part: 'action', class: 'primary', text: this.t(label), onclick: run });
    switch (s.kind) {
      case 'consent':
        return this.#consent(s);
      case 'location':
        return this.#location(s);
      case 'emergency-plan':
        return this.#emergencyPlan(s);
      case 'environment':
        return this.#environment(s);
      case 'browser':
        if (s.status === 'idle' && !s.busy) queueMicrotask(run);
        return [h(d, 'p', { part: 'result', class: 'result' })];
      case 'camera':
        this.#video = h(d, 'video', {
          part: 'preview',
          autoplay: true,
          muted: true,
          playsInline: true,
          hidden: true,
          'aria-label': this.t('preview.label'),
        });
        return [this.#deviceMenu(s), action('camera.start'), this.#video];
      case 'microphone':
        this.#meter = h(d, 'meter', { part: 'meter', id: 'meter', min: 0, max: 1, value: 0 });
        return [
          this.#deviceMenu(s),
          action('microphone.start'),
          h(d, 'label', { htmlFor: 'meter', text: this.t('microphone.level') }),
          this.#meter,
        ];
      case 'speaker':
        return [
          this.#deviceMenu(s),
          action('speaker.play'),
          h(
            d,
            'div',
            { class: 'row heard', role: 'group', 'aria-label': this.t('speaker.answer'), hidden: true },
            h(d, 'button', { type: 'button', text: this.t('speaker.heard'), onclick: () => this.#heard(true) }),
            h(d, 'button', { type: 'button', text: this.t('speaker.notHeard'), onclick: () => this.#heard(false) }),
          ),
        ];
      case 'network':
        this.#progress = h(d, 'progress', { part: 'progress', max: 1, value: 0, hidden: true, 'aria-label': this.t('network.progress') });
        return [action('network.start'), this.#progress, h(d, 'p', { part: 'result', class: 'result' })];
      default: {
        const nodes: Node[] = [];
        if (s.text) nodes.push(h(d, 'div', { class: 'doc', tabIndex: 0, text: s.text }));
        nodes.push(this.#box('ack', this.t('custom.ack'), s.status === 'passed'));
        return nodes;
      }
    }
  }

  /**
   * The device picker of a camera, microphone or speaker step: a choice goes to the step (a camera
   * or microphone it holds reopens with the new device) and, as `alcove-device-change`, on to the
   * page — `<alcove-session>` hands it to the call.
   */
  #deviceMenu(s: Step<'camera'> | Step<'microphone'> | Step<'speaker'>): AlcoveDeviceMenu {
    const kind = s.kind === 'camera' ? 'videoinput' : s.kind === 'microphone' ? 'audioinput' : 'audiooutput';
    const menu = h(this.doc, 'alcove-device-menu', { part: 'device-menu', exportparts: 'select:device-select,label:device-label' });
    menu.setAttribute('kind', kind);
    menu.setAttribute('value', (s.kind === 'speaker' ? s.speakerId : s.deviceId) ?? '');
    menu.addEventListener('alcove-device-change', (e) => {
      const id = (e as AlcoveDeviceChangeEvent).deviceId;
      if (!id || this.#step !== s) return;
      this.#hint = '';
      try {
        const r = s.selectDevice(id);
        if (r instanceof Promise) r.catch((err: unknown) => this.emit(new AlcoveErrorEvent(errorCode(err))));
      } catch (err) {
        this.emit(new AlcoveErrorEvent(errorCode(err)));
      }
      this.update();
    });
    this.#menu = menu;
    return menu;
  }

  #consent(s: Step<'consent'>): Node[] {
    const d = this.doc;
    const nodes: Node[] = [h(d, 'p', { text: this.t('consent.intro') })];
    const doc = s.document;
    if (doc?.text)
      nodes.push(h(d, 'div', { class: 'doc', tabIndex: 0, role: 'document', 'aria-label': this.#stepTitle(s), text: doc.text }));
    if (doc?.url && /^https:\/\//.test(doc.url))
      nodes.push(
        h(
          d,
          'p',
          {},
          h(d, 'a', {
            href: doc.url,
            target: '_blank',
            rel: 'noopener noreferrer',
            text: this.t('consent.open', { version: doc.version }),
          }),
        ),
      );
    nodes.push(this.#box('accept', this.t('consent.accept'), s.acknowledged));
    return nodes;
  }

  #location(s: Step<'location'>): Node[] {
    const d = this.doc;
    const nodes: Node[] = [
      h(d, 'p', { text: this.t('location.intro') }),
      this.#field('street', 'location.address', 'text', 'street-address'),
      this.#field('locality', 'location.locality', 'text', 'address-level2'),
      this.#field('region', 'location.region', 'text', 'address-level1'),
      this.#field('postalCode', 'location.postalCode', 'text', 'postal-code'),
      this.#field('country', 'location.country', 'text', 'country'),
      h(d, 'p', { class: 'warn licensure', role: 'status' }),
    ];
    const a: Record<string, string | undefined> = { ...(s.address ?? s.prefill) };
    // The region as the person would type it: `TN` rather than `US-TN`.
    if (a.region && a.country && a.region.startsWith(`${a.country}-`)) a.region = a.region.slice(a.country.length + 1);
    for (const [k, input] of this.#inputs) input.value = a[k] ?? '';
    return nodes;
  }

  #emergencyPlan(s: Step<'emergency-plan'>): Node[] {
    const d = this.doc;
    const nodes: Node[] = [
      h(d, 'p', { text: this.t('emergencyPlan.intro') }),
      this.#field('callbackPhone', 'emergencyPlan.callback', 'tel', 'tel', true),
      this.#field('contactName', 'emergencyPlan.contactName', 'text', 'off'),
      this.#field('contactPhone', 'emergencyPlan.contactPhone', 'tel', 'off', true),
    ];
    const answer = s.answer;
    const chosen = answer?.plan ?? 'therapist-calls';
    const radios = PLANS.map((p) =>
      h(
        d,
        'div',
        { class: 'check' },
        h(d, 'input', { type: 'radio', name: 'plan', id: `plan-${p}`, value: p, checked: p === chosen }),
        h(d, 'label', { htmlFor: `plan-${p}`, text: this.t(`emergencyPlan.plan.${p}`) }),
      ),
    );
    this.#inputs.set('plan', radios[0]!.querySelector('input')!);
    nodes.push(h(d, 'fieldset', {}, h(d, 'legend', { text: this.t('emergencyPlan.plan') }), ...radios));
    nodes.push(this.#field('note', 'emergencyPlan.note', 'text', 'off'));
    const policy = s.cancellationPolicy;
    if (policy !== undefined)
      nodes.push(
        h(d, 'div', {
          class: 'doc',
          tabIndex: 0,
          role: 'document',
          'aria-label': this.t('emergencyPlan.cancellationPolicy'),
          text: policy,
        }),
        this.#box('cancellationPolicyAcknowledged', this.t('emergencyPlan.cancellation'), answer?.cancellationPolicyAcknowledged === true),
      );
    const prefill: Record<string, string | undefined> = answer
      ? {
          callbackPhone: answer.callbackPhone.entered,
          contactName: answer.contactName,
          contactPhone: answer.contactPhone.entered,
          note: answer.note,
        }
      : { ...s.prefill };
    for (const k of ['callbackPhone', 'contactName', 'contactPhone', 'note']) {
      const input = this.#inputs.get(k);
      if (input) input.value = prefill[k] ?? '';
    }
    return nodes;
  }

  #environment(s: Step<'environment'>): Node[] {
    const a = s.details ?? {};
    return [
      this.#box('privateSpace', this.t('environment.private'), a.privateSpace === true),
      this.#box('privateNetwork', this.t('environment.network'), a.privateNetwork === true),
      this.#select('deviceType', 'environment.deviceType', DEVICE_TYPES, a.deviceType ?? s.suggestedDeviceType),
      this.#select('connectionType', 'environment.connectionType', CONNECTION_TYPES, a.connectionType ?? s.detectedConnectionType),
    ];
  }

  /** A labelled text input with its error line (and, for phone numbers, the E.164 hint). */
  #field(name: string, label: MessageKey, type: string, autocomplete: string, phone = false): HTMLElement {
    const d = this.doc;
    const described = phone ? `${name}-hint ${name}-error` : `${name}-error`;
    const input = h(d, 'input', { id: name, name, type, autocomplete, 'aria-describedby': described });
    this.#inputs.set(name, input);
    const hint = phone ? h(d, 'p', { id: `${name}-hint`, part: 'hint', class: 'hint' }) : null;
    if (hint) input.addEventListener('input', () => this.#phoneHint(name, input.value, hint));
    return h(
      d,
      'div',
      { class: 'field', part: 'field' },
      h(d, 'label', { htmlFor: name, text: this.t(label) }),
      input,
      hint,
      h(d, 'p', { id: `${name}-error`, part: 'field-error', hidden: true }),
    );
  }

  #box(name: string, label: string, checked: boolean): HTMLElement {
    const d = this.doc;
    const input = h(d, 'input', { id: name, name, type: 'checkbox', checked, 'aria-describedby': `${name}-error` });
    this.#inputs.set(name, input);
    return h(
      d,
      'div',
      {},
      h(d, 'div', { class: 'check' }, input, h(d, 'label', { htmlFor: name, text: label })),
      h(d, 'p', { id: `${name}-error`, part: 'field-error', hidden: true }),
    );
  }

  #select(name: 'deviceType' | 'connectionType', label: MessageKey, values: readonly string[], selected: string | undefined): HTMLElement {
    const d = this.doc;
    const prefix = name === 'deviceType' ? 'environment.device' : 'environment.connection';
    const select = h(
      d,
      'select',
      { id: name, name, 'aria-describedby': `${name}-error` },
      h(d, 'option', { value: '', text: this.t('environment.choose') }),
      ...values.map((v) => h(d, 'option', { value: v, text: this.t(`${prefix}.${v}` as MessageKey) })),
    );
    select.value = selected ?? '';
    this.#inputs.set(name, select);
    return h(
      d,
      'div',
      { class: 'field', part: 'field' },
      h(d, 'label', { htmlFor: name, text: this.t(label) }),
      select,
      h(d, 'p', { id: `${name}-error`, part: 'field-error', hidden: true }),
    );
  }

  /** Shows the number as it will be used (E.164), so it is never changed silently. */
  #phoneHint(field: string, value: string, hint: HTMLElement): void {
    const s = this.#step;
    if (s?.kind !== 'emergency-plan') return;
    let text = '';
    try {
      if (value.trim()) text = this.t('emergencyPlan.e164', { number: s.previewPhone(value, field).e164 });
    } catch {
      // Not a number yet: the reason shows when the answers are recorded.
    }
    setText(hint, text);
  }

  /** What changes while a step runs: licensure notice, results, preview, progress, the tone's answer buttons. */
  #refresh(s: AnyCheck): void {
    const result = this.#body.querySelector<HTMLElement>('.result');
    if (this.#menu && (s.kind === 'camera' || s.kind === 'microphone' || s.kind === 'speaker')) {
      const id = (s.kind === 'speaker' ? s.speakerId : s.deviceId) ?? '';
      if (this.#menu.value !== id) this.#menu.value = id;
      // Device names appear once the browser has let the page open one: list them again then.
      if (this.#menuStatus !== s.status) {
        this.#menuStatus = s.status;
        void this.#menu.refresh?.();
      }
    }
    switch (s.kind) {
      case 'location': {
        const lic = this.#body.querySelector<HTMLElement>('.licensure')!;
        const o = s.licensure?.outcome;
        setText(lic, o === 'block' ? this.t('location.block') : o === 'warn' ? this.t('location.warn') : '');
        lic.classList.toggle('soft', o === 'warn');
        lic.hidden = o !== 'block' && o !== 'warn';
        break;
      }
      case 'emergency-plan': {
        const a = s.answer;
        for (const f of ['callbackPhone', 'contactPhone'] as const) {
          const hint = this.#body.querySelector<HTMLElement>(`#${f}-hint`);
          if (hint && a && !hint.textContent) setText(hint, this.t('emergencyPlan.e164', { number: a[f].e164 }));
        }
        break;
      }
      case 'browser':
        if (result)
          setText(
            result,
            s.status === 'passed' || s.status === 'warning' ? this.t('browser.ok') : s.status === 'failed' ? this.t('browser.bad') : '',
          );
        break;
      case 'camera':
        if (this.#video) {
          const stream = s.stream ?? null;
          if (this.#video.srcObject !== stream) this.#video.srcObject = stream;
          this.#video.hidden = !stream;
        }
        break;
      case 'speaker':
        if (s.status === 'idle') this.#tonePlayed = false;
        this.#body.querySelector<HTMLElement>('.heard')!.hidden =
          s.status === 'idle' || s.status === 'skipped' || (s.status === 'running' && !this.#tonePlayed);
        break;
      case 'network': {
        if (this.#progress) this.#progress.hidden = s.status !== 'running';
        const r = s.result;
        if (result)
          setText(
            result,
            r
              ? [
                  this.t(`network.${r.quality satisfies 'good' | 'fair' | 'poor'}`),
                  this.t('network.measured', {
                    kbps: Math.round(r.kbps),
                    rtt: r.rttMs === undefined ? '–' : Math.round(r.rttMs),
                    loss: r.lossPct,
                  }),
                  r.recommended === 'audio-only' ? this.t('network.audioOnly') : '',
                ]
                  .filter(Boolean)
                  .join(' ')
              : '',
          );
        break;
      }
    }
  }

  #heard(yes: boolean): void {
    const s = this.#step;
    if (s?.kind !== 'speaker') return;
    this.#hint = '';
    try {
      s.heard(yes);
    } catch (e) {
      this.emit(new AlcoveErrorEvent(errorCode(e)));
    }
    this.update();
  }

  #listen(s: AnyCheck): void {
    const u = (): void => this.update();
    const progress = (f: number): void => {
      if (this.#progress) this.#progress.value = f;
    };
    const level = (l: number): void => {
      if (this.#meter) this.#meter.value = l;
    };
    // Every step has statusChanged, detailsChanged and progress; the camera adds preview, the microphone level.
    const e = s as unknown as { on(ev: string, fn: (...a: never[]) => void): void; off(ev: string, fn: (...a: never[]) => void): void };
    const pairs: [string, (...a: never[]) => void][] = [
      ['statusChanged', u],
      ['detailsChanged', u],
      ['progress', progress as (...a: never[]) => void],
      ...(s.kind === 'camera' ? [['preview', u] as [string, () => void]] : []),
      ...(s.kind === 'speaker'
        ? [
            [
              'tone',
              (playing: boolean) => {
                if (playing) this.#tonePlayed = true;
                u();
              },
            ] as [string, (...a: never[]) => void],
          ]
        : []),
      ...(s.kind === 'microphone' ? [['level', level] as [string, (...a: never[]) => void]] : []),
    ];
    for (const [ev, fn] of pairs) e.on(ev, fn);
    this.#off = () => {
      for (const [ev, fn] of pairs) e.off(ev, fn);
    };
  }

  #unlisten(): void {
    this.#off?.();
    this.#off = undefined;
  }

  #clearErrors(): void {
    for (const el of this.#body.querySelectorAll<HTMLElement>('[part~=field-error]')) el.hidden = true;
    for (const input of this.#inputs.values()) input.removeAttribute('aria-invalid');
  }

  #fieldError(e: unknown): void {
    const code = errorCode(e);
    const field = (e as { field?: unknown }).field;
    const name = typeof field === 'string' && this.#inputs.has(field) ? field : [...this.#inputs.keys()][0];
    const input = name ? this.#inputs.get(name) : undefined;
    const msg = name ? this.root.getElementById(`${name}-error`) : null;
    if (msg) {
      msg.textContent = this.t(errorKey(code), { code });
      msg.hidden = false;
    }
    input?.setAttribute('aria-invalid', 'true');
    input?.focus();
    this.emit(new AlcoveErrorEvent(code));
  }
}
