/**
 * `@alcove/ui`: web components for Alcove calls — `<alcove-session>` (a whole call in one element),
 * `<alcove-video-tile>` and `<alcove-waiting-list>`. Vanilla custom elements with shadow DOM, parts
 * and `--alcove-*` theme properties; English and Spanish text. Call {@link defineAlcoveElements}
 * once to register them.
 * @packageDocumentation
 * @module @alcove/ui
 */
export { defineAlcoveElements, ELEMENTS } from './define.js';
export { AlcoveSession } from './elements/alcove-session.js';
export type { SessionFactory, SessionLike } from './elements/alcove-session.js';
export { AlcoveVideoTile } from './elements/alcove-video-tile.js';
export { AlcoveWaitingList } from './elements/alcove-waiting-list.js';
export { AlcoveAdmissionRequestEvent, AlcoveErrorEvent, AlcoveLeaveRequestEvent, AlcoveStateChangeEvent } from './events.js';
export { LANGUAGES, MESSAGES, errorKey, t } from './i18n/messages.js';
export type { MessageKey } from './i18n/messages.js';
