import { AlcoveQuickExitEvent } from '../events.js';
import type { SessionLike } from './session-part.js';

/** The documented quick-exit shortcut: Shift + Escape. */
export function isQuickExitKey(e: KeyboardEvent): boolean {
  return e.key === 'Escape' && e.shiftKey && !e.ctrlKey && !e.altKey && !e.metaKey;
}

/**
 * Leaves at once (every track stops synchronously inside `leave()`), then, unless a listener
 * cancels `alcove-quick-exit`, replaces the page with `url` (no history entry to come back to).
 * Only `https:`/`http:` URLs and `about:blank` are followed.
 */
export function quickExit(from: HTMLElement, session: SessionLike | undefined, url: string): void {
  const leaving = session?.leave();
  void leaving?.catch(() => undefined);
  const target = safeUrl(url, from.ownerDocument.baseURI);
  if (from.dispatchEvent(new AlcoveQuickExitEvent(target))) from.ownerDocument.defaultView?.location.replace(target);
}

function safeUrl(url: string, base: string): string {
  try {
    const u = new URL(url || 'about:blank', base);
    return u.protocol === 'https:' || u.protocol === 'http:' || u.href === 'about:blank' ? u.href : 'about:blank';
  } catch {
    return 'about:blank';
  }
}
