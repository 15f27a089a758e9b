/**
 * `@alcove/ui`: web components for Alcove calls. `<alcove-session>` runs the whole flow (start,
 * checklist, waiting room, call, end screen) for client and host; every part is usable on its own:
 * `<alcove-video-grid>`, `<alcove-video-tile>`, `<alcove-control-bar>`, `<alcove-device-menu>`,
 * `<alcove-chat-panel>`, `<alcove-security-code>`, `<alcove-connection-banner>`,
 * `<alcove-waiting-room>`, `<alcove-waiting-list>`, `<alcove-host-panel>`, `<alcove-emergency-panel>`.
 * Vanilla custom elements with shadow DOM, parts and `--alcove-*` theme properties; English and
 * Spanish text. Call {@link defineAlcoveElements} once to register them.
 * @packageDocumentation
 * @module @alcove/ui
 */
export { defineAlcoveElements, ELEMENTS } from './define.js';
export { AlcoveElement } from './base/alcove-element.js';
export { SessionPart, listen } from './base/session-part.js';
export type { SessionLike, SessionHandlers } from './base/session-part.js';
export { isQuickExitKey } from './base/quick-exit.js';
export type { EmergencyDetails } from './base/emergency.js';
export { AlcoveSession } from './elements/alcove-session.js';
export type { SessionFactory, Screen } from './elements/alcove-session.js';
export { AlcoveVideoTile } from './elements/alcove-video-tile.js';
export { AlcoveVideoGrid } from './elements/alcove-video-grid.js';
export { AlcoveControlBar } from './elements/alcove-control-bar.js';
export { AlcoveDeviceMenu } from './elements/alcove-device-menu.js';
export { AlcoveChatPanel, linkify } from './elements/alcove-chat-panel.js';
export { AlcoveSecurityCode } from './elements/alcove-security-code.js';
export { AlcoveConnectionBanner } from './elements/alcove-connection-banner.js';
export { AlcoveWaitingList } from './elements/alcove-waiting-list.js';
export { AlcoveEmergencyPanel } from './elements/alcove-emergency-panel.js';
export { AlcoveHostPanel } from './elements/alcove-host-panel.js';
export { AlcoveWaitingRoom } from './elements/alcove-waiting-room.js';
export { AlcoveChecklist } from './elements/alcove-checklist.js';
export { AlcoveChecklistStep } from './elements/alcove-checklist-step.js';
export * from './events.js';
export { MESSAGES, errorKey, languages, registerMessages, resolveLang, t } from './i18n/messages.js';
export type { Catalogue, ErrorMessages, MessageKey, ReasonMessages } from './i18n/messages.js';
