import { adoptStyles, TILE_CSS } from '../styles.js';

/**
 * One participant's picture: a `<video>` and a name label. Audio is played elsewhere (the session
 * element keeps one `<audio>` per remote audio track), so the video is always muted.
 *
 * @csspart video - the video element
 * @csspart name - the name label (also carries "muted" / "camera off" / "reconnecting" as text)
 */
export class AlcoveVideoTile extends HTMLElement {
  readonly #video: HTMLVideoElement;
  readonly #name: HTMLSpanElement;
  #label = '';
  #notes: string[] = [];

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    adoptStyles(root, TILE_CSS);
    this.#video = root.ownerDocument.createElement('video');
    this.#video.setAttribute('part', 'video');
    this.#video.autoplay = true;
    this.#video.muted = true;
    this.#video.playsInline = true;
    this.#name = root.ownerDocument.createElement('span');
    this.#name.setAttribute('part', 'name');
    root.append(this.#video, this.#name);
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
    this.#label = String(value);
    this.#render();
  }

  /** Short status notes shown after the name, e.g. `["muted"]`. */
  get notes(): readonly string[] {
    return this.#notes;
  }
  set notes(value: readonly string[]) {
    this.#notes = [...value];
    this.#render();
  }

  #render(): void {
    this.#name.textContent = this.#notes.length ? `${this.#label} (${this.#notes.join(', ')})` : this.#label;
    this.setAttribute('role', 'group');
    this.setAttribute('aria-label', this.#name.textContent);
  }
}
