import { attach as attachTrack, type QualityLevel, type RemoteParticipant, type RemoteTrack } from '@alcove/core';
import { h, reconcile, setAttr } from '../base/dom.js';
import { type SessionHandlers, SessionPart } from '../base/session-part.js';
import { SpeakingMeter } from '../base/speaking.js';
import type { AlcoveVideoTile } from './alcove-video-tile.js';

const STYLE = `
:host{display:block;position:relative;container-type:inline-size}
.frame{position:relative}
[part~=base]{position:relative;display:grid;gap:var(--_space);grid-template-columns:repeat(auto-fit,minmax(min(100%,260px),1fr));align-items:start}
:host([layout=solo]) [part~=base]{grid-template-columns:1fr}
:host([layout=screen]) [part~=base]{grid-template-columns:repeat(auto-fill,minmax(min(100%,160px),1fr))}
:host([layout=screen]) alcove-video-tile[screen]{grid-column:1/-1;aspect-ratio:16/9}
:host([layout=solo]) alcove-video-tile{max-height:75vh;aspect-ratio:16/10}
:host([layout=one-to-one]) .frame{width:min(100%,calc(75vh * 1.6));margin-inline:auto}
:host([layout=one-to-one]) [part~=base]{display:block}
:host([layout=one-to-one]) alcove-video-tile:not([self]){width:100%;aspect-ratio:16/10}
alcove-video-tile[pip]{position:absolute;z-index:1;width:clamp(96px,26%,240px);aspect-ratio:4/3;box-shadow:0 2px 10px rgb(0 0 0/.45);
border:2px solid var(--_raised);bottom:12px;right:12px;touch-action:none;cursor:grab}
alcove-video-tile[pip][dragging]{cursor:grabbing;z-index:3}
:host([pip-corner=bl]) alcove-video-tile[pip]{right:auto;left:12px}
:host([pip-corner=tl]) alcove-video-tile[pip]{bottom:auto;top:12px;right:auto;left:12px}
:host([pip-corner=tr]) alcove-video-tile[pip]{bottom:auto;top:12px}
[part~=pip-move]{position:absolute;z-index:2;min-height:32px;min-width:32px;padding:2px 8px;font-size:.8em;bottom:12px;right:12px}
:host([pip-corner=bl]) [part~=pip-move]{right:auto;left:12px}
:host([pip-corner=tl]) [part~=pip-move]{bottom:auto;top:12px;right:auto;left:12px}
:host([pip-corner=tr]) [part~=pip-move]{bottom:auto;top:12px}
[part~=pip-move]:not(:focus-visible){opacity:.01}
.audio{display:none}
`;

type Item = { key: string; participantId: string; self: boolean; screen: boolean };
const CORNERS = ['br', 'bl', 'tl', 'tr'] as const;
const SELF = '__self';

/**
 * The call's pictures, laid out by who is there: alone (your picture large), one-to-one (the other
 * person large, your picture as a movable picture-in-picture), a gallery for groups, and a screen
 * share layout (the shared screen large, pictures in a row). Plays remote audio, follows who
 * speaks, network quality and encryption per person. Give it a `session`.
 *
 * @tag alcove-video-grid
 * @summary Video layout of a call: one-to-one with picture-in-picture, gallery, screen share.
 * @attr {'solo'|'one-to-one'|'gallery'|'screen'} layout - current layout (reflected, read-only)
 * @attr {'br'|'bl'|'tl'|'tr'} pip-corner - corner of your picture in one-to-one (default `br`)
 * @attr {string} lang - language of the text
 * @attr {'light'|'dark'} theme - colour scheme; default follows the system
 * @csspart base - the tile grid
 * @csspart tile - each `<alcove-video-tile>` (its parts are exported: video, placeholder, initials, name, label, badges, badge, quality)
 * @csspart pip-move - the button that moves your picture to the next corner (arrow keys on it move it towards that side)
 */
export class AlcoveVideoGrid extends SessionPart {
  static override styles = [STYLE];
  static override get observedAttributes(): string[] {
    return [...super.observedAttributes, 'pip-corner'];
  }

  readonly #base: HTMLDivElement;
  readonly #audio: HTMLDivElement;
  readonly #move: HTMLButtonElement;
  /** What is attached where: tile or audio element → track id and detach. */
  readonly #attached = new Map<HTMLElement, { id: string; detach: () => void }>();
  readonly #speaking = new SpeakingMeter(() => this.update());
  readonly #quality = new Map<string, QualityLevel>();
  readonly #keyed = new Set<string>();
  readonly #verified = new Set<string>();
  readonly #stalled = new Set<string>();

  constructor() {
    super();
    const d = this.doc;
    this.#base = h(d, 'div', { part: 'base' });
    this.#audio = h(d, 'div', { class: 'audio' });
    this.#move = h(d, 'button', {
      type: 'button',
      part: 'pip-move',
      onclick: () => this.#corner(1),
      onkeydown: (e: KeyboardEvent) => this.#arrow(e),
    });
    // The frame is as large as the remote picture in one-to-one: your picture stays inside it.
    this.root.append(h(d, 'div', { class: 'frame' }, this.#base, this.#move), this.#audio);
    this.#dragPip();
  }

  protected override sessionChanged(): void {
    this.#clear();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#speaking.close();
  }

  /** The tile of a participant (`__self` for this client), if shown. */
  tile(participantId: string): AlcoveVideoTile | null {
    return this.#base.querySelector(`alcove-video-tile[data-key="${CSS.escape(participantId)}"]`);
  }

  protected handlers(): SessionHandlers {
    const u = () => this.update();
    return {
      participantJoined: u,
      participantUpdated: u,
      participantLeft: (p) => {
        this.#speaking.unwatch(p.id);
        this.#quality.delete(p.id);
        this.#keyed.delete(p.id);
        this.#verified.delete(p.id);
        u();
      },
      trackPublished: u,
      trackUnpublished: u,
      trackMuted: u,
      trackPaused: u,
      localTrackChanged: u,
      stateChanged: u,
      policyChanged: u,
      qualityChanged: (r) => {
        if (this.#quality.get(r.participantId) === r.level) return;
        this.#quality.set(r.participantId, r.level);
        u();
      },
      e2eePeerKeyed: (id) => {
        this.#keyed.add(id);
        u();
      },
      e2eeVerified: (by, peer) => {
        const self = this.session?.participantId;
        if (by === self) this.#verified.add(peer);
        u();
      },
      ended: () => this.#clear(),
      failed: () => this.#clear(),
    };
  }

  protected update(): void {
    const s = this.session;
    const inCall = !!s && (s.state === 'joined' || s.state === 'reconnecting');
    if (!inCall) {
      this.#clear();
      return;
    }
    const participants = s.participants;
    const tracks = s.remoteTracks;
    const screens = tracks.filter((t) => t.kind === 'video' && t.source === 'screen');
    const layout = screens.length ? 'screen' : participants.length === 0 ? 'solo' : participants.length === 1 ? 'one-to-one' : 'gallery';
    setAttr(this, 'layout', layout);
    const items: Item[] = [
      ...screens.map((t) => ({ key: `screen:${t.participantId}`, participantId: t.participantId, self: false, screen: true })),
      ...participants.map((p) => ({ key: p.id, participantId: p.id, self: false, screen: false })),
      { key: SELF, participantId: SELF, self: true, screen: false },
    ];
    const byId = new Map(participants.map((p) => [p.id, p]));
    reconcile(
      this.#base,
      items,
      (i) => i.key,
      (i) => {
        const tile = h(this.doc, 'alcove-video-tile', {
          part: 'tile',
          exportparts: 'base:tile-base,video,placeholder,initials,name,label,badges,badge,quality',
        });
        tile.dataset.participantId = i.participantId;
        return tile;
      },
      (tile, i) => this.#updateTile(tile, i, byId.get(i.participantId)),
    );
    const pip = layout === 'one-to-one';
    this.#move.hidden = !pip;
    this.#move.textContent = this.t('tile.move');
    // Remote audio: one hidden <audio> per track.
    const audio = tracks.filter((t) => t.kind === 'audio');
    reconcile(
      this.#audio,
      audio,
      (t) => t.id,
      () => h(this.doc, 'audio', { autoplay: true }),
      (el, t) => {
        this.#attach(el, t.track, t.id);
        this.#speaking.watch(t.participantId, t.track);
      },
    );
    for (const [el] of this.#attached) if (!el.isConnected) this.#detach(el);
  }

  #updateTile(tile: AlcoveVideoTile, item: Item, p: RemoteParticipant | undefined): void {
    const s = this.session!;
    this.propagate(tile);
    const pip = item.self && this.getAttribute('layout') === 'one-to-one';
    tile.toggleAttribute('pip', pip);
    tile.toggleAttribute('self', item.self);
    tile.toggleAttribute('screen', item.screen);
    let video: MediaStreamTrack | null = null;
    let trackId = '';
    let muted = false;
    let cameraOff = true;
    if (item.self) {
      const cam = s.localTracks.find((t) => t.kind === 'video' && t.source === 'cam');
      const mic = s.localTracks.find((t) => t.kind === 'audio');
      if (cam?.track && !cam.muted) {
        video = cam.track;
        trackId = `local:${cam.track.id}`;
      }
      muted = !mic || mic.muted;
      tile.label = this.t('you');
      if (mic?.track && !mic.muted) this.#speaking.watch(SELF, mic.track);
      else this.#speaking.unwatch(SELF);
    } else {
      const mine = s.remoteTracks.filter((t) => t.participantId === item.participantId);
      const v: RemoteTrack | undefined = mine.find((t) => t.kind === 'video' && t.source === (item.screen ? 'screen' : 'cam'));
      if (v && !v.muted && !v.paused && !this.#stalled.has(v.id)) {
        video = v.track;
        trackId = v.id;
      }
      this.#watchStall(v);
      const a = mine.find((t) => t.kind === 'audio');
      muted = !a || a.muted;
      const name = p?.displayName ?? '';
      tile.label = item.screen ? this.t('tile.screen', { name }) : name;
    }
    cameraOff = !video;
    if (video) this.#attach(tile, video, trackId);
    else this.#detach(tile);
    tile.toggleAttribute('camera-off', cameraOff);
    tile.toggleAttribute('muted', !item.screen && muted);
    tile.toggleAttribute('reconnecting', !item.self && p?.connection === 'reconnecting');
    tile.toggleAttribute('speaking', !item.screen && this.#speaking.speaking(item.participantId));
    const q = this.#quality.get(item.self ? s.participantId : item.participantId);
    setAttr(tile, 'quality', item.screen ? null : q);
    const encrypted = !!s.policy?.e2eeRequired && (item.self || this.#keyed.has(item.participantId));
    tile.toggleAttribute('encrypted', !item.screen && encrypted);
    tile.toggleAttribute('verified', !item.self && !item.screen && this.#verified.has(item.participantId));
  }

  /** A remote picture that stops arriving (track `mute`) shows the placeholder, never a frozen frame. */
  #watchStall(t: RemoteTrack | undefined): void {
    if (!t) return;
    const track = t.track as MediaStreamTrack & { __alcoveWatched?: boolean };
    if (track.__alcoveWatched || typeof track.addEventListener !== 'function') return;
    track.__alcoveWatched = true;
    track.addEventListener('mute', () => {
      this.#stalled.add(t.id);
      this.update();
    });
    track.addEventListener('unmute', () => {
      this.#stalled.delete(t.id);
      this.update();
    });
    if (track.muted) this.#stalled.add(t.id);
  }

  #attach(el: HTMLElement, track: MediaStreamTrack, id: string): void {
    if (this.#attached.get(el)?.id === id) return;
    this.#detach(el);
    // Remote audio goes through the session (it plays on the chosen speaker). A tile's video is
    // muted: no speaker to set on it (a speaker change racing a re-attach only fails there).
    const detach =
      el instanceof HTMLMediaElement
        ? (this.session?.attach(track, el) ?? (() => undefined))
        : attachTrack(track, (el as AlcoveVideoTile).video, { local: id.startsWith('local:') });
    this.#attached.set(el, { id, detach });
  }

  #detach(el: HTMLElement): void {
    const a = this.#attached.get(el);
    if (!a) return;
    a.detach();
    this.#attached.delete(el);
    const media = el instanceof HTMLMediaElement ? el : (el as AlcoveVideoTile).video;
    if (media) media.srcObject = null;
  }

  #clear(): void {
    for (const el of [...this.#attached.keys()]) this.#detach(el);
    this.#base.replaceChildren();
    this.#audio.replaceChildren();
    this.#speaking.close();
    this.#stalled.clear();
    this.removeAttribute('layout');
    this.#move.hidden = true;
  }

  #corner(step: number): void {
    const now = CORNERS.indexOf((this.getAttribute('pip-corner') ?? 'br') as (typeof CORNERS)[number]);
    this.setAttribute('pip-corner', CORNERS[(Math.max(0, now) + step) % CORNERS.length]!);
  }

  /** Arrow keys on the move button: towards that side (left/right, up/down), keeping the other. */
  #arrow(e: KeyboardEvent): void {
    const now = this.getAttribute('pip-corner') ?? 'br';
    let v = now[0]!;
    let hz = now[1]!;
    if (e.key === 'ArrowUp') v = 't';
    else if (e.key === 'ArrowDown') v = 'b';
    else if (e.key === 'ArrowLeft') hz = 'l';
    else if (e.key === 'ArrowRight') hz = 'r';
    else return;
    e.preventDefault();
    this.setAttribute('pip-corner', `${v}${hz}`);
  }

  /** Drag your picture with a pointer (it follows, kept inside the remote picture) and it snaps to the nearest corner. */
  #dragPip(): void {
    let drag: { id: number; tile: HTMLElement; x: number; y: number; room: DOMRect; start: DOMRect } | undefined;
    this.#base.addEventListener('pointerdown', (e) => {
      const tile = (e.target as Element).closest?.('alcove-video-tile[pip]') as HTMLElement | null;
      if (!tile) return;
      drag = {
        id: e.pointerId,
        tile,
        x: e.clientX,
        y: e.clientY,
        room: this.#base.getBoundingClientRect(),
        start: tile.getBoundingClientRect(),
      };
      tile.setPointerCapture?.(e.pointerId);
      tile.toggleAttribute('dragging', true);
    });
    this.#base.addEventListener('pointermove', (e) => {
      if (drag?.id !== e.pointerId) return;
      const { room, start } = drag;
      const dx = Math.min(Math.max(e.clientX - drag.x, room.left - start.left), room.right - start.right);
      const dy = Math.min(Math.max(e.clientY - drag.y, room.top - start.top), room.bottom - start.bottom);
      drag.tile.style.translate = `${dx}px ${dy}px`;
    });
    const end = (e: PointerEvent): void => {
      if (drag?.id !== e.pointerId) return;
      const { tile, room } = drag;
      drag = undefined;
      const r = tile.getBoundingClientRect();
      tile.style.translate = '';
      tile.toggleAttribute('dragging', false);
      const left = r.left + r.width / 2 < room.left + room.width / 2;
      const top = r.top + r.height / 2 < room.top + room.height / 2;
      this.setAttribute('pip-corner', top ? (left ? 'tl' : 'tr') : left ? 'bl' : 'br');
    };
    this.#base.addEventListener('pointerup', end);
    this.#base.addEventListener('pointercancel', end);
  }
}
