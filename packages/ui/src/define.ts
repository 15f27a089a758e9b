import { AlcoveChecklist } from './elements/alcove-checklist.js';
import { AlcoveChecklistStep } from './elements/alcove-checklist-step.js';
import { AlcoveChatPanel } from './elements/alcove-chat-panel.js';
import { AlcoveConnectionBanner } from './elements/alcove-connection-banner.js';
import { AlcoveControlBar } from './elements/alcove-control-bar.js';
import { AlcoveDeviceMenu } from './elements/alcove-device-menu.js';
import { AlcoveEmergencyPanel } from './elements/alcove-emergency-panel.js';
import { AlcoveHostPanel } from './elements/alcove-host-panel.js';
import { AlcoveSecurityCode } from './elements/alcove-security-code.js';
import { AlcoveSession } from './elements/alcove-session.js';
import { AlcoveVideoGrid } from './elements/alcove-video-grid.js';
import { AlcoveVideoTile } from './elements/alcove-video-tile.js';
import { AlcoveWaitingList } from './elements/alcove-waiting-list.js';
import { AlcoveWaitingRoom } from './elements/alcove-waiting-room.js';

/** Tag names and their classes, parts first (composites create the others). */
export const ELEMENTS = {
  'alcove-video-tile': AlcoveVideoTile,
  'alcove-video-grid': AlcoveVideoGrid,
  'alcove-device-menu': AlcoveDeviceMenu,
  'alcove-control-bar': AlcoveControlBar,
  'alcove-chat-panel': AlcoveChatPanel,
  'alcove-security-code': AlcoveSecurityCode,
  'alcove-connection-banner': AlcoveConnectionBanner,
  'alcove-waiting-list': AlcoveWaitingList,
  'alcove-emergency-panel': AlcoveEmergencyPanel,
  'alcove-host-panel': AlcoveHostPanel,
  'alcove-waiting-room': AlcoveWaitingRoom,
  'alcove-checklist-step': AlcoveChecklistStep,
  'alcove-checklist': AlcoveChecklist,
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
  for (const [tag, ctor] of Object.entries(ELEMENTS)) ctor.defineAs(tag, registry);
}

declare global {
  interface HTMLElementTagNameMap {
    'alcove-session': AlcoveSession;
    'alcove-video-tile': AlcoveVideoTile;
    'alcove-video-grid': AlcoveVideoGrid;
    'alcove-device-menu': AlcoveDeviceMenu;
    'alcove-control-bar': AlcoveControlBar;
    'alcove-chat-panel': AlcoveChatPanel;
    'alcove-security-code': AlcoveSecurityCode;
    'alcove-connection-banner': AlcoveConnectionBanner;
    'alcove-waiting-list': AlcoveWaitingList;
    'alcove-emergency-panel': AlcoveEmergencyPanel;
    'alcove-host-panel': AlcoveHostPanel;
    'alcove-waiting-room': AlcoveWaitingRoom;
    'alcove-checklist-step': AlcoveChecklistStep;
    'alcove-checklist': AlcoveChecklist;
  }
}
