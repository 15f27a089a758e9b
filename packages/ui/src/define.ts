import { AlcoveSession } from './elements/alcove-session.js';
import { AlcoveVideoTile } from './elements/alcove-video-tile.js';
import { AlcoveWaitingList } from './elements/alcove-waiting-list.js';

/** Tag names and their classes, parts first: `<alcove-session>` creates the others. */
export const ELEMENTS = {
  'alcove-video-tile': AlcoveVideoTile,
  'alcove-waiting-list': AlcoveWaitingList,
  'alcove-session': AlcoveSession,
} as const;

/**
 * Registers every Alcove element. Safe to call more than once, and safe when another copy of the
 * library registered the tags first (those stay).
 * @example
 * import { defineAlcoveElements } from '@alcove/ui';
 * defineAlcoveElements();
 */
export function defineAlcoveElements(registry: CustomElementRegistry = customElements): void {
  for (const [tag, ctor] of Object.entries(ELEMENTS)) {
    if (!registry.get(tag)) registry.define(tag, ctor);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'alcove-session': AlcoveSession;
    'alcove-video-tile': AlcoveVideoTile;
    'alcove-waiting-list': AlcoveWaitingList;
  }
}
