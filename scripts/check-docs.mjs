#!/usr/bin/env node
/**
 * Builds the API reference (typedoc, as `pnpm run docs`) and fails on any warning that is not in
 * the checked-in baseline `scripts/docs-warnings.txt`: the docs may not get worse, and the
 * warnings they had when this check arrived can be paid off one by one.
 *
 * - `pnpm docs:check` (CI): prints new warnings and fails; prints how many baseline warnings are
 *   gone (run `pnpm docs:baseline` to lock that in).
 * - `pnpm docs:baseline`: rewrites the baseline from the current sources (review its diff).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const baselinePath = join(root, 'scripts', 'docs-warnings.txt');
const update = process.argv.includes('--update');

const r = spawnSync('pnpm', ['exec', 'typedoc'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
// biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes.
const ansi = /\x1b\[[0-9;]*m/g;
const output = `${r.stdout ?? ''}${r.stderr ?? ''}`.replace(ansi, '');
if (r.status !== 0) {
  process.stderr.write(output);
  console.error('check-docs: typedoc failed');
  process.exit(1);
}
// Two forms: `[warning] text`, and `./path:line:col - [warning] text` for a comment in a file (kept
// with its path but not its line, so an edit above it does not make it "new").
const located = /^\.\/(\S+?):\d+:\d+ - \[warning\] (.*)$/;
const warnings = output
  .split('\n')
  .flatMap((l) => {
    const at = located.exec(l);
    if (at) return [`${at[1]}: ${at[2].trim()}`];
    if (l.startsWith('[warning] ') && !/^\[warning\] Found \d+ errors and \d+ warnings/.test(l))
      return [l.slice('[warning] '.length).trim()];
    return [];
  })
  .sort();

if (update) {
  writeFileSync(baselinePath, warnings.length > 0 ? `${warnings.join('\n')}\n` : '');
  console.log(`check-docs: baseline written, ${warnings.length} warning(s) (${baselinePath.slice(root.length)})`);
  process.exit(0);
}

const baseline = existsSync(baselinePath) ? readFileSync(baselinePath, 'utf8').split('\n').filter(Boolean) : [];
// Compare as multisets: the same text may legitimately appear several times.
const remaining = new Map();
for (const w of baseline) remaining.set(w, (remaining.get(w) ?? 0) + 1);
const fresh = [];
for (const w of warnings) {
  const n = remaining.get(w) ?? 0;
  if (n > 0) remaining.set(w, n - 1);
  else fresh.push(w);
}
const gone = [...remaining.values()].reduce((a, b) => a + b, 0);

if (fresh.length > 0) {
  console.error(`check-docs: ${fresh.length} new typedoc warning(s), not in scripts/docs-warnings.txt:`);
  for (const w of fresh) console.error(`  ✗ ${w}`);
  console.error('Fix the TSDoc (or, for a warning you accept on purpose, `pnpm docs:baseline` and commit the baseline).');
  process.exit(1);
}
console.log(
  `check-docs: API reference built, no new warnings (${warnings.length} known${gone > 0 ? `, ${gone} fixed: run \`pnpm docs:baseline\`` : ''})`,
);
