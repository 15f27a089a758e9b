#!/usr/bin/env node
/**
 * Refuses a Node.js this repository does not work on, with one line saying what is needed and how
 * to get it. Runs before `pnpm install` (root `preinstall`), `pnpm start`, `pnpm test` and
 * `pnpm build`. The supported range is the root package.json's `engines.node` (one source of
 * truth; see docs/decisions/2026-11-28-node-version.md).
 *
 * Usage: `node scripts/check-node.mjs [version]`. The optional version (e.g. `22.11.0`) stands in
 * for the running Node's, so the check itself can be tested. Exit 0 when supported, 1 when not.
 *
 * Deliberately plain: no dependencies, no syntax newer than what old Node releases understand, so
 * that it runs, and explains, on exactly the Node versions it refuses.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const GET_NODE = 'npm install -g --prefix "$HOME/.node24" node@24 && export PATH="$HOME/.node24/bin:$PATH"';

function parseVersion(text) {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(String(text).trim());
  return m ? [Number(m[1]), Number(m[2] || 0), Number(m[3] || 0)] : null;
}

function compare(a, b) {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

function short(v) {
  return v[2] ? `${v[0]}.${v[1]}.${v[2]}` : v[1] ? `${v[0]}.${v[1]}` : `${v[0]}`;
}

/**
 * Reads an `engines.node` range made of `^X.Y.Z` and `>=X.Y.Z` parts joined by `||` (the only
 * forms this repository uses). Anything else is a mistake in package.json and is reported as such.
 */
export function parseRange(range) {
  return String(range)
    .split('||')
    .map((part) => {
      const p = part.trim();
      const m = /^(\^|>=)\s*(\d+(?:\.\d+){0,2})$/.exec(p);
      if (!m) throw new Error(`scripts/check-node.mjs understands engines.node parts like "^24.11.0" or ">=26.0.0", not "${p}"`);
      const min = parseVersion(m[2]);
      if (m[1] === '^') {
        return {
          min,
          test: (v) => v[0] === min[0] && compare(v, min) >= 0,
          text: min[1] || min[2] ? `${short(min)} or a later ${min[0]}.x` : `${min[0]}.x`,
        };
      }
      return { min, test: (v) => compare(v, min) >= 0, text: `${short(min)} or newer` };
    });
}

/**
 * Checks `version` against `range`. Returns null when it is supported, else the one-line message.
 */
export function checkNode(version, range) {
  const parts = parseRange(range);
  const v = parseVersion(version);
  if (v && parts.some((p) => p.test(v))) return null;
  const lowest = parts.map((p) => p.min).sort(compare)[0];
  return (
    `Alcove needs Node.js ${parts.map((p) => p.text).join(', or ')}; this is Node.js ${String(version).replace(/^v/, '')}. ` +
    `Get Node ${lowest[0]} beside the system one: ${GET_NODE.replace(/24/g, String(lowest[0]))} (README, Requirements).`
  );
}

/**
 * Exits the process with the one-line message (status 1) unless `version` (default: the running
 * Node's) satisfies the root package.json's `engines.node`.
 */
export function assertSupportedNode(version) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const range = pkg.engines?.node;
  if (!range) {
    process.stderr.write('scripts/check-node.mjs: the root package.json has no engines.node\n');
    process.exit(2);
  }
  let message;
  try {
    message = checkNode(version || process.versions.node, range);
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(2);
  }
  if (message) {
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) assertSupportedNode(process.argv[2]);
