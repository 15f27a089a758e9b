/**
 * Writes docs/components/<tag>.md and docs/components/README.md from custom-elements.json (the
 * manifest generated from the elements' JSDoc). Run by `pnpm --filter @alcove/ui manifest`.
 * `CEM_MANIFEST` and `COMPONENT_DOCS_OUT` read and write elsewhere (used by the manifest test).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ui = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = process.env.COMPONENT_DOCS_OUT ?? join(ui, '..', '..', 'docs', 'components');
const manifest = JSON.parse(readFileSync(process.env.CEM_MANIFEST ?? join(ui, 'custom-elements.json'), 'utf8'));
const cell = (s = '') => String(s).replace(/\|/g, '\\|').replace(/\n+/g, ' ');
const table = (head, rows) =>
  rows.length
    ? [
        `| ${head.join(' | ')} |`,
        `| ${head.map(() => '---').join(' | ')} |`,
        ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
        '',
      ].join('\n')
    : '';

mkdirSync(out, { recursive: true });
const index = [];
for (const mod of manifest.modules) {
  for (const d of mod.declarations ?? []) {
    if (!d.tagName) continue;
    index.push([`[\`<${d.tagName}>\`](${d.tagName}.md)`, d.summary ?? '']);
    const fields = (d.members ?? []).filter((m) => m.kind === 'field' && !m.static);
    const methods = (d.members ?? []).filter((m) => m.kind === 'method' && !m.static && m.description);
    const section = (title, body) => (body ? `## ${title}\n\n${body}` : '');
    const md = [
      `# \`<${d.tagName}>\``,
      '<!-- Generated from custom-elements.json by packages/ui/scripts/component-docs.mjs: do not edit. -->',
      d.description ?? '',
      `Class \`${d.name}\` (\`${mod.path}\`).`,
      section(
        'Attributes',
        table(
          ['attribute', 'type', 'description'],
          (d.attributes ?? []).map((a) => [`\`${a.name}\``, a.type?.text ?? '', a.description ?? '']),
        ),
      ),
      section(
        'Properties',
        table(
          ['property', 'type', 'description'],
          fields.map((f) => [`\`${f.name}\``, f.type?.text ?? '', f.description ?? '']),
        ),
      ),
      section(
        'Methods',
        table(
          ['method', 'description'],
          methods.map((m) => [`\`${m.name}()\``, m.description ?? '']),
        ),
      ),
      section(
        'Events',
        table(
          ['event', 'description'],
          (d.events ?? []).map((e) => [`\`${e.name}\``, e.description ?? '']),
        ),
      ),
      section(
        'CSS parts',
        table(
          ['part', 'description'],
          (d.cssParts ?? []).map((p) => [`\`${p.name}\``, p.description ?? '']),
        ),
      ),
      section(
        'CSS custom properties',
        table(
          ['property', 'description'],
          (d.cssProperties ?? []).map((p) => [`\`${p.name}\``, p.description ?? '']),
        ),
      ),
    ].filter((x) => x.trim() !== '');
    writeFileSync(join(out, `${d.tagName}.md`), `${md.join('\n\n').trimEnd()}\n`);
  }
}
writeFileSync(
  join(out, 'README.md'),
  `# Alcove components\n\n<!-- Generated from packages/ui/custom-elements.json: do not edit. -->\n\nEvery element of \`@alcove/ui\`; theming, languages and security are in [../ui.md](../ui.md).\n\n${table(['element', 'what it is'], index)}`,
);
console.log(`docs/components: ${index.length} elements`);
