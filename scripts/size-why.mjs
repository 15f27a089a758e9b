#!/usr/bin/env node
/**
 * What pulls the weight in a size-limit check (`pnpm size:why [name filter]`, after `pnpm build`).
 *
 * Bundles each check of `.size-limit.mjs` the way size-limit does (esbuild, browser, minified),
 * prints the gzipped size, the bytes each package contributes and the heaviest files, and writes
 * the esbuild metafile to `.tmp/size/<check>.meta.json` (load it in esbuild's bundle analyser).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import checks from '../.size-limit.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const filter = process.argv[2]?.toLowerCase();
const outDir = join(root, '.tmp', 'size');
mkdirSync(outDir, { recursive: true });
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

for (const c of checks) {
  if (filter && !c.name.toLowerCase().includes(filter)) continue;
  const file = join(root, c.path);
  const contents = c.import
    ? `export ${c.import === '*' ? '*' : c.import} from ${JSON.stringify(file)};`
    : `import ${JSON.stringify(file)};`;
  const result = await build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'error',
  });
  const bytes = result.outputFiles[0].contents;
  const inputs = Object.entries(Object.values(result.metafile.outputs)[0].inputs);
  const byPackage = new Map();
  for (const [path, { bytesInOutput }] of inputs) {
    const dep = path.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/)?.[1];
    const key = dep ?? path.replace(/^packages\/([^/]+)\/.*/, '@alcove/$1');
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  const slug = c.name
    .replace(/[^a-z0-9]+/gi, '-')
    .replace(/^-|-$/g, '')
    .toLowerCase();
  const metaPath = join(outDir, `${slug}.meta.json`);
  writeFileSync(metaPath, JSON.stringify(result.metafile));

  console.log(`\n== ${c.name}: ${kib(gzipSync(bytes, { level: 9 }).length)} gzipped, ${kib(bytes.length)} minified (limit ${c.limit})`);
  console.log('   minified bytes by package:');
  for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).filter(([, v]) => v > 0)) console.log(`   ${kib(v).padStart(10)}  ${k}`);
  console.log('   heaviest files:');
  for (const [path, { bytesInOutput }] of inputs.sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput).slice(0, 12)) {
    console.log(`   ${kib(bytesInOutput).padStart(10)}  ${path.replace(/^.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')}`);
  }
  console.log(`   metafile: ${relative(root, metaPath)}`);
}
