/**
 * The packed-tarball install check (`scripts/pack-install.mjs`) as part of `pnpm test` (which
 * builds first): every public package packs, installs with plain npm into an app outside the
 * workspace, and a server + admin flow runs with the installed packages.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ESM script without type declarations
import { PUBLIC_PACKAGES, packAndInstall } from './pack-install.mjs';

type Result = {
  report: Record<string, unknown>;
  tarballs: string[];
  installed: string[];
  help: string;
  manifests: Record<string, { license?: string; exports?: Record<string, unknown>; types?: string; dependencies?: Record<string, string> }>;
  work: string;
};

describe('installable packages', () => {
  it('packs every public package, installs the tarballs with npm into a fresh app and runs a server + admin flow', async () => {
    const r = (await packAndInstall()) as Result;
    expect(existsSync(r.work)).toBe(false); // the temporary folder is gone
    expect(r.installed).toEqual([...(PUBLIC_PACKAGES as string[])].sort());
    expect(r.help).toMatch(/^alcove-server/);
    expect(r.report).toEqual({
      sessionCreated: true,
      joined: 'joined',
      endedReason: 'admin',
      sessionState: 'ended',
      core: true,
      coreWorker: true,
      ui: true,
      missingTypes: [],
      licences: true,
      workerSelfContained: true,
      uiBundle: true,
    });
    for (const [name, m] of Object.entries(r.manifests)) {
      expect(m.license, name).toBe('Apache-2.0');
      expect(m.types, name).toMatch(/^\.\/dist\/.+\.d\.ts$/);
      expect(Object.keys(m.exports ?? {}), name).toContain('.');
      for (const spec of Object.values(m.dependencies ?? {})) expect(spec, name).not.toMatch(/^(workspace|catalog):/);
    }
  });
});
