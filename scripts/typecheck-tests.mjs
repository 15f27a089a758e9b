#!/usr/bin/env node
/**
 * Type-checks the tests of packages whose sources must not see Node's types (browser and
 * isomorphic packages): each `packages/<pkg>/tsconfig.test.json`, after the package's own
 * `typecheck` has checked its sources with `tsconfig.json`. Part of `pnpm typecheck`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const configs = readdirSync(join(root, 'packages'))
  .map((dir) => join(root, 'packages', dir, 'tsconfig.test.json'))
  .filter((p) => existsSync(p));
const failed = [];
for (const config of configs) {
  const r = spawnSync('pnpm', ['exec', 'tsc', '-p', config, '--noEmit'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed.push(relative(root, config));
}
if (failed.length > 0) {
  console.error(`typecheck-tests: type errors in ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`typecheck-tests: ${configs.map((c) => relative(root, c)).join(', ')} OK`);
