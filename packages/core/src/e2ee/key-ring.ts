import { E2EE_MAX_RATCHET_LOOKAHEAD, E2EE_PREVIOUS_KEY_GRACE_MS, type E2eeSuite } from '@alcove/protocol';
import { ReplayWindow } from './replay-window.js';
import { deriveFrameKey, keyId, ratchet, type FrameKey } from './sender-keys.js';

/** A sender base key at generation `g`, ratchet step `s`. */
interface BaseKey {
  readonly generation: number;
  readonly step: number;
  readonly base: Uint8Array;
}

/**
 * The sending side's key state (E2EE.md §4): the current base key, its ratchet, per-track frame keys
 * and counters. The counter restarts at 0 for every new key, so a key is never used twice with the
 * same counter.
 */
export class SenderKeyState {
  readonly #suite: E2eeSuite;
  #current: BaseKey | undefined;
  readonly #tracks = new Map<string, { key: FrameKey; ctr: number }>();

  constructor(suite: E2eeSuite) {
    this.#suite = suite;
  }

  /** Whether a key is set (without one, frames are dropped: fail closed). */
  get hasKey(): boolean {
    return this.#current !== undefined;
  }
  /** Current `(generation, step)`, or undefined. */
  get position(): { generation: number; step: number } | undefined {
    return this.#current && { generation: this.#current.generation, step: this.#current.step };
  }

  /** Installs a fresh base key `B[g][0]` (session start, or after someone left). */
  setKey(generation: number, base: Uint8Array): void {
    if (base.length !== 32) throw new RangeError('base key must be 32 bytes');
    if (this.#current && generation <= this.#current.generation) throw new RangeError('generation must increase');
    this.#replace({ generation, step: 0, base: base.slice() });
  }

  /** Ratchets `s → s+1` (newcomer admitted, periodic rotation, transform restart). Returns the new base. */
  ratchet(): { generation: number; step: number; base: Uint8Array } {
    const c = this.#current;
    if (!c) throw new RangeError('no key to ratchet');
    const next = { generation: c.generation, step: c.step + 1, base: ratchet(c.base) };
    this.#replace(next);
    return { ...next, base: next.base.slice() };
  }

  /**
   * Frame key and counter for `track`'s next frame, or undefined without a key. The result is the
   * track's own state (no allocation per frame): read `ctr` at once, the next call advances it.
   */
  next(track: string): { readonly key: FrameKey; readonly ctr: number } | undefined {
    const c = this.#current;
    if (!c) return undefined;
    let t = this.#tracks.get(track);
    if (!t) {
      t = { key: deriveFrameKey(c.base, keyId(c.generation, c.step), this.#suite, track), ctr: -1 };
      this.#tracks.set(track, t);
    }
    t.ctr++;
    return t;
  }

  /** Wipes all keys (best effort in JS). */
  destroy(): void {
    this.#current?.base.fill(0);
    this.#current = undefined;
    for (const t of this.#tracks.values()) wipe(t.key);
    this.#tracks.clear();
  }

  #replace(next: BaseKey): void {
    this.#current?.base.fill(0);
    for (const t of this.#tracks.values()) wipe(t.key);
    this.#tracks.clear();
    this.#current = next;
  }
}

/**
 * A candidate key for one frame; commit it only after the frame authenticates. Each ring hands out
 * one candidate object, reused for every frame (no allocation per frame): it is valid until the
 * ring's next {@link ReceiverKeyRing.candidate} call, which is why opens of one sender run one at a
 * time (`openFrame`).
 */
export interface KeyCandidate {
  readonly key: FrameKey;
  readonly replay: ReplayWindow;
  /** Makes this key current (a forward ratchet step is committed only after a valid frame). */
  commit(): void;
}

/** How long frames of the previous ratchet step are still opened after a forward step, ms. */
export const PREVIOUS_STEP_GRACE_MS = 1000;
/** At most this many frames are opened under a previous step (per sender and generation). */
export const PREVIOUS_STEP_GRACE_FRAMES = 1024;

/** The frame key and replay window of one track under one key (generation and step). */
interface TrackKeys {
  readonly key: FrameKey;
  readonly replay: ReplayWindow;
}

interface StepKeys {
  readonly step: number;
  readonly base: Uint8Array;
  /** Per track (the step fixes the key id): looked up by the transform's track string, no key built per frame. */
  readonly tracks: Map<string, TrackKeys>;
}

interface Slot {
  base: BaseKey;
  /** Per track, under the current step. */
  tracks: Map<string, TrackKeys>;
  /** When this generation was superseded (ms), for the 2 s grace. */
  supersededAt?: number;
  /** The step before the current one, for {@link PREVIOUS_STEP_GRACE_MS} after a forward step (frames in flight). */
  previous?: (StepKeys & { readonly until: number; opened: number }) | undefined;
}

/**
 * One remote sender's keys (E2EE.md §4 receiver rules): the current generation, the previous one
 * for 2 s after a newer key's first valid frame, forward ratchet steps derived on demand (at most
 * 16 ahead) that become current only once a frame under them authenticates, and the step before
 * the current one for a short, bounded grace (frames sent just before the sender ratcheted).
 *
 * The lookup of a frame's key allocates nothing once a track's key is derived: generations are
 * numeric map keys, a step's keys are found by the track string the transform already holds, and
 * the candidate is one reused object.
 */
export class ReceiverKeyRing {
  readonly #suite: E2eeSuite;
  readonly #now: () => number;
  readonly #slots = new Map<number, Slot>();
  #openedGeneration = -1;
  #graceOpened = 0;
  #epochListener: ((generation: number, previous: number) => void) | undefined;
  /** The candidate handed out for each frame, and what its commit applies. */
  readonly #cand = { commit: () => this.#commit() } as { key: FrameKey; replay: ReplayWindow; commit(): void };
  #cSlot: Slot | undefined;
  #cGeneration = 0;
  /** Steps ahead of the current one (0: current; -1: the previous step's grace). */
  #cAhead = 0;
  #cTrack = '';
  /** A step ahead: its base key and track keys, kept if the frame authenticates. */
  #cBase: Uint8Array | undefined;
  #cKeys: TrackKeys | undefined;

  constructor(suite: E2eeSuite, now: () => number = () => Date.now()) {
    this.#suite = suite;
    this.#now = now;
  }

  /** Installs `B[g][s]` received over the control channel. */
  setKey(generation: number, step: number, base: Uint8Array): void {
    if (base.length !== 32) throw new RangeError('base key must be 32 bytes');
    const existing = this.#slots.get(generation);
    if (existing && existing.base.step >= step) return; // never move backwards
    if (existing) wipeSlot(existing);
    this.#slots.set(generation, { base: { generation, step, base: base.slice() }, tracks: new Map() });
  }

  /** Whether any key of this sender is known. */
  get hasKey(): boolean {
    return this.#slots.size > 0;
  }

  /** The newest generation held, or -1. */
  get newestGeneration(): number {
    let g = -1;
    for (const k of this.#slots.keys()) g = Math.max(g, k);
    return g;
  }

  /** The newest generation a frame was opened under, or -1. */
  get openedGeneration(): number {
    return this.#openedGeneration;
  }

  /** Whether a frame was opened under the newest key held (this sender's current key epoch). */
  get decryptedInEpoch(): boolean {
    return this.#openedGeneration >= 0 && this.#openedGeneration === this.newestGeneration;
  }

  /** Frames opened under the previous step or the previous generation after a switch (the grace windows). */
  get graceOpened(): number {
    return this.#graceOpened;
  }

  /** Called once per generation, when its first frame opens (`previous`: the generation opened before, or -1). */
  onEpochOpened(listener: ((generation: number, previous: number) => void) | undefined): void {
    this.#epochListener = listener;
  }

  /**
   * A key for `kid` and `track`, deriving forward ratchet steps if needed; undefined when the
   * generation is unknown, evicted, or the step is beyond the look-ahead. The result is the ring's
   * reused candidate (see {@link KeyCandidate}).
   */
  candidate(kid: number, track: string): KeyCandidate | undefined {
    this.#evict();
    const generation = Math.floor(kid / 16);
    const low = kid % 16;
    const slot = this.#slots.get(generation);
    if (!slot) return undefined;
    const c = this.#cand;
    const prev = slot.previous;
    const cur = slot.base;
    let ahead = (low - (cur.step % 16) + 16) % 16;
    let t: TrackKeys;
    if (prev && prev.step % 16 === low && prev.step !== cur.step) {
      if (this.#now() > prev.until || prev.opened >= PREVIOUS_STEP_GRACE_FRAMES) {
        wipeStep(prev);
        slot.previous = undefined;
        return undefined;
      }
      t = this.#keys(prev.tracks, track, prev.base, kid);
      ahead = -1;
    } else if (ahead >= E2EE_MAX_RATCHET_LOOKAHEAD) {
      return undefined;
    } else if (ahead === 0) {
      t = this.#keys(slot.tracks, track, cur.base, kid);
    } else {
      // A step ahead: derived for this frame, kept only if it authenticates (rare: once per sender ratchet).
      let base = cur.base;
      for (let i = 0; i < ahead; i++) base = ratchet(base);
      this.#cBase = base;
      t = this.#cKeys = { key: deriveFrameKey(base, keyId(generation, cur.step + ahead), this.#suite, track), replay: new ReplayWindow() };
    }
    c.key = t.key;
    c.replay = t.replay;
    this.#cSlot = slot;
    this.#cGeneration = generation;
    this.#cAhead = ahead;
    this.#cTrack = track;
    return c;
  }

  /** Wipes all keys. */
  destroy(): void {
    for (const s of this.#slots.values()) wipeSlot(s);
    this.#slots.clear();
  }

  /** The keys of `track` under `base` (key id `kid`), derived on its first frame. */
  #keys(tracks: Map<string, TrackKeys>, track: string, base: Uint8Array, kid: number): TrackKeys {
    let t = tracks.get(track);
    if (!t) {
      t = { key: deriveFrameKey(base, kid, this.#suite, track), replay: new ReplayWindow() };
      tracks.set(track, t);
    }
    return t;
  }

  #commit(): void {
    const slot = this.#cSlot!;
    const ahead = this.#cAhead;
    if (ahead < 0) {
      if (slot.previous) slot.previous.opened++;
      this.#graceOpened++;
      return;
    }
    if (ahead > 0) {
      const cur = slot.base;
      if (slot.previous) wipeStep(slot.previous);
      // Keep the step we leave for frames still in flight (bounded in time and count).
      slot.previous =
        ahead === 1
          ? { step: cur.step, base: cur.base, tracks: slot.tracks, until: this.#now() + PREVIOUS_STEP_GRACE_MS, opened: 0 }
          : undefined;
      if (ahead > 1) {
        cur.base.fill(0);
        for (const t of slot.tracks.values()) wipe(t.key);
      }
      slot.base = { generation: this.#cGeneration, step: cur.step + ahead, base: this.#cBase! };
      slot.tracks = new Map([[this.#cTrack, this.#cKeys!]]);
    }
    this.#opened(this.#cGeneration);
  }

  #opened(generation: number): void {
    // A frame of a generation already superseded by a newer one's frames: the 2 s grace.
    if (generation < this.#openedGeneration) this.#graceOpened++;
    if (generation > this.#openedGeneration) {
      const previous = this.#openedGeneration;
      this.#openedGeneration = generation;
      this.#supersedeOlder(generation);
      this.#epochListener?.(generation, previous);
    }
  }

  #supersedeOlder(generation: number): void {
    const now = this.#now();
    for (const [g, s] of this.#slots) if (g < generation && s.supersededAt === undefined) s.supersededAt = now;
  }

  #evict(): void {
    // Only a generation older than another can be superseded: with one key (the usual case) there
    // is nothing to look at, and no iterator is made per frame.
    if (this.#slots.size < 2) return;
    const now = this.#now();
    for (const [g, s] of this.#slots) {
      if (s.supersededAt !== undefined && now - s.supersededAt > E2EE_PREVIOUS_KEY_GRACE_MS) {
        wipeSlot(s);
        this.#slots.delete(g);
      }
    }
  }
}

function wipe(k: FrameKey): void {
  k.key.fill(0);
  k.salt.fill(0);
  k.cryptoKey = undefined;
}
function wipeStep(s: StepKeys): void {
  s.base.fill(0);
  for (const t of s.tracks.values()) wipe(t.key);
  s.tracks.clear();
}
function wipeSlot(s: Slot): void {
  s.base.base.fill(0);
  for (const t of s.tracks.values()) wipe(t.key);
  s.tracks.clear();
  if (s.previous) wipeStep(s.previous);
  s.previous = undefined;
}
