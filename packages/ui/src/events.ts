/** Typed DOM events of the Alcove elements: all bubble and cross shadow boundaries. */

const init = (cancelable = false): EventInit => ({ bubbles: true, composed: true, cancelable });

/** The session's state changed (`connecting`, `waiting`, `joined`, `reconnecting`, `ended`, `failed`). */
export class AlcoveStateChangeEvent extends Event {
  static readonly type = 'alcove-state-change';
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(AlcoveStateChangeEvent.type, init());
  }
}

/**
 * The user pressed "leave". Cancelable: call `preventDefault()` to keep the call (e.g. to confirm
 * first), then call the element's `leave()` yourself.
 */
export class AlcoveLeaveRequestEvent extends Event {
  static readonly type = 'alcove-leave-request';
  constructor() {
    super(AlcoveLeaveRequestEvent.type, init(true));
  }
}

/** A problem the page may want to report. `code` is stable; show text from the catalogue. */
export class AlcoveErrorEvent extends Event {
  static readonly type = 'alcove-error';
  constructor(readonly code: string) {
    super(AlcoveErrorEvent.type, init());
  }
}

/** The host pressed admit or deny in the waiting list. Cancelable. */
export class AlcoveAdmissionRequestEvent extends Event {
  static readonly type = 'alcove-admission-request';
  constructor(
    readonly participantId: string,
    readonly decision: 'admit' | 'deny',
  ) {
    super(AlcoveAdmissionRequestEvent.type, init(true));
  }
}

declare global {
  interface HTMLElementEventMap {
    'alcove-state-change': AlcoveStateChangeEvent;
    'alcove-leave-request': AlcoveLeaveRequestEvent;
    'alcove-error': AlcoveErrorEvent;
    'alcove-admission-request': AlcoveAdmissionRequestEvent;
  }
}
