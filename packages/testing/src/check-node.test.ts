import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The README's Node check (scripts/check-node.mjs), run the way `pnpm install/start/test/build`
// run it, with the version injected as its argument.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const script = `${root}scripts/check-node.mjs`;
const check = (version?: string) =>
  spawnSync(process.execPath, version ? [script, version] : [script], { cwd: root, encoding: 'utf8', timeout: 30_000 });
const engines = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { engines: { node: string } }).engines.node;

describe('scripts/check-node.mjs', () => {
  it.each(['22.11.0', 'v22.18.0', '20.19.2', '24.10.0', '25.2.1'])('refuses Node %s with one clear line and exit 1', (version) => {
    const r = check(version);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Alcove needs Node.js 24.11 or a later 24.x, or 26 or newer');
    expect(lines[0]).toContain(`this is Node.js ${version.replace(/^v/, '')}`);
    // …and how to get it.
    expect(lines[0]).toContain('npm install -g --prefix "$HOME/.node24" node@24');
  });

  it('refuses something that is not a version', () => {
    const r = check('banana');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('this is Node.js banana');
  });

  it.each(['24.11.0', '24.21.0', '26.0.0', '27.3.1'])('accepts Node %s silently', (version) => {
    const r = check(version);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('accepts the Node running these tests', () => {
    expect(check().status).toBe(0);
  });

  it('agrees with the README and CI', () => {
    expect(engines).toBe('^24.11.0 || >=26.0.0');
    const readme = readFileSync(`${root}README.md`, 'utf8');
    expect(readme).toContain('Node.js 24.11 or a later 24.x, or 26 or newer');
    const ci = readFileSync(`${root}.ci/run`, 'utf8');
    expect(ci).toContain('scripts/check-node.mjs');
  });
});
