/**
 * Shadow-DOM styles, applied as constructable style sheets (`adoptedStyleSheets`), so a strict CSP
 * without `'unsafe-inline'` styles does not block them. Every surface reads a `--alcove-*` token;
 * light and dark defaults follow `prefers-color-scheme` unless the `theme` attribute says
 * `light` or `dark`.
 */

const LIGHT = `--_bg:var(--alcove-bg,#fff);--_surface:var(--alcove-surface,#f3f4f6);--_raised:var(--alcove-surface-raised,#fff);
--_fg:var(--alcove-fg,#1b1f24);--_muted:var(--alcove-fg-muted,#4b5361);--_border:var(--alcove-border,#8b93a1);
--_accent:var(--alcove-accent,#2c6a59);--_on-accent:var(--alcove-accent-fg,#fff);--_danger:var(--alcove-danger,#a32d1f);
--_on-danger:var(--alcove-danger-fg,#fff);--_warn:var(--alcove-warning,#8a5a00);--_ok:var(--alcove-success,#2c6a3a);
--_focus:var(--alcove-focus,#1a5fb4);--_video:var(--alcove-video-bg,#262a30);--_on-video:var(--alcove-video-fg,#fff);`;
const DARK = `--_bg:var(--alcove-bg,#16181c);--_surface:var(--alcove-surface,#20242a);--_raised:var(--alcove-surface-raised,#2a2f36);
--_fg:var(--alcove-fg,#eceff3);--_muted:var(--alcove-fg-muted,#b5bcc7);--_border:var(--alcove-border,#7c8594);
--_accent:var(--alcove-accent,#7fd1b9);--_on-accent:var(--alcove-accent-fg,#0d2620);--_danger:var(--alcove-danger,#ff9c8f);
--_on-danger:var(--alcove-danger-fg,#2b0904);--_warn:var(--alcove-warning,#f2c66d);--_ok:var(--alcove-success,#8fd6a0);
--_focus:var(--alcove-focus,#8cb8ff);--_video:var(--alcove-video-bg,#0c0d10);--_on-video:var(--alcove-video-fg,#fff);`;

/** Tokens, resets and shared bits (buttons, panels, visually hidden text) for every element. */
export const BASE_CSS = `
:host{${LIGHT}--_radius:var(--alcove-radius,10px);--_space:var(--alcove-space,8px);
display:block;box-sizing:border-box;font:var(--alcove-font,15px/1.45 system-ui,sans-serif);color:var(--_fg);}
@media (prefers-color-scheme:dark){:host(:not([theme=light])){${DARK}}}
:host([theme=dark]){${DARK}}
:host([hidden]),[hidden]{display:none!important}
*,*::before,*::after{box-sizing:inherit}
[part~=base]{color:var(--_fg)}
h2,h3{margin:0;font-size:1.1em;line-height:1.3}
p{margin:0}
button,select,input,textarea{font:inherit;color:inherit}
button,.btn{display:inline-flex;align-items:center;justify-content:center;gap:6px;min-height:44px;min-width:44px;padding:8px 14px;
border-radius:calc(var(--_radius)*.6);border:1px solid var(--_border);background:var(--_raised);color:var(--_fg);cursor:pointer;text-decoration:none}
button:hover{border-color:var(--_fg)}
button[disabled]{opacity:.55;cursor:not-allowed}
button.primary,button[aria-pressed=true]{background:var(--_accent);border-color:var(--_accent);color:var(--_on-accent)}
button.danger{background:var(--_danger);border-color:var(--_danger);color:var(--_on-danger)}
select,input,textarea{min-height:44px;padding:8px 10px;border:1px solid var(--_border);border-radius:calc(var(--_radius)*.6);background:var(--_raised);max-width:100%}
:focus-visible{outline:3px solid var(--_focus);outline-offset:2px}
[tabindex="-1"]:focus{outline:none}
a{color:var(--_accent)}
.panel{background:var(--_surface);color:var(--_fg);border:1px solid var(--_border);border-radius:var(--_radius);padding:calc(var(--_space)*2);display:grid;gap:var(--_space)}
.row{display:flex;flex-wrap:wrap;gap:var(--_space);align-items:center}
.muted{color:var(--_muted)}
ul{list-style:none;margin:0;padding:0;display:grid;gap:var(--_space)}
.sr-only{position:absolute;width:1px;height:1px;margin:-1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
dialog{background:var(--_raised);color:var(--_fg);border:1px solid var(--_border);border-radius:var(--_radius);padding:calc(var(--_space)*2);max-width:min(90vw,28rem)}
dialog::backdrop{background:rgb(0 0 0/.5)}
@media (prefers-reduced-motion:no-preference){button{transition:background-color .15s,border-color .15s}}
`;

const cache = new Map<string, CSSStyleSheet>();

/** Applies style sheets to a shadow root: adopted sheets where supported, else `<style>` elements. */
export function adoptStyles(root: ShadowRoot, sheets: readonly string[]): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
    root.adoptedStyleSheets = sheets.map((css) => {
      let sheet = cache.get(css);
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(css);
        cache.set(css, sheet);
      }
      return sheet;
    });
    return;
  }
  for (const css of sheets) {
    const style = root.ownerDocument.createElement('style');
    style.textContent = css;
    root.append(style);
  }
}
