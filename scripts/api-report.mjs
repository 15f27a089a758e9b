#!/usr/bin/env node
/**
 * API reports: the public surface of every entry of every public package, as API Extractor sees it
 * in the built `.d.ts`, checked in under `packages/<pkg>/api/<pkg>[-<subpath>].api.md`.
 *
 * - `pnpm api:update` (after `pnpm build`): rewrites the reports; commit them with the change
 *   that altered the API, so reviewers see the public surface move.
 * - `pnpm api:check` (CI): fails when a report is missing, stale or no longer matches an entry,
 *   printing the diff and the command that fixes it.
 * - Either takes package folder names to limit the run: `pnpm api:update sfu core`.
 *
 * Entries come from each package's `exports` map (every subpath with `types`), so a new subpath
 * such as `@alcove/core/checklist` gets its report without touching this script.
 * API Extractor 7.60 bundles TypeScript 6.0.3, the version the project builds with.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));
const mode = process.argv.includes('--update') ? 'update' : 'check';
const verbose = process.argv.includes('--verbose');
const only = new Set(process.argv.slice(2).filter((a) => !a.startsWith('--')));
const packagesDir = join(root, 'packages');
const temp = mkdtempSync(join(tmpdir(), 'alcove-api-'));
const problems = [];
let written = 0;

/** Report file name for an `exports` key: `.` → core.api.md, `./e2ee-worker` → core-e2ee-worker.api.md. */
const reportName = (short, key) => `${key === '.' ? short : `${short}-${key.slice(2).replace(/[^a-z0-9]+/gi, '-')}`}.api.md`;

try {
  for (const dir of readdirSync(packagesDir).sort()) {
    if (only.size > 0 && !only.has(dir)) continue;
    const pkgDir = join(packagesDir, dir);
    const manifestPath = join(pkgDir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private) continue;
    const short = manifest.name.replace(/^@alcove\//, '');
    const reportFolder = join(pkgDir, 'api');
    const expected = new Set();

    for (const [key, target] of Object.entries(manifest.exports ?? {})) {
      const types = typeof target === 'object' ? target.types : undefined;
      if (!types) continue;
      const entry = join(pkgDir, types);
      const name = reportName(short, key);
      const label = `${manifest.name}${key === '.' ? '' : key.slice(1)}`;
      expected.add(name);
      if (!existsSync(entry)) {
        problems.push(`${label}: ${relative(root, entry)} does not exist; run \`pnpm build\` first`);
        continue;
      }
      const tempFolder = join(temp, short);
      mkdirSync(tempFolder, { recursive: true });
      if (mode === 'update') mkdirSync(reportFolder, { recursive: true });
      const config = ExtractorConfig.prepare({
        configObject: {
          projectFolder: pkgDir,
          mainEntryPointFilePath: entry,
          bundledPackages: [],
          compiler: {
            overrideTsconfig: {
              compilerOptions: {
                target: 'ES2023',
                lib: ['ES2023', 'DOM', 'DOM.Iterable'],
                module: 'ESNext',
                moduleResolution: 'Bundler',
                types: ['node'],
                strict: true,
                skipLibCheck: true,
              },
              files: [entry],
            },
          },
          apiReport: { enabled: true, reportFileName: name, reportFolder, reportTempFolder: tempFolder },
          // API Extractor writes CRLF by default; the repository's files are LF.
          newlineKind: 'lf',
          docModel: { enabled: false },
          dtsRollup: { enabled: false },
          tsdocMetadata: { enabled: false },
          messages: {
            compilerMessageReporting: { default: { logLevel: 'warning' } },
            extractorMessageReporting: {
              default: { logLevel: 'warning', addToApiReportFile: true },
              // We mark nothing @public/@beta: everything exported from an entry is public.
              'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
              // Documentation is typedoc's job (`pnpm docs:check`); these notes carry .d.ts line
              // numbers, so every unrelated edit would show up as a report change.
              'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
              'ae-misplaced-package-tag': { logLevel: 'none', addToApiReportFile: false },
            },
            // typedoc tags (@module, @category…) are not TSDoc's; typedoc validates the docs.
            tsdocMessageReporting: { default: { logLevel: 'none', addToApiReportFile: false } },
          },
        },
        configObjectFullPath: join(pkgDir, 'api-extractor.json'),
        packageJsonFullPath: manifestPath,
      });
      const result = Extractor.invoke(config, {
        localBuild: mode === 'update',
        showVerboseMessages: verbose,
        messageCallback: (m) => {
          // Differences are reported below with a diff, not as API Extractor's own warning.
          if (m.messageId === 'console-api-report-changed' || m.messageId === 'console-api-report-copied')
            m.logLevel = ExtractorLogLevel.None;
          if (m.messageId === 'console-api-report-created' || m.messageId === 'console-api-report-not-copied')
            m.logLevel = ExtractorLogLevel.None;
          if (m.messageId === 'console-preamble' && !verbose) m.logLevel = ExtractorLogLevel.None;
        },
      });
      const reportPath = join(reportFolder, name);
      if (mode === 'update') {
        if (result.apiReportChanged) written++;
        console.log(`${result.apiReportChanged ? 'updated' : 'unchanged'}  ${relative(root, reportPath)}`);
      } else if (result.apiReportChanged) {
        const fresh = join(tempFolder, name);
        const diff = spawnSync(
          'git',
          ['diff', '--no-index', '--no-color', '--', existsSync(reportPath) ? reportPath : '/dev/null', fresh],
          {
            encoding: 'utf8',
          },
        ).stdout;
        console.error(`\n--- ${label}: the public API differs from ${relative(root, reportPath)}\n${diff}`);
        problems.push(`${label}: API report ${relative(root, reportPath)} is ${existsSync(reportPath) ? 'out of date' : 'missing'}`);
      } else {
        console.log(`ok  ${label}  (${relative(root, reportPath)})`);
      }
      if (result.errorCount > 0) problems.push(`${label}: API Extractor reported ${result.errorCount} error(s) (see above)`);
    }

    // A report whose entry is gone (subpath removed or renamed) is stale too.
    if (existsSync(reportFolder)) {
      for (const f of readdirSync(reportFolder)) {
        if (!f.endsWith('.api.md') || expected.has(f)) continue;
        if (mode === 'update') {
          rmSync(join(reportFolder, f));
          console.log(`removed    ${relative(root, join(reportFolder, f))} (no such entry any more)`);
        } else {
          problems.push(`${manifest.name}: ${relative(root, join(reportFolder, f))} matches no entry in package.json \`exports\``);
        }
      }
    }
  }
} finally {
  rmSync(temp, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`\napi:${mode}: FAILED`);
  for (const p of problems) console.error(`  ✗ ${p}`);
  if (mode === 'check') {
    console.error(
      '\nIf the change to the public API is intended: `pnpm build && pnpm api:update`, review the diff of packages/*/api/, commit it.',
    );
  }
  process.exit(1);
}
console.log(mode === 'update' ? `\napi:update: ${written} report(s) written` : '\napi:check: every API report matches');
