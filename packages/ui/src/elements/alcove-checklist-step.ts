import { AlcoveElement } from '../base/alcove-element.js';
import type { StepLike } from '../base/checklist-types.js';
import { h, setAttr, setText } from '../base/dom.js';
import { AlcoveErrorEvent } from '../events.js';
import { errorCode, errorKey, type MessageKey } from '../i18n/messages.js';

const STYLE = `
:host{display:block}
[part~=base]{display:grid;gap:calc(var(--_space)*1.5)}
.doc{max-height:16rem;overflow:auto;white-space:pre-wrap;padding:var(--_space);border:1px solid var(--_border);border-radius:calc(var(--_radius)*.6);background:var(--_raised)}
.field{display:grid;gap:4px}
.check{display:flex;gap:var(--_space);align-items:flex-start}
.check input{min-height:auto;width:1.3em;height:1.3em;margin-top:.15em}
[part~=field-error],.warn{color:var(--_danger);font-weight:600}
.warn.soft{color:var(--_warn)}
video{width:min(100%,360px);aspect-ratio:4/3;object-fit:cover;background:var(--_video);border-radius:var(--_radius);transform:scaleX(-1)}
meter,progress{width:min(100%,360px);height:1.2em}
[part~=status]{font-weight:600}
`;

type Input = HTMLInputElement | HTMLTextAreaElement;

/**
 * One checklist step, whatever its kind: agreement (text or link, and an accept box), location
 * (address form, licensure notice), plan if the call drops (phone numbers checked as you go,
 * emergency contact, cancellation policy), private space, browser, camera (live preview), microphone
 * (level meter), speaker (test tone, "I heard it"), connection test (progress) and custom steps.
 * Give it `step` (a `Check` of `@alcove/core`'s checklist). `submit()` records the answers;
 * errors point at the field at fault.
 *
 * @tag alcove-checklist-step
 * @summary One step of the pre-session checklist, any kind.
 * @attr {string} kind - the step's kind (reflected, read-only)
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @fires alcove-error - a step failed to start (`code`)
 * @csspart base - the step
 * @csspart title - the heading (focused when the step appears)
 * @csspart status - the step's status, as text
 * @csspart field - a labelled input
 * @csspart field-error - the message next to a field at fault
 * @csspart action - a button that runs a check (start camera, play sound, test connection)
 * @csspart preview - the camera preview
 * @csspart meter - the microphone level meter
 * @csspart progress - the connection test progress bar
 */
export class AlcoveChecklistStep extends AlcoveElement {
  static override styles = [STYLE];

  readonly #title: HTMLHeadingElement;
  readonly #body: HTMLDivElement;
  readonly #status: HTMLParagraphElement;
  #step: StepLike | undefined;
  #built = '';
  readonly #inputs = new Map<string, Input>();
  #video: HTMLVideoElement | undefined;
  #meter: HTMLMeterElement | undefined;
  #progress: HTMLProgressElement | undefined;
  readonly #listeners: [string, (...a: never[]) => void][] = [];

  constructor() {
    super();
    const d = this.doc;
    this.#title = h(d, 'h2', { part: 'title', tabIndex: -1, id: 'title' });
    this.#body = h(d, 'div', { class: 'body' });
    this.#status = h(d, 'p', { part: 'status', role: 'status' });
    this.root.append(h(d, 'section', { part: 'base', 'aria-labelledby': 'title' }, this.#title, this.#body, this.#status));
  }

  /** The step shown. */
  get step(): StepLike | undefined {
    return this.#step;
  }
  set step(value: StepLike | undefined) {
    if (value === this.#step) return;
    this.#unlisten();
    this.#step = value;
    this.#built = '';
    if (value && this.isConnected) this.#listen(value);
    this.update();
  }

  override connectedCallback(): void {
    if (this.#step && this.#listeners.length === 0) this.#listen(this.#step);
    super.connectedCallback();
  }

  disconnectedCallback(): void {
    this.#unlisten();
    this.#step?.stop?.();
  }

  override focus(): void {
    this.#title.focus();
  }

  /** Whether the step can be left now (done, or optional). */
  get ready(): boolean {
    const s = this.#step;
    return !!s && (s.satisfied || !s.required);
  }

  /**
   * Records the answers of an answer step (agreement, location, plan, space, custom). Returns
   * `false` and points at the field at fault when an answer is refused.
   */
  async submit(): Promise<boolean> {
    const s = this.#step;
    if (!s) return false;
    const v = (k: string): string => this.#inputs.get(k)?.value.trim() ?? '';
    const c = (k: string): boolean => (this.#inputs.get(k) as HTMLInputElement | undefined)?.checked ?? false;
    this.#clearErrors();
    try {
      switch (s.kind) {
        case 'consent':
          if (!c('accept')) throw Object.assign(new Error('consent'), { code: 'CONSENT_REQUIRED', field: 'accept' });
          await s.acknowledge?.();
          break;
        case 'location':
          s.setAddress?.({
            country: v('country'),
            region: v('region') || undefined,
            locality: v('locality'),
            street: v('street'),
            postalCode: v('postalCode') || undefined,
          });
          break;
        case 'emergency-plan':
          s.setPlan?.({
            callbackPhone: v('callbackPhone'),
            contactName: v('contactName'),
            contactPhone: v('contactPhone'),
            plan: 'therapist-calls',
            ...(s.cancellationPolicy ? { cancellationPolicyAcknowledged: c('cancellation') } : {}),
          });
          break;
        case 'environment':
          s.answer?.({ privateSpace: c('privateSpace'), privateNetwork: c('privateNetwork') });
          break;
        case 'custom':
          if (!c('ack')) throw Object.assign(new Error('ack'), { code: 'STEP_REQUIRED', field: 'ack' });
          s.acknowledge?.();
          break;
        default:
          if (!s.done && !s.required) s.skip();
      }
      if (!s.done && s.status !== 'running' && ['consent', 'location', 'emergency-plan', 'environment', 'custom'].includes(s.kind))
        await s.run();
      this.update();
      return s.satisfied || !s.required;
    } catch (e) {
      this.#fieldError(e);
      return false;
    }
  }

  protected update(): void {
    const s = this.#step;
    setAttr(this, 'kind', s?.kind ?? null);
    if (!s) {
      this.#body.replaceChildren();
      return;
    }
    const key = `${s.id}|${this.locale}`;
    if (this.#built !== key) {
      this.#built = key;
      this.#build(s);
    }
    setText(this.#title, s.title || this.#stepTitle(s));
    const status = s.status === 'idle' ? 'pending' : s.status === 'running' ? 'running' : s.status;
    const statusText = this.t(`check.${status}` as MessageKey);
    const err = s.status === 'failed' && s.error ? ` — ${this.t(errorKey(s.error.code), { code: s.error.code })}` : '';
    setText(this.#status, `${statusText}${err}`);
    this.#status.hidden = s.status === 'idle';
    this.#refreshLive(s);
  }

  #stepTitle(s: StepLike): string {
    const k = `step.${s.kind}` as MessageKey;
    const text = this.t(k);
    return text === k ? s.id : text;
  }

  #build(s: StepLike): void {
    const d = this.doc;
    this.#inputs.clear();
    this.#video = this.#meter = this.#progress = undefined;
    const nodes: Node[] = [];
    const field = (name: string, label: MessageKey, type = 'text', autocomplete?: string): HTMLElement => {
      const input = h(d, 'input', { id: name, name, type, ...(autocomplete ? { autocomplete } : {}), 'aria-describedby': `${name}-error` });
      this.#inputs.set(name, input);
      return h(
        d,
        'div',
        { class: 'field', part: 'field' },
        h(d, 'label', { htmlFor: name, text: this.t(label) }),
        input,
        h(d, 'p', { id: `${name}-error`, part: 'field-error', hidden: true }),
      );
    };
    const box = (name: string, label: string): HTMLElement => {
      const input = h(d, 'input', { id: name, name, type: 'checkbox', 'aria-describedby': `${name}-error` });
      this.#inputs.set(name, input);
      return h(
        d,
        'div',
        {},
        h(d, 'div', { class: 'check' }, input, h(d, 'label', { htmlFor: name, text: label })),
        h(d, 'p', { id: `${name}-error`, part: 'field-error', hidden: true }),
      );
    };
    const action = (label: MessageKey, fn: () => void): HTMLButtonElement =>
      h(d, 'button', { type: 'button', part: 'action', class: 'primary', text: this.t(label), onclick: fn });
    const run = (): void => {
      s.run().catch((e: unknown) => this.emit(new AlcoveErrorEvent(errorCode(e))));
      this.update();
    };
    switch (s.kind) {
      case 'consent': {
        nodes.push(h(d, 'p', { text: this.t('consent.intro') }));
        const doc = s.document;
        if (doc?.text) nodes.push(h(d, 'div', { class: 'doc', tabIndex: 0, role: 'document', text: doc.text }));
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
        nodes.push(box('accept', this.t('consent.accept')));
        break;
      }
      case 'location': {
        const a = s.address ?? {};
        nodes.push(h(d, 'p', { text: this.t('location.intro') }));
        nodes.push(
          field('street', 'location.address', 'text', 'street-address'),
          field('locality', 'location.locality', 'text', 'address-level2'),
        );
        nodes.push(
          field('region', 'location.region', 'text', 'address-level1'),
          field('postalCode', 'location.postalCode', 'text', 'postal-code'),
          field('country', 'location.country', 'text', 'country'),
        );
        for (const [k, input] of this.#inputs) input.value = a[k] ?? '';
        nodes.push(h(d, 'p', { class: 'warn licensure', role: 'status' }));
        break;
      }
      case 'emergency-plan':
        nodes.push(h(d, 'p', { text: this.t('emergencyPlan.intro') }));
        nodes.push(
          field('callbackPhone', 'emergencyPlan.callback', 'tel', 'tel'),
          field('contactName', 'emergencyPlan.contactName', 'text', 'off'),
          field('contactPhone', 'emergencyPlan.contactPhone', 'tel', 'off'),
        );
        if (s.cancellationPolicy)
          nodes.push(
            h(d, 'div', { class: 'doc', tabIndex: 0, text: s.cancellationPolicy }),
            box('cancellation', this.t('emergencyPlan.cancellation')),
          );
        break;
      case 'environment':
        nodes.push(box('privateSpace', this.t('environment.private')), box('privateNetwork', this.t('environment.network')));
        break;
      case 'browser':
        if (s.status === 'idle') queueMicrotask(run);
        nodes.push(h(d, 'p', { class: 'browser-result' }));
        break;
      case 'camera':
        this.#video = h(d, 'video', {
          part: 'preview',
          autoplay: true,
          muted: true,
          playsInline: true,
          hidden: true,
          'aria-label': this.t('preview.label'),
        });
        nodes.push(action('camera.start', run), this.#video);
        break;
      case 'microphone':
        this.#meter = h(d, 'meter', { part: 'meter', min: 0, max: 1, value: 0, 'aria-label': this.t('microphone.level') });
        nodes.push(action('microphone.start', run), h(d, 'label', { text: this.t('microphone.level') }), this.#meter);
        break;
      case 'speaker':
        nodes.push(
          action('speaker.play', run),
          h(
            d,
            'div',
            { class: 'row heard' },
            h(d, 'button', { type: 'button', text: this.t('speaker.heard'), onclick: () => this.#heard(true) }),
            h(d, 'button', { type: 'button', text: this.t('speaker.notHeard'), onclick: () => this.#heard(false) }),
          ),
        );
        break;
      case 'network':
        this.#progress = h(d, 'progress', { part: 'progress', max: 1, value: 0, hidden: true, 'aria-label': this.t('network.progress') });
        nodes.push(action('network.start', run), this.#progress, h(d, 'p', { class: 'network-result', role: 'status' }));
        break;
      default:
        if (s.text) nodes.push(h(d, 'div', { class: 'doc', tabIndex: 0, text: s.text }));
        nodes.push(box('ack', this.t('custom.ack')));
    }
    this.#body.replaceChildren(...nodes);
  }

  #refreshLive(s: StepLike): void {
    const lic = this.#body.querySelector<HTMLElement>('.licensure');
    if (lic) {
      const o = s.licensure?.outcome;
      setText(lic, o === 'block' ? this.t('location.block') : o === 'warn' ? this.t('location.warn') : '');
      lic.classList.toggle('soft', o === 'warn');
      lic.hidden = o !== 'block' && o !== 'warn';
    }
    const browser = this.#body.querySelector('.browser-result');
    if (browser)
      setText(
        browser,
        s.status === 'passed' || s.status === 'warning' ? this.t('browser.ok') : s.status === 'failed' ? this.t('browser.bad') : '',
      );
    const net = this.#body.querySelector('.network-result');
    if (net) {
      const q = s.result?.quality;
      setText(net, q === 'good' || q === 'fair' || q === 'poor' ? this.t(`network.${q}`) : '');
    }
    if (this.#progress) this.#progress.hidden = s.status !== 'running';
    if (this.#video) {
      const stream = s.stream ?? null;
      if (this.#video.srcObject !== stream) this.#video.srcObject = stream;
      this.#video.hidden = !stream;
    }
  }

  #heard(yes: boolean): void {
    try {
      this.#step?.heard?.(yes);
    } catch (e) {
      this.emit(new AlcoveErrorEvent(errorCode(e)));
    }
    this.update();
  }

  #listen(s: StepLike): void {
    const add = (event: string, fn: (...a: never[]) => void): void => {
      s.on(event, fn);
      this.#listeners.push([event, fn]);
    };
    const u = () => this.update();
    add('statusChanged', u);
    add('detailsChanged', u);
    add('preview', u);
    add('progress', ((f: number) => {
      if (this.#progress) this.#progress.value = f;
    }) as (...a: never[]) => void);
    add('level', ((level: number) => {
      if (this.#meter) this.#meter.value = level;
    }) as (...a: never[]) => void);
  }

  #unlisten(): void {
    for (const [e, f] of this.#listeners.splice(0)) this.#step?.off(e, f);
  }

  #clearErrors(): void {
    for (const el of this.#body.querySelectorAll<HTMLElement>('[part~=field-error]')) el.hidden = true;
    for (const input of this.#inputs.values()) input.removeAttribute('aria-invalid');
  }

  #fieldError(e: unknown): void {
    const code = errorCode(e);
    const field = (e as { field?: string }).field;
    const names = [...this.#inputs.keys()];
    const name = field && this.#inputs.has(field) ? field : field === 'region' || field === 'country' ? field : names[0];
    const input = name ? this.#inputs.get(name) : undefined;
    const msg = name ? this.#body.querySelector<HTMLElement>(`#${name}-error`) : null;
    if (msg) {
      msg.textContent = this.t(errorKey(code), { code });
      msg.hidden = false;
    }
    input?.setAttribute('aria-invalid', 'true');
    input?.focus();
    this.emit(new AlcoveErrorEvent(code));
  }
}
