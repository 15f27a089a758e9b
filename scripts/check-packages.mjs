#!/usr/bin/env node
/**
 * Checks what npm would actually receive: builds the packages, packs every public one with
 * `pnpm pack` into a temporary folder, and runs on each tarball
 *
 * - publint (`--strict`: warnings fail too): `exports` targets exist, `types` first, module format, `files`…
 * - @arethetypeswrong/cli (profile `esm-only`: our packages are ESM-only by design, so the
 *   CommonJS and node10 resolutions are not checked): every `exports` entry resolves to types
 *   that match its JavaScript under `node16` and `bundler` resolution;
 * - our own rules: the packed package.json carries no `workspace:` / `catalog:` specifier, and the
 *   tarball holds only `dist/`, README, LICENSE, package.json and a custom-elements manifest (no sources, tests or fixtures).
 *
 * Usage: `pnpm check:packages` (builds first) or `node scripts/check-packages.mjs --no-build`
 * (CI, after `pnpm build`). Exits 1 with one line per failure at the end.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = new Set(process.argv.slice(2));
const failures = [];

/** Runs a command, streaming its output; returns its exit status. */
function run(cmd, cmdArgs, cwd = root) {
  const r = spawnSync(cmd, cmdArgs, { cwd, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

/** Runs a command and returns its standard output. */
function capture(cmd, cmdArgs, cwd = root) {
  const r = spawnSync(cmd, cmdArgs, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')} exited with ${r.status}`);
  return r.stdout;
}

const packagesDir = join(root, 'packages');
const packages = readdirSync(packagesDir, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => ({ dir: join(packagesDir, d.name), manifest: JSON.parse(readFileSync(join(packagesDir, d.name, 'package.json'), 'utf8')) }))
  .filter((p) => !p.manifest.private);

if (!args.has('--no-build')) {
  console.log('\n== pnpm build');
  if (run('pnpm', ['build']) !== 0) {
    console.error('check-packages: the build failed');
    process.exit(1);
  }
}

const dest = mkdtempSync(join(tmpdir(), 'alcove-packs-'));
const allowed = /^(dist\/.+|README\.md|LICENSE(\.md)?|package\.json|custom-elements\.json)$/;
try {
  for (const { dir, manifest } of packages) {
    const name = manifest.name;
    console.log(`\n== ${name}`);
    const packed = JSON.parse(capture('pnpm', ['pack', '--json', '--pack-destination', dest], dir));
    const tarball = packed.filename;
    const files = packed.files.map((f) => f.path);
    console.log(`packed ${files.length} files, ${(packed.size / 1024).toFixed(1)} KB: ${tarball}`);

    const stray = files.filter((f) => !allowed.test(f) || /\.(test|browser\.test)\.|\/browser-test\//.test(f));
    if (stray.length > 0) failures.push(`${name}: the tarball holds files outside the whitelist: ${stray.join(', ')}`);

    const inner = JSON.parse(capture('tar', ['-xzOf', tarball, 'package/package.json']));
    const specs = ['dependencies', 'peerDependencies', 'optionalDependencies'].flatMap((k) => Object.entries(inner[k] ?? {}));
    const unresolved = specs.filter(([, v]) => /^(workspace|catalog):/.test(String(v)));
    if (unresolved.length > 0)
      failures.push(`${name}: unresolved specifiers in the packed package.json: ${unresolved.map(([k, v]) => `${k}@${v}`).join(', ')}`);

    console.log('-- publint --strict');
    if (run('pnpm', ['exec', 'publint', 'run', tarball, '--strict']) !== 0) failures.push(`${name}: publint reported problems (see above)`);

    console.log('-- attw --profile esm-only');
    if (run('pnpm', ['exec', 'attw', tarball, '--profile', 'esm-only', '--format', 'table-flipped', '--no-emoji']) !== 0) {
      failures.push(`${name}: @arethetypeswrong/cli reported problems (see above)`);
    }
  }
} finally {
  rmSync(dest, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`\ncheck-packages: FAILED (${failures.length})`);
  for (const f of failures) console.error(`  ✗ ${f}`);
  process.exit(1);
}
console.log(`\ncheck-packages: ${packages.length} packages OK (${packages.map((p) => p.manifest.name).join(', ')})`);
