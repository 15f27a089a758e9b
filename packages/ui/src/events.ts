/**
 * Typed DOM events of the Alcove elements: all `alcove-*`, all bubble and cross shadow
 * boundaries (`composed`). Requests the page may veto are `cancelable`.
 */

const init = (cancelable = false): EventInit => ({ bubbles: true, composed: true, cancelable });

/** Base class of every Alcove event. */
export abstract class AlcoveEvent extends Event {}

/** The session's state changed (`idle`, `connecting`, `waiting`, `joined`, `reconnecting`, `ended`, `failed`). */
export class AlcoveStateChangeEvent extends AlcoveEvent {
  static readonly type = 'alcove-state-change';
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(AlcoveStateChangeEvent.type, init());
  }
}

/** The screen shown changed (`start`, `checklist`, `waiting`, `call`, `ended`, `failed`). */
export class AlcoveScreenChangeEvent extends AlcoveEvent {
  static readonly type = 'alcove-screen-change';
  constructor(readonly screen: string) {
    super(AlcoveScreenChangeEvent.type, init());
  }
}

/**
 * The user pressed "leave". Cancelable: call `preventDefault()` to keep the call (e.g. to confirm
 * with your own dialog), then call the element's `leave()` yourself. Not cancelled, the element
 * asks for confirmation itself.
 */
export class AlcoveLeaveRequestEvent extends AlcoveEvent {
  static readonly type = 'alcove-leave-request';
  constructor() {
    super(AlcoveLeaveRequestEvent.type, init(true));
  }
}

/**
 * Quick exit: the call was left at once. Cancelable: `preventDefault()` keeps the page from
 * navigating to `quick-exit-url` (the call is left either way).
 */
export class AlcoveQuickExitEvent extends AlcoveEvent {
  static readonly type = 'alcove-quick-exit';
  constructor(readonly url: string) {
    super(AlcoveQuickExitEvent.type, init(true));
  }
}

/** A problem the page may want to report. `code` is stable; show text from the catalogue. */
export class AlcoveErrorEvent extends AlcoveEvent {
  static readonly type = 'alcove-error';
  constructor(readonly code: string) {
    super(AlcoveErrorEvent.type, init());
  }
}

/** The host pressed admit or deny in the waiting list. Cancelable. */
export class AlcoveAdmissionRequestEvent extends AlcoveEvent {
  static readonly type = 'alcove-admission-request';
  constructor(
    readonly participantId: string,
    readonly decision: 'admit' | 'deny',
  ) {
    super(AlcoveAdmissionRequestEvent.type, init(true));
  }
}

/** What a host action does. */
export type HostAction = 'remove' | 'lock' | 'unlock' | 'end';

/** The host confirmed remove, lock, unlock or end-for-all. Cancelable. */
export class AlcoveHostActionEvent extends AlcoveEvent {
  static readonly type = 'alcove-host-action';
  constructor(
    readonly action: HostAction,
    readonly participantId?: string,
  ) {
    super(AlcoveHostActionEvent.type, init(true));
  }
}

/** A panel of the call was opened or closed from the control bar (`chat`, `devices`, `security`, `host`). */
export class AlcovePanelToggleEvent extends AlcoveEvent {
  static readonly type = 'alcove-panel-toggle';
  constructor(
    readonly panel: string,
    readonly open: boolean,
  ) {
    super(AlcovePanelToggleEvent.type, init());
  }
}

/** A camera, microphone or speaker was chosen (after the switch took effect). */
export class AlcoveDeviceChangeEvent extends AlcoveEvent {
  static readonly type = 'alcove-device-change';
  constructor(
    readonly kind: MediaDeviceKind,
    readonly deviceId: string,
  ) {
    super(AlcoveDeviceChangeEvent.type, init());
  }
}

/** The checklist was finished (every required step done) and submitted. */
export class AlcoveChecklistCompleteEvent extends AlcoveEvent {
  static readonly type = 'alcove-checklist-complete';
  constructor() {
    super(AlcoveChecklistCompleteEvent.type, init());
  }
}

/** The number of unread chat messages changed. */
export class AlcoveUnreadChangeEvent extends AlcoveEvent {
  static readonly type = 'alcove-unread-change';
  constructor(readonly count: number) {
    super(AlcoveUnreadChangeEvent.type, init());
  }
}

declare global {
  interface HTMLElementEventMap {
    'alcove-state-change': AlcoveStateChangeEvent;
    'alcove-screen-change': AlcoveScreenChangeEvent;
    'alcove-leave-request': AlcoveLeaveRequestEvent;
    'alcove-quick-exit': AlcoveQuickExitEvent;
    'alcove-error': AlcoveErrorEvent;
    'alcove-admission-request': AlcoveAdmissionRequestEvent;
    'alcove-host-action': AlcoveHostActionEvent;
    'alcove-panel-toggle': AlcovePanelToggleEvent;
    'alcove-device-change': AlcoveDeviceChangeEvent;
    'alcove-checklist-complete': AlcoveChecklistCompleteEvent;
    'alcove-unread-change': AlcoveUnreadChangeEvent;
  }
}
