#!/usr/bin/env node
/**
 * What pulls the weight in a size-limit check (`pnpm size:why [name filter]`, after `pnpm build`).
 *
 * Bundles each check of `.size-limit.mjs` the way size-limit does (esbuild, browser, minified; the
 * same `import`, `ignore` and entry), prints the gzipped size, the minified bytes each package
 * contributes and the heaviest source files, and writes the esbuild metafile to
 * `.tmp/size/<check>.meta.json` (load it in esbuild's bundle analyser).
 *
 * Bytes are attributed through source maps, so code bundled inside our own `dist` files
 * (mediasoup-client inside `@alcove/core`) is counted under the package it comes from; `(unmapped)`
 * is bundler glue and the inner lines of multi-line strings. `TOP=40` lists more sources. Checks listed in `addedOver` also print what they add to another check.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import checks, { addedOver } from '../.size-limit.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const filter = process.argv[2]?.toLowerCase();
const outDir = join(root, '.tmp', 'size');
mkdirSync(outDir, { recursive: true });
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const abs = (p) => (isAbsolute(p) ? p : join(root, p));

/** The entry size-limit writes for a check: one import line per file, or the file itself. */
function entryOf(c) {
  if (!c.import) return { entryPoints: (Array.isArray(c.path) ? c.path : [c.path]).map(abs) };
  const imports = typeof c.import === 'string' ? { [Array.isArray(c.path) ? c.path[0] : c.path]: c.import } : c.import;
  const contents = Object.entries(imports)
    .map(
      ([file, what], i) =>
        `import ${what === '*' ? `* as all${i}` : what} from ${JSON.stringify(abs(file))};\nconsole.log(${what === '*' ? `all${i}` : what.replace(/[{}]/g, '')});`,
    )
    .join('\n');
  return { stdin: { contents, resolveDir: root, loader: 'js', sourcefile: 'size-check-entry.js' } };
}

async function bundle(c) {
  const result = await build({
    ...entryOf(c),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: c.ignore ?? [],
    write: false,
    outdir: join(outDir, 'out'),
    sourcemap: 'external',
    metafile: true,
    logLevel: 'error',
  });
  const js = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const map = JSON.parse(result.outputFiles.find((f) => f.path.endsWith('.js.map')).text);
  return { metafile: result.metafile, bytes: js.contents, bySource: bytesBySource(js.text, map) };
}

/** Output with no source behind it: bundler glue, and the inner lines of multi-line strings (the UI's CSS). */
const UNMAPPED = '(unmapped)';

/** Output characters per original source, from the output's source map (esbuild chains our dist maps). */
function bytesBySource(code, map) {
  const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const lines = code.split('\n');
  const out = new Map();
  const add = (k, n) => out.set(k, (out.get(k) ?? 0) + n);
  let source = 0;
  map.mappings.split(';').forEach((line, lineNo) => {
    const segments = [];
    let col = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const values = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = B64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      col += values[0];
      if (values.length > 1) source += values[1];
      segments.push({ col, source: values.length > 1 ? source : -1 });
      // Later fields (line, column, name) are relative too but not needed here.
    }
    const length = (lines[lineNo] ?? '').length;
    let covered = 0;
    segments.forEach((s, i) => {
      const end = segments[i + 1]?.col ?? length;
      add(s.source >= 0 ? map.sources[s.source] : UNMAPPED, end - s.col);
      covered += end - s.col;
    });
    add(UNMAPPED, length - covered + 1);
  });
  return out;
}

const packageOf = (source) => {
  const dep = source.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/)?.[1];
  if (dep) return dep;
  const ours = source.match(/packages\/([^/]+)\//)?.[1];
  return ours ? `@alcove/${ours}` : source;
};
const shortName = (source) => source.replace(/^.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(/^(\.\.\/)+/, '');

const gzipped = (bytes) => gzipSync(bytes, { level: 9 }).length;
const sumBy = (bySource, sign = 1, into = new Map()) => {
  for (const [src, n] of bySource) into.set(packageOf(src), (into.get(packageOf(src)) ?? 0) + sign * n);
  return into;
};
const rows = (map, min) => [...map].sort((a, b) => b[1] - a[1]).filter(([, v]) => Math.abs(v) >= min);
const top = Number(process.env.TOP ?? 14);

const measured = new Map();
const measure = async (c) => {
  if (!measured.has(c.name)) {
    const r = await bundle(c);
    measured.set(c.name, { ...r, gz: gzipped(r.bytes), min: r.bytes.length });
  }
  return measured.get(c.name);
};

for (const c of checks) {
  if (filter && !c.name.toLowerCase().includes(filter)) continue;
  const r = await measure(c);
  const slug = c.name
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  const metaPath = join(outDir, `${slug}.meta.json`);
  writeFileSync(metaPath, JSON.stringify(r.metafile));

  console.log(`\n== ${c.name}: ${kib(r.gz)} gzipped, ${kib(r.min)} minified (limit ${c.limit})`);
  console.log('   minified bytes by package:');
  for (const [k, v] of rows(sumBy(r.bySource), 52)) console.log(`   ${kib(v).padStart(10)}  ${k}`);
  console.log(`   heaviest sources (TOP=${top}):`);
  for (const [src, n] of rows(r.bySource, 0).slice(0, top)) console.log(`   ${kib(n).padStart(10)}  ${shortName(src)}`);
  const baseName = addedOver?.[c.name];
  if (baseName) {
    const b = await measure(checks.find((x) => x.name === baseName));
    console.log(`   adds ${kib(r.gz - b.gz)} gzipped, ${kib(r.min - b.min)} minified to "${baseName}"; by package:`);
    for (const [k, v] of rows(sumBy(b.bySource, -1, sumBy(r.bySource)), 102))
      console.log(`   ${`${v > 0 ? '+' : ''}${kib(v)}`.padStart(11)}  ${k}`);
  }
  console.log(`   metafile: ${relative(root, metaPath)}`);
}
