#!/usr/bin/env node
/**
 * `pnpm start`: checks Node, builds the packages quietly (their output is shown only when the
 * build fails), then runs the local demo (examples/embed-html/demo-server.ts), which prints the
 * host and guest links. `PORT` picks the demo website's port (default 5173).
 *
 * The demo runs in its own process group, so one Ctrl+C reaches it exactly once (forwarded from
 * here) and it can stop the servers and remove its temporary data folder before it exits.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { assertSupportedNode } from './check-node.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
assertSupportedNode();

const port = process.env.PORT;
if (port !== undefined && port !== '' && !(/^\d+$/.test(port) && Number(port) <= 65535)) {
  process.stderr.write(`PORT must be a port number from 0 to 65535 (0 picks a free one), not "${port}".\n`);
  process.exit(1);
}

/** Says so and exits at once when the demo's port is taken, before a build that would be wasted. */
async function checkPort(p) {
  if (p === 0) return;
  const free = await new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (e) => resolve(e.code !== 'EADDRINUSE'));
    probe.listen(p, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
  if (!free) {
    process.stderr.write(
      `Port ${p} is already in use on 127.0.0.1 (another demo?). Pick another port: PORT=${p === 65535 ? 5174 : p + 1} pnpm start\n`,
    );
    process.exit(1);
  }
}
await checkPort(port === undefined || port === '' ? 5173 : Number(port));

/** Runs `pnpm build`, keeping its output unless it fails. */
function build() {
  return new Promise((resolve) => {
    const out = [];
    const child = spawn('pnpm', ['build'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => out.push(d));
    child.on('error', (e) => resolve({ code: 1, output: `could not run pnpm: ${e.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), signal, output: Buffer.concat(out).toString('utf8') }));
  });
}

process.stdout.write('Building the packages (pnpm build; its output appears only if it fails)...\n');
const built = await build();
if (built.signal === 'SIGINT' || built.signal === 'SIGTERM') process.exit(130);
if (built.code !== 0) {
  process.stderr.write(built.output);
  process.stderr.write(`\npnpm start: the build failed (exit ${built.code}); its output is above.\n`);
  process.exit(built.code || 1);
}

const demo = spawn(process.execPath, [fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url)), 'demo-server.ts'], {
  cwd: fileURLToPath(new URL('../examples/embed-html/', import.meta.url)),
  stdio: 'inherit',
  detached: true, // its own process group: a terminal's Ctrl+C reaches it once, through us
});
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (demo.exitCode === null && demo.signalCode === null) demo.kill(signal);
  });
}
demo.on('error', (e) => {
  process.stderr.write(`pnpm start: could not run the demo: ${e.message}\n`);
  process.exit(1);
});
demo.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 2 : 1)));
