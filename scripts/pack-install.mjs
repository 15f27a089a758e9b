#!/usr/bin/env node
/**
 * What an integrator outside this monorepo gets: packs every public `@alcove/*` package with
 * `pnpm pack` (which resolves `workspace:` and `catalog:` specifiers), installs the tarballs into a
 * fresh app in a temporary folder outside the workspace with plain `npm install` (registry
 * dependencies from npm, `--prefer-offline` so the machine's npm cache is used when it can be), and
 * runs a small app with them: `alcove-server --help` through the installed bin, then a server
 * started with `createAlcoveServer`, a session created and a token minted with
 * `AlcoveAdminClient`, a WebSocket join with that token, the session ended from the admin API (the
 * participant is told), and the resolution of `@alcove/core`, `@alcove/core/e2ee-worker` and
 * `@alcove/ui` (files and types present). The temporary folder is removed at the end.
 *
 * Usage: `node scripts/pack-install.mjs` after `pnpm build` (prints the app's report as JSON);
 * `scripts/pack-install.test.ts` runs it as part of `pnpm test`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The public packages, in dependency order. */
export const PUBLIC_PACKAGES = ['protocol', 'sfu', 'server', 'core', 'ui'];

/** Runs a command; returns stdout, throws with stderr's tail on failure. */
function run(cmd, args, cwd, env = {}) {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', npm_config_update_notifier: 'false', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) {
    const tail = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status} in ${cwd}:\n${tail}`);
  }
  return r.stdout;
}

/** The app: server + admin flow with the installed packages; prints one JSON report. */
const APP = `
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createAlcoveServer } from '@alcove/server';
import { AlcoveAdminClient } from '@alcove/server/client';

const report = {};
const dataDir = mkdtempSync(join(tmpdir(), 'alcove-app-data-'));
const apiKey = 'app-api-key-0123456789abcdef';
const server = await createAlcoveServer({
  port: 0,
  tokens: { hs256Secret: 'app-secret-app-secret-app-secret-0123' },
  apiKeys: [apiKey],
  dataDir,
  logLevel: 'silent',
});
try {
  await server.start();
  const admin = new AlcoveAdminClient({ baseUrl: server.url, apiKey });
  const session = await admin.createSession({ waitingRoom: false });
  report.sessionCreated = typeof session.id === 'string';
  const { token } = await admin.mintToken(session.id, { participantId: 'client-1', role: 'client', displayName: 'Alex' });
  const ws = new WebSocket(server.wsUrl);
  const frames = [];
  const waitFrame = (test) =>
    new Promise((resolve, reject) => {
      const seen = frames.find(test);
      if (seen) return resolve(seen);
      const timer = setTimeout(() => reject(new Error('no frame')), 20000);
      ws.addEventListener('message', function on(ev) {
        const f = JSON.parse(String(ev.data));
        if (test(f)) {
          clearTimeout(timer);
          ws.removeEventListener('message', on);
          resolve(f);
        }
      });
    });
  ws.addEventListener('message', (ev) => frames.push(JSON.parse(String(ev.data))));
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve, { once: true });
    ws.addEventListener('error', reject, { once: true });
  });
  ws.send(JSON.stringify({ v: 1, id: 1, method: 'session.join', data: { token, e2ee: true } }));
  const joined = await waitFrame((f) => f.id === 1);
  report.joined = joined.ok === true ? joined.data.state : joined.error?.code;
  await admin.endSession(session.id);
  const ended = await waitFrame((f) => f.method === 'session.ended');
  report.endedReason = ended.data.reason;
  report.sessionState = (await admin.getSession(session.id)).state;
  ws.close();
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
const require = createRequire(import.meta.url);
const resolved = (spec) => {
  const url = import.meta.resolve(spec);
  return fileURLToPath(url);
};
report.core = existsSync(resolved('@alcove/core'));
report.coreWorker = existsSync(resolved('@alcove/core/e2ee-worker'));
report.ui = existsSync(resolved('@alcove/ui'));
// Every exports entry names a types file that is in the tarball (the list names the missing ones).
const missingTypes = (name) => {
  const pkg = require(name + '/package.json');
  return Object.entries(pkg.exports)
    .filter(([, v]) => typeof v === 'object' && v.types)
    .filter(([, v]) => !existsSync(join(require.resolve(name + '/package.json'), '..', v.types)))
    .map(([k, v]) => name + ' ' + k + ' ' + v.types);
};
report.missingTypes = ['@alcove/protocol', '@alcove/sfu', '@alcove/server', '@alcove/core', '@alcove/ui'].flatMap(missingTypes);
report.licences = ['@alcove/protocol', '@alcove/sfu', '@alcove/server', '@alcove/core', '@alcove/ui'].every((n) =>
  existsSync(join(require.resolve(n + '/package.json'), '..', 'LICENSE')),
);
console.log(JSON.stringify(report));
`;

/**
 * Packs, installs into a fresh app under the system temporary folder, runs the app, removes the
 * folder. Resolves with the app's report, the tarball names and the bin's help line.
 * @param {{ keep?: boolean, log?: (line: string) => void }} [options]
 */
export async function packAndInstall(options = {}) {
  const log = options.log ?? (() => {});
  for (const name of PUBLIC_PACKAGES) {
    if (!existsSync(join(root, 'packages', name, 'dist'))) throw new Error(`packages/${name}/dist is missing: run pnpm build first`);
  }
  const work = mkdtempSync(join(tmpdir(), 'alcove-install-'));
  if (resolve(work).startsWith(resolve(root))) throw new Error('the temporary folder must be outside the workspace');
  try {
    const tarballs = join(work, 'tarballs');
    mkdirSync(tarballs);
    const files = {};
    for (const name of PUBLIC_PACKAGES) {
      log(`pnpm pack @alcove/${name}`);
      const out = JSON.parse(run('pnpm', ['pack', '--json', '--pack-destination', tarballs], join(root, 'packages', name)));
      files[`@alcove/${name}`] = out.filename.split('/').pop();
    }
    const app = join(work, 'app');
    mkdirSync(app);
    const deps = Object.fromEntries(Object.entries(files).map(([n, f]) => [n, `file:../tarballs/${f}`]));
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'alcove-install-check', private: true, type: 'module', dependencies: deps, overrides: deps }, null, 2),
    );
    writeFileSync(join(app, 'main.mjs'), APP);
    log('npm install (prefer offline)');
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], app);
    // Nothing came from the workspace: every @alcove package is a real folder in the app.
    const installed = readdirSync(join(app, 'node_modules', '@alcove')).sort();
    log('alcove-server --help through the installed bin');
    const help = run(join(app, 'node_modules', '.bin', 'alcove-server'), ['--help'], app).split('\n')[0];
    log('node main.mjs');
    const report = JSON.parse(run(process.execPath, ['main.mjs'], app).trim().split('\n').pop());
    // The documented ways to serve the browser parts: the E2EE worker is one self-contained file
    // (no import to resolve, so it can be copied and served as is), and @alcove/ui bundles from the
    // installed packages into one file for a plain <script type="module"> tag.
    const worker = readFileSync(join(app, 'node_modules', '@alcove', 'core', 'dist', 'e2ee-worker.js'), 'utf8');
    // `import(`, `import{`, `import"x"`, `import*`, `import x` and `from"x"`; not `importKey(` (WebCrypto).
    report.workerSelfContained = !/\bimport\s*[({"'*]|\bimport\s+\w|\bfrom\s*["']/.test(worker.replace(/\/\/# sourceMappingURL=.*$/m, ''));
    log('esbuild: @alcove/ui into one browser file');
    run(
      join(root, 'node_modules', '.bin', 'esbuild'),
      ['@alcove/ui', '--bundle', '--format=esm', '--platform=browser', '--log-level=error', '--outfile=public/alcove-ui.js'],
      app,
    );
    const bundle = readFileSync(join(app, 'public', 'alcove-ui.js'), 'utf8');
    report.uiBundle = bundle.includes('alcove-session') && !/\bfrom\s*["']@alcove\//.test(bundle);
    const manifests = Object.fromEntries(
      installed.map((n) => [`@alcove/${n}`, JSON.parse(readFileSync(join(app, 'node_modules', '@alcove', n, 'package.json'), 'utf8'))]),
    );
    return { report, tarballs: Object.values(files), installed, help, manifests, work };
  } finally {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  packAndInstall({ log: (l) => console.error(`-- ${l}`) }).then(
    (r) => console.log(JSON.stringify({ report: r.report, tarballs: r.tarballs, installed: r.installed, help: r.help }, null, 2)),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
