import { h, reconcile, setAttr, setText } from '../base/dom.js';
import { type SessionHandlers, SessionPart } from '../base/session-part.js';
import { AlcoveDeviceChangeEvent } from '../events.js';

const STYLE = `
:host{display:block}
[part~=base]{display:grid;gap:4px}
select{width:100%}
`;

let uid = 0;

/**
 * A labelled picker for one kind of device — camera, microphone or speaker — that switches live
 * during a call (no renegotiation) and refreshes when devices are plugged in or out. Without a
 * session (or before joining) it only reports the choice, e.g. for a preview.
 *
 * @tag alcove-device-menu
 * @summary Camera, microphone or speaker picker with live switching.
 * @attr {'videoinput'|'audioinput'|'audiooutput'} kind - which devices (default `videoinput`)
 * @attr {string} value - the chosen device id (reflected)
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @fires alcove-device-change - a device was chosen (and, in a call, switched to)
 * @fires alcove-error - switching failed (`code`)
 * @csspart base - label and select
 * @csspart label - the label
 * @csspart select - the `<select>`
 */
export class AlcoveDeviceMenu extends SessionPart {
  static override styles = [STYLE];
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'kind', 'value'];
  }

  readonly #label: HTMLLabelElement;
  readonly #select: HTMLSelectElement;
  #devices: MediaDeviceInfo[] = [];
  #listening = false;
  readonly #refresh = () => void this.refresh();

  constructor() {
    super();
    const id = `alcove-device-${++uid}`;
    this.#label = h(this.doc, 'label', { part: 'label', htmlFor: id });
    this.#select = h(this.doc, 'select', { part: 'select', id, onchange: () => void this.#choose(this.#select.value) });
    this.root.append(h(this.doc, 'div', { part: 'base' }, this.#label, this.#select));
  }

  /** `videoinput`, `audioinput` or `audiooutput`. */
  get kind(): MediaDeviceKind {
    const k = this.getAttribute('kind');
    return k === 'audioinput' || k === 'audiooutput' ? k : 'videoinput';
  }
  set kind(value: MediaDeviceKind) {
    this.setAttribute('kind', value);
  }

  /** The chosen device id (`''`: the system default). */
  get value(): string {
    return this.getAttribute('value') ?? '';
  }
  set value(v: string) {
    this.setAttribute('value', v);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const md = globalThis.navigator?.mediaDevices;
    if (md && !this.#listening) {
      md.addEventListener?.('devicechange', this.#refresh);
      this.#listening = true;
    }
    void this.refresh();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    globalThis.navigator?.mediaDevices?.removeEventListener?.('devicechange', this.#refresh);
    this.#listening = false;
  }

  protected handlers(): SessionHandlers {
    return { localTrackChanged: () => this.#syncFromSession(), stateChanged: () => void this.refresh() };
  }

  /** Reads the device list again (labels appear once the browser has granted access). */
  async refresh(): Promise<void> {
    try {
      const all = this.session
        ? await this.session.listDevices()
        : ((await globalThis.navigator?.mediaDevices?.enumerateDevices?.()) ?? []);
      this.#devices = all.filter((d) => d.kind === this.kind && d.deviceId !== '');
    } catch {
      this.#devices = [];
    }
    this.#syncFromSession();
    this.update();
  }

  #syncFromSession(): void {
    const kind = this.kind === 'videoinput' ? 'video' : this.kind === 'audioinput' ? 'audio' : undefined;
    const t = kind && this.session?.localTracks.find((x) => x.kind === kind && x.source !== 'screen');
    if (t?.deviceId && t.deviceId !== this.value) this.value = t.deviceId;
    else this.update();
  }

  protected update(): void {
    const kind = this.kind;
    setText(this.#label, this.t(`device.${kind}`));
    const unsupported =
      kind === 'audiooutput' && typeof globalThis.HTMLMediaElement !== 'undefined' && !('setSinkId' in HTMLMediaElement.prototype);
    this.toggleAttr('hidden', unsupported);
    const options = [
      { deviceId: '', label: this.t('device.default') },
      ...this.#devices.map((d, i) => ({
        deviceId: d.deviceId,
        label: d.label || this.t('device.unnamed', { kind: this.t(`device.${kind}`), n: i + 1 }),
      })),
    ];
    reconcile(
      this.#select,
      options,
      // Chromium also lists a device whose id is "default": keys must not collide with the system default's.
      (o) => (o.deviceId ? `d:${o.deviceId}` : 'system'),
      () => h(this.doc, 'option'),
      (opt, o) => {
        opt.value = o.deviceId;
        setText(opt, o.label);
      },
    );
    if (this.#select.value !== this.value && options.some((o) => o.deviceId === this.value)) this.#select.value = this.value;
    setAttr(this.#select, 'aria-describedby', null);
  }

  async #choose(deviceId: string): Promise<void> {
    this.value = deviceId;
    const s = this.session;
    const inCall = s && (s.state === 'joined' || s.state === 'reconnecting');
    if (inCall) {
      const ok = await this.act((x) =>
        this.kind === 'audiooutput'
          ? x.setAudioOutput(deviceId)
          : deviceId
            ? x.switchDevice(this.kind === 'videoinput' ? 'video' : 'audio', deviceId)
            : undefined,
      );
      if (!ok) return;
    }
    this.emit(new AlcoveDeviceChangeEvent(this.kind, deviceId));
  }
}
