import { AlcoveElement } from '../base/alcove-element.js';
import { h, initials, setAttr, setText } from '../base/dom.js';

const STYLE = `
:host{display:block;position:relative;border-radius:var(--_radius);overflow:hidden;background:var(--_video);color:var(--_on-video);
aspect-ratio:16/10;min-height:0}
[part~=base]{position:absolute;inset:0;color:var(--_on-video)}
video{position:absolute;inset:0;width:100%;height:100%;object-fit:cover;display:block;background:var(--_video)}
:host([screen]) video{object-fit:contain}
:host([self]:not([screen])) video{transform:scaleX(-1)}
[part~=placeholder]{position:absolute;inset:0;display:grid;place-items:center;background:var(--_video)}
[part~=initials]{display:grid;place-items:center;width:min(40%,7rem);aspect-ratio:1;border-radius:50%;background:var(--_accent);
color:var(--_on-accent);font-size:clamp(1rem,6cqi,2.6rem);font-weight:600}
:host{container-type:inline-size}
[part~=label]{position:absolute;left:6px;right:6px;bottom:6px;display:flex;flex-wrap:wrap;gap:4px;align-items:center;pointer-events:none}
[part~=name],.note,[part~=badge],[part~=quality]{background:rgb(0 0 0/.72);color:#fff;padding:1px 8px;border-radius:6px;font-size:.85em;
max-width:100%;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
[part~=badges]{position:absolute;top:6px;left:6px;right:6px;display:flex;gap:4px;flex-wrap:wrap;pointer-events:none}
[part~=quality][data-level=fair]{box-shadow:inset 0 -3px 0 #f2c66d}
[part~=quality][data-level=poor]{box-shadow:inset 0 -3px 0 #ff8a7a}
:host([speaking]){box-shadow:0 0 0 3px var(--_accent)}
:host([speaking]) [part~=name]::before{content:"";display:inline-block;width:.6em;height:.6em;margin-right:6px;border-radius:50%;background:#8fd6a0}
@media (prefers-reduced-motion:no-preference){:host{transition:box-shadow .15s}}
`;

/**
 * One participant's picture: a `<video>`, or a placeholder with initials whenever the camera is off,
 * the picture stops or the person is reconnecting (never a frozen frame); name, status notes
 * ("Muted", "Camera off", "Reconnecting…", "Speaking") as text, a network-quality label and
 * encrypted / verified badges. Audio plays elsewhere, so the video is always muted.
 *
 * @tag alcove-video-tile
 * @summary One participant's picture or placeholder, with name, status, quality and badges.
 * @attr {boolean} camera-off - show the placeholder instead of the video
 * @attr {boolean} muted - the microphone is off (shown as text)
 * @attr {boolean} reconnecting - the person is reconnecting (placeholder and text)
 * @attr {boolean} speaking - the person is speaking (outline and text)
 * @attr {boolean} self - this is the local picture (mirrored)
 * @attr {boolean} screen - a shared screen (not cropped)
 * @attr {boolean} encrypted - shows the "End-to-end encrypted" badge
 * @attr {boolean} verified - shows the "Verified" badge
 * @attr {'good'|'fair'|'poor'} quality - network quality label
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @csspart base - the tile's content box
 * @csspart video - the video element
 * @csspart placeholder - shown instead of the video
 * @csspart initials - the initials inside the placeholder
 * @csspart label - the bottom line (name and notes)
 * @csspart name - the name
 * @csspart badges - the top line of badges
 * @csspart badge - one badge (encrypted, verified)
 * @csspart quality - the network quality label
 */
export class AlcoveVideoTile extends AlcoveElement {
  static override styles = [STYLE];
  static override get observedAttributes(): string[] {
    return [
      ...super.observedAttributes,
      'camera-off',
      'muted',
      'reconnecting',
      'speaking',
      'self',
      'screen',
      'encrypted',
      'verified',
      'quality',
    ];
  }

  readonly #video: HTMLVideoElement;
  readonly #placeholder: HTMLDivElement;
  readonly #initials: HTMLSpanElement;
  readonly #name: HTMLSpanElement;
  readonly #notes: HTMLSpanElement;
  readonly #badges: HTMLDivElement;
  readonly #quality: HTMLSpanElement;
  #label = '';
  #extra: string[] = [];

  constructor() {
    super();
    const d = this.doc;
    this.#video = h(d, 'video', { part: 'video', autoplay: true, muted: true, playsInline: true, 'aria-hidden': 'true' });
    this.#initials = h(d, 'span', { part: 'initials', 'aria-hidden': 'true' });
    this.#placeholder = h(d, 'div', { part: 'placeholder' }, this.#initials);
    this.#name = h(d, 'span', { part: 'name' });
    this.#notes = h(d, 'span', { class: 'notes' });
    this.#quality = h(d, 'span', { part: 'quality' });
    this.#badges = h(d, 'div', { part: 'badges' });
    this.root.append(
      h(
        d,
        'div',
        { part: 'base' },
        this.#video,
        this.#placeholder,
        this.#badges,
        h(d, 'div', { part: 'label' }, this.#name, this.#notes, this.#quality),
      ),
    );
  }

  /** The `<video>` element tracks are attached to. */
  get video(): HTMLVideoElement {
    return this.#video;
  }

  /** Name shown on the tile (as text, never HTML). */
  get label(): string {
    return this.#label;
  }
  set label(value: string) {
    this.#label = String(value ?? '');
    this.update();
  }

  /** Extra status notes shown after the name, e.g. `["Screen"]`. */
  get notes(): readonly string[] {
    return this.#extra;
  }
  set notes(value: readonly string[]) {
    this.#extra = [...value];
    this.update();
  }

  /** Whether the placeholder shows instead of the video. */
  get showingPlaceholder(): boolean {
    return this.hasAttribute('camera-off') || this.hasAttribute('reconnecting');
  }

  protected update(): void {
    const placeholder = this.showingPlaceholder;
    this.#placeholder.hidden = !placeholder;
    this.#video.hidden = placeholder;
    setText(this.#initials, initials(this.#label));
    setText(this.#name, this.#label);
    const notes = [...this.#extra];
    if (this.hasAttribute('muted')) notes.push(this.t('muted'));
    if (this.hasAttribute('reconnecting')) notes.push(this.t('participant.reconnecting'));
    else if (this.hasAttribute('camera-off') && !this.hasAttribute('screen')) notes.push(this.t('camera.off'));
    if (this.hasAttribute('speaking')) notes.push(this.t('speaking'));
    const noteNodes = notes.map((n) => h(this.doc, 'span', { class: 'note', text: n }));
    this.#notes.replaceChildren(...noteNodes);
    const q = this.getAttribute('quality');
    const qText = q === 'good' || q === 'fair' || q === 'poor' ? this.t(`quality.${q}`) : '';
    setText(this.#quality, qText);
    this.#quality.hidden = !qText;
    setAttr(this.#quality, 'data-level', q);
    const badges: string[] = [];
    if (this.hasAttribute('encrypted')) badges.push(this.t('encrypted'));
    if (this.hasAttribute('verified')) badges.push(this.t('verified'));
    if (this.#badges.textContent !== badges.join(''))
      this.#badges.replaceChildren(...badges.map((b) => h(this.doc, 'span', { part: 'badge', text: b })));
    setAttr(this, 'role', 'group');
    setAttr(this, 'aria-label', [this.#label, ...notes, qText, ...badges].filter(Boolean).join(', '));
  }
}
