import { h } from './dom.js';

/** What a confirmation asks. */
export interface ConfirmOptions {
  readonly title: string;
  readonly body?: string;
  readonly yes: string;
  readonly no: string;
  /** The confirming action destroys something (styled as danger). */
  readonly danger?: boolean;
}

/**
 * Asks for confirmation in a modal `<dialog>` inside `root`: focus moves to "cancel" (the safe
 * choice), Escape cancels, and focus returns to whatever had it before. Resolves `true` on yes.
 */
export function confirmDialog(root: ShadowRoot, o: ConfirmOptions): Promise<boolean> {
  const d = root.ownerDocument;
  let opener: HTMLElement | null = null;
  try {
    opener = (root.activeElement ?? d.activeElement) as HTMLElement | null;
  } catch {
    opener = d.activeElement as HTMLElement | null;
  }
  return new Promise((resolve) => {
    const title = h(d, 'h2', { text: o.title, id: 'alcove-confirm-title' });
    let answer = false;
    const dialog = h(d, 'dialog', { part: 'dialog', 'aria-labelledby': 'alcove-confirm-title' });
    const close = (yes: boolean): void => {
      answer = yes;
      if (typeof dialog.close === 'function' && dialog.open) dialog.close();
      else dialog.dispatchEvent(new Event('close'));
    };
    const no = h(d, 'button', { type: 'button', class: 'no', text: o.no, onclick: () => close(false) });
    const yes = h(d, 'button', { type: 'button', class: o.danger ? 'yes danger' : 'yes primary', text: o.yes, onclick: () => close(true) });
    dialog.append(title, ...(o.body ? [h(d, 'p', { text: o.body })] : []), h(d, 'div', { class: 'row' }, no, yes));
    dialog.addEventListener(
      'close',
      () => {
        dialog.remove();
        if (opener?.isConnected) opener.focus();
        resolve(answer);
      },
      { once: true },
    );
    dialog.addEventListener('cancel', () => (answer = false));
    root.append(dialog);
    if (typeof dialog.showModal === 'function') {
      try {
        dialog.showModal();
      } catch {
        dialog.setAttribute('open', '');
      }
    } else dialog.setAttribute('open', '');
    no.focus();
  });
}
