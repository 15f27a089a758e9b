import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineAlcoveElements, ELEMENTS } from './define.js';

defineAlcoveElements();

// The custom-elements manifest is generated from the elements' JSDoc and the component docs from
// the manifest; both are committed. Generating them again must give the same files.

const ui = dirname(import.meta.dirname);
const docs = join(ui, '..', '..', 'docs', 'components');
const pkg = JSON.parse(readFileSync(join(ui, 'package.json'), 'utf8')) as {
  customElements?: string;
  exports: Record<string, unknown>;
  files: string[];
};
const committed = JSON.parse(readFileSync(join(ui, 'custom-elements.json'), 'utf8')) as {
  modules: { declarations?: { tagName?: string; summary?: string; cssParts?: { name: string }[]; attributes?: { name: string }[] }[] }[];
};
const declarations = committed.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName);

describe('custom-elements.json', () => {
  it('is referenced from package.json and published', () => {
    expect(pkg.customElements).toBe('custom-elements.json');
    expect(pkg.exports['./custom-elements.json']).toBe('./custom-elements.json');
    expect(pkg.files).toContain('custom-elements.json');
  });

  it('declares every element with a summary, a base part and its attributes', () => {
    expect(declarations.map((d) => d.tagName).sort()).toEqual(Object.keys(ELEMENTS).sort());
    for (const d of declarations) {
      expect(d.summary, d.tagName).toBeTruthy();
      expect(
        d.cssParts?.map((p) => p.name),
        d.tagName,
      ).toContain('base');
      expect(
        d.attributes?.map((a) => a.name),
        d.tagName,
      ).toEqual(expect.arrayContaining(['lang', 'theme']));
    }
  });

  it("every element's shadow root has the documented base part", () => {
    for (const tag of Object.keys(ELEMENTS)) {
      const el = document.createElement(tag);
      expect(el.shadowRoot?.querySelector('[part~=base]'), tag).toBeTruthy();
    }
  });

  it('composites name every inner element as a part and pass its parts on (exportparts)', () => {
    const missing: string[] = [];
    for (const tag of Object.keys(ELEMENTS)) {
      const el = document.createElement(tag);
      for (const inner of el.shadowRoot!.querySelectorAll('*')) {
        if (!inner.tagName.toLowerCase().startsWith('alcove-')) continue;
        const name = `${tag} > ${inner.tagName.toLowerCase()}`;
        if (!inner.getAttribute('part')) missing.push(`${name}: part`);
        if (!inner.getAttribute('exportparts')) missing.push(`${name}: exportparts`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('is what the analyzer makes of the JSDoc today, and the component docs are what the manifest gives', () => {
    const out = mkdtempSync(join(tmpdir(), 'alcove-cem-'));
    try {
      const cli = join(ui, 'node_modules', '@custom-elements-manifest', 'analyzer', 'cem.js');
      // The analyzer joins its outdir to the working directory: give it a relative path.
      execFileSync(process.execPath, [cli, 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet'], {
        cwd: ui,
        env: { ...process.env, CEM_OUTDIR: relative(ui, out) },
        stdio: 'pipe',
      });
      const fresh = JSON.parse(readFileSync(join(out, 'custom-elements.json'), 'utf8'));
      expect(fresh, 'custom-elements.json is stale: run pnpm --filter @alcove/ui manifest').toEqual(committed);

      const docsOut = join(out, 'docs');
      execFileSync(process.execPath, [join(ui, 'scripts', 'component-docs.mjs')], {
        cwd: ui,
        env: { ...process.env, CEM_MANIFEST: join(out, 'custom-elements.json'), COMPONENT_DOCS_OUT: docsOut },
        stdio: 'pipe',
      });
      const files = readdirSync(docsOut).sort();
      expect(files).toEqual([...Object.keys(ELEMENTS).map((t) => `${t}.md`), 'README.md'].sort());
      for (const f of files)
        expect(readFileSync(join(docsOut, f), 'utf8'), `docs/components/${f} is stale: run pnpm --filter @alcove/ui manifest`).toBe(
          readFileSync(join(docs, f), 'utf8'),
        );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
