/**
 * Tiny DOM helpers shared by every element: build nodes without HTML strings (untrusted text only
 * ever lands in `textContent` or attribute values), and update keyed lists in place so that the
 * element holding focus survives a re-render.
 */

type Props = Record<string, unknown> & { part?: string; class?: string; text?: string };
type Child = Node | string | null | undefined | false;

/**
 * Creates an element. `props`: `part`, `class`, `text` (as `textContent`), `on<event>` listeners,
 * `aria-*`/`data-*`/other attributes (strings, `true` → `""`, `false`/`undefined` → absent), and
 * known DOM properties (`type`, `hidden`, `disabled`, `tabIndex`, `value`…).
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = doc.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === null) continue;
    if (k === 'text') el.textContent = String(v);
    else if (k === 'class') el.className = String(v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k in el && !k.includes('-') && k !== 'part' && k !== 'role') (el as unknown as Record<string, unknown>)[k] = v;
    else if (v !== false) el.setAttribute(k, v === true ? '' : String(v));
  }
  el.append(...(children.filter((c) => c !== null && c !== undefined && c !== false) as (Node | string)[]));
  return el;
}

/** Sets `textContent` only when it differs (keeps screen readers from re-reading unchanged text). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** Sets or removes an attribute only when it differs. */
export function setAttr(el: Element, name: string, value: string | boolean | null | undefined): void {
  if (value === false || value === null || value === undefined) {
    if (el.hasAttribute(name)) el.removeAttribute(name);
    return;
  }
  const v = value === true ? '' : value;
  if (el.getAttribute(name) !== v) el.setAttribute(name, v);
}

/**
 * Updates `parent`'s children to match `items` by key: existing nodes (and so focus inside them)
 * are kept and moved, new ones created with `create`, gone ones removed; `update` runs on every
 * kept or created node. Nodes are tagged with `data-key`.
 */
export function reconcile<T, N extends HTMLElement>(
  parent: Element,
  items: readonly T[],
  key: (item: T) => string,
  create: (item: T) => N,
  update: (node: N, item: T) => void,
): N[] {
  const existing = new Map<string, N>();
  for (const child of Array.from(parent.children) as N[]) {
    const k = child.dataset.key;
    if (k !== undefined) existing.set(k, child);
  }
  const nodes: N[] = [];
  let cursor: Element | null = parent.firstElementChild;
  for (const item of items) {
    const k = key(item);
    let node = existing.get(k);
    if (node) existing.delete(k);
    else {
      node = create(item);
      node.dataset.key = k;
    }
    update(node, item);
    if (node !== cursor) parent.insertBefore(node, cursor);
    else cursor = cursor.nextElementSibling;
    nodes.push(node);
  }
  for (const gone of existing.values()) gone.remove();
  return nodes;
}

/** Initials for a placeholder: up to two letters from a display name (as text). */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words;
  return letters.map((w) => Array.from(w)[0]!.toUpperCase()).join('') || '?';
}

/** The elements inside `root` a keyboard user can reach with Tab, in DOM order (shadow roots included). */
export function focusable(root: ParentNode): HTMLElement[] {
  const out: HTMLElement[] = [];
  const walk = (node: ParentNode): void => {
    for (const el of Array.from(node.children) as HTMLElement[]) {
      if (el.hidden || el.getAttribute('aria-hidden') === 'true' || el.hasAttribute('inert')) continue;
      if (
        el.matches(
          'button:not([disabled]),a[href],input:not([disabled]),select:not([disabled]),textarea:not([disabled]),[tabindex]:not([tabindex="-1"])',
        )
      )
        out.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
      walk(el);
    }
  };
  walk(root);
  return out;
}
