/**
 * Shadow-DOM styles, applied as constructable style sheets (`adoptedStyleSheets`), so a strict CSP
 * without `'unsafe-inline'` styles does not block them. Theme through `--alcove-*` properties.
 */
export const BASE_CSS = `
:host { display: block; font: var(--alcove-font, 14px/1.4 system-ui, sans-serif); color: var(--alcove-fg, #1d2127);
  --_bg: var(--alcove-bg, #f6f7f9); --_accent: var(--alcove-accent, #2f6f5e); --_danger: var(--alcove-danger, #a33a2b);
  --_radius: var(--alcove-radius, 10px); }
:host([hidden]) { display: none; }
[part~="base"] { background: var(--_bg); border-radius: var(--_radius); padding: 12px; display: grid; gap: 12px; }
[part~="status"] { font-weight: 600; }
[part~="grid"] { display: grid; gap: 8px; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr)); }
[part~="controls"] { display: flex; gap: 8px; flex-wrap: wrap; }
button { font: inherit; padding: 8px 14px; border-radius: calc(var(--_radius) / 2); border: 1px solid currentColor;
  background: #fff; color: inherit; cursor: pointer; }
button:focus-visible { outline: 3px solid var(--_accent); outline-offset: 2px; }
button[aria-pressed="true"] { background: var(--_accent); color: #fff; }
button.leave { border-color: var(--_danger); color: var(--_danger); }
[part~="panel"] { padding: 12px; background: #fff; border-radius: var(--_radius); }
ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 6px; }
li { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (prefers-reduced-motion: no-preference) { [part~="base"] { transition: background 150ms; } }
`;

export const TILE_CSS = `
:host { display: block; position: relative; background: #111; border-radius: var(--alcove-radius, 10px); overflow: hidden;
  aspect-ratio: 4 / 3; color: #fff; }
video { width: 100%; height: 100%; object-fit: cover; display: block; }
[part~="name"] { position: absolute; left: 8px; bottom: 8px; background: rgba(0,0,0,.6); padding: 2px 8px; border-radius: 6px; }
`;

const cache = new Map<string, CSSStyleSheet>();

/** Applies `css` to a shadow root: an adopted sheet where supported, else a `<style>` element. */
export function adoptStyles(root: ShadowRoot, css: string): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
    let sheet = cache.get(css);
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      cache.set(css, sheet);
    }
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return;
  }
  const style = root.ownerDocument.createElement('style');
  style.textContent = css;
  root.append(style);
}
