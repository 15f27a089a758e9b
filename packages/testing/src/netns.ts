/**
 * Real network links for browser tests: a network namespace joined to the host by a veth pair,
 * with Chromium started inside it (`ip netns exec`). The link can be cut (the veth taken down),
 * rate-limited (`tc tbf`) and filtered (`nft` inside the namespace: drop UDP, allow only some TCP
 * ports). Needs root, `ip`, `tc` and `nft`; {@link netnsSupport} says whether they are there and,
 * if not, why. Delay, jitter and loss come from {@link startUdpRelay} (this kernel has no netem).
 * @packageDocumentation
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from './browser.js';

/** Whether namespaces can be used here. */
export interface NetnsSupport {
  readonly ok: boolean;
  /** Why not, in words (shown in the skip message). */
  readonly reason?: string;
}

const TOOLS = ['ip', 'tc', 'nft'] as const;

function toolPath(tool: string): string | undefined {
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin', '/bin']) if (existsSync(join(dir, tool))) return join(dir, tool);
  return undefined;
}

let support: NetnsSupport | undefined;

/**
 * Checks once per process: root, `ip`, `tc` and `nft` present, and a throwaway namespace can be
 * created and removed.
 */
export function netnsSupport(): NetnsSupport {
  if (support) return support;
  if (process.platform !== 'linux') support = { ok: false, reason: 'network namespaces need Linux' };
  else if (process.getuid?.() !== 0) support = { ok: false, reason: 'network namespaces need root (run the tests as root, as CI does)' };
  else {
    const missing = TOOLS.filter((t) => !toolPath(t));
    if (missing.length > 0) support = { ok: false, reason: `missing ${missing.join(', ')} (apt-get install iproute2 nftables)` };
    else {
      const probe = `alcove-probe-${process.pid}`;
      try {
        execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
        execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
        support = { ok: true };
      } catch (e) {
        support = { ok: false, reason: `cannot create a network namespace: ${String((e as { stderr?: Buffer }).stderr ?? e).trim()}` };
      }
    }
  }
  return support;
}

/** Packet filter of the namespace's outgoing traffic towards the host. */
export interface LinkFilter {
  /** Drop every UDP datagram towards the host side (media, STUN, TURN over UDP). */
  readonly dropUdp?: boolean;
  /** When given, drop TCP towards the host side except to these ports (signalling, site, TURN). */
  readonly allowTcpPorts?: readonly number[];
}

/** A client's link: see the file header. */
export interface ClientLink {
  /** Namespace name. */
  readonly name: string;
  /** The host end's address: serve and listen here so the namespace can reach it. */
  readonly hostIp: string;
  /** The namespace end's address (what the server sees as the client's address). */
  readonly nsIp: string;
  /** A script that runs Debian's Chromium inside the namespace (`launchBrowser({ executablePath })`). */
  readonly chromiumPath: string;
  /** Adds another address on the host end (e.g. for a relay) and returns it; `index` 3..250. */
  addHostAddress(index: number): string;
  /** Replaces the namespace's filter (undefined: everything passes). */
  setFilter(filter: LinkFilter | undefined): void;
  /** Takes the link down (the veth loses carrier on both ends) or brings it back up. */
  setUp(up: boolean): void;
  /**
   * Limits both directions to `kbps` with `tbf`, or lifts the limit with 0. `latencyMs` is tbf's
   * `latency`: how long a packet may wait in the queue before it is dropped (default 200).
   * @throws RangeError when `kbps` is not a finite number ≥ 0 or `latencyMs` not a whole number
   *   1..10000 (the link's shaping is then left as it was).
   */
  setRate(kbps: number, options?: { readonly latencyMs?: number }): void;
  /** Deletes the namespace, the veth pair and the wrapper script. Idempotent. */
  close(): void;
}

function run(args: readonly string[], input?: string): void {
  execFileSync(args[0] as string, args.slice(1), { stdio: 'pipe', ...(input !== undefined ? { input } : {}) });
}

function quiet(args: readonly string[]): void {
  try {
    run(args);
  } catch {
    // Already gone (a link or namespace from an interrupted run, or never created).
  }
}

/** Whether process `pid` runs (signal 0; EPERM means it runs as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the namespaces `<prefix>-<pid>` and veths `<tag><pid36>-h` of processes that are gone. */
function removeStaleLinks(prefix: string, tag: string): void {
  let list = '';
  try {
    list = execFileSync('ip', ['netns', 'list'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch {
    return;
  }
  for (const line of list.split('\n')) {
    const ns = line.split(' ')[0] ?? '';
    if (!ns.startsWith(`${prefix}-`)) continue;
    const pid = Number(ns.slice(prefix.length + 1));
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || alive(pid)) continue;
    quiet(['ip', 'netns', 'del', ns]);
    quiet(['ip', 'link', 'del', `${tag}${pid.toString(36)}-h`]);
  }
}

/** `a.b` for the first `b` from this process's id whose 10.a.b.0/24 no interface of the host has. */
function freeSubnet(a: number): string {
  let used = '';
  try {
    used = execFileSync('ip', ['-o', '-4', 'addr', 'show'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  } catch {
    // No list: take the first candidate.
  }
  for (let i = 0; i < 250; i++) {
    const b = ((process.pid + i) % 250) + 1;
    if (!used.includes(` 10.${a}.${b}.`)) return `${a}.${b}`;
  }
  throw new Error(`no free 10.${a}.x.0/24 for a test link`);
}

/**
 * Creates a namespace with a veth pair on `10.<a>.<b>.1/24` (host end) and `.2` (namespace end).
 *
 * Everything is named per process, so that two test runs on one machine (two worktrees, a stress
 * run beside a bench) never take each other's link down: the namespace is `<name>-<pid>`, the veth
 * ends `<tag><pid in base 36>-h` and `-c`, and the /24 is `10.<a>.<b>` with `a` the first number of
 * `subnet` and `b` the first one from the process id whose /24 no interface of the host uses yet.
 * Links of processes that no longer run (an interrupted run) are removed first; a live process's
 * never are. Read the addresses from `hostIp` and `nsIp`.
 * @param options.name namespace name prefix; `tag` 1-8 characters a-z 0-9 -; `subnet` like `"213.7"`
 *   (`a.b`: `a` is kept, `b` is where the search for a free /24 starts when no process id is known).
 * @throws when {@link netnsSupport} is not ok, or a command fails (what was made is removed).
 */
export function createClientLink(options: { name: string; tag: string; subnet: string }): ClientLink {
  const s = netnsSupport();
  if (!s.ok) throw new Error(`network namespaces unavailable: ${s.reason}`);
  const { tag } = options;
  if (!/^[a-z0-9-]{1,8}$/.test(tag)) throw new TypeError('tag must be 1-8 characters a-z 0-9 -');
  if (!/^[a-z0-9-]{1,24}$/.test(options.name)) throw new TypeError('name must be 1-24 characters a-z 0-9 -');
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(options.subnet);
  if (!m || Number(m[1]) > 255 || Number(m[2]) > 255) throw new TypeError('subnet must look like "201.7"');
  removeStaleLinks(options.name, tag);
  const name = `${options.name}-${process.pid}`;
  const hostDev = `${tag}${process.pid.toString(36)}-h`;
  const nsDev = `${tag}${process.pid.toString(36)}-c`;
  const subnet = freeSubnet(Number(m[1]));
  const hostIp = `10.${subnet}.1`;
  const nsIp = `10.${subnet}.2`;
  const inNs = (...args: string[]): string[] => ['ip', 'netns', 'exec', name, ...args];
  let dir: string | undefined;
  let closed = false;
  const remove = (): void => {
    quiet(['ip', 'netns', 'del', name]);
    quiet(['ip', 'link', 'del', hostDev]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
  remove();
  try {
    run(['ip', 'netns', 'add', name]);
    run(['ip', 'link', 'add', hostDev, 'type', 'veth', 'peer', 'name', nsDev]);
    run(['ip', 'link', 'set', nsDev, 'netns', name]);
    run(['ip', 'addr', 'add', `${hostIp}/24`, 'dev', hostDev]);
    run(['ip', 'link', 'set', hostDev, 'up']);
    run(inNs('ip', 'addr', 'add', `${nsIp}/24`, 'dev', nsDev));
    run(inNs('ip', 'link', 'set', nsDev, 'up'));
    run(inNs('ip', 'link', 'set', 'lo', 'up'));
    dir = mkdtempSync(join(tmpdir(), 'alcove-netns-'));
    const chromiumPath = join(dir, 'chromium-in-ns');
    writeFileSync(chromiumPath, `#!/bin/sh\nexec ip netns exec ${name} ${findChromium()} "$@"\n`);
    chmodSync(chromiumPath, 0o755);
    const shape = (dev: string, ns: boolean, kbps: number, latencyMs: number): void => {
      const pre = ns ? ['ip', 'netns', 'exec', name] : [];
      quiet([...pre, 'tc', 'qdisc', 'del', 'dev', dev, 'root']);
      if (kbps > 0)
        run([...pre, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', `${kbps}kbit`, 'burst', '16kb', 'latency', `${latencyMs}ms`]);
    };
    return {
      name,
      hostIp,
      nsIp,
      chromiumPath,
      addHostAddress(index) {
        if (!Number.isInteger(index) || index < 3 || index > 250) throw new RangeError('index must be 3..250');
        const ip = `10.${subnet}.${index}`;
        run(['ip', 'addr', 'add', `${ip}/24`, 'dev', hostDev]);
        return ip;
      },
      setFilter(filter) {
        quiet(inNs('nft', 'delete', 'table', 'inet', 'alcove'));
        if (!filter) return;
        const rules: string[] = [];
        if (filter.dropUdp) rules.push(`ip daddr 10.${subnet}.0/24 meta l4proto udp drop`);
        if (filter.allowTcpPorts) {
          const ports = filter.allowTcpPorts.length > 0 ? `tcp dport != { ${filter.allowTcpPorts.join(', ')} } ` : '';
          rules.push(`ip daddr 10.${subnet}.0/24 meta l4proto tcp ${ports}drop`);
        }
        const ruleset = `table inet alcove {\n  chain out {\n    type filter hook output priority 0; policy accept;\n${rules.map((r) => `    ${r}\n`).join('')}  }\n}\n`;
        run(inNs('nft', '-f', '-'), ruleset);
      },
      setUp(up) {
        run(['ip', 'link', 'set', hostDev, up ? 'up' : 'down']);
      },
      setRate(kbps, options) {
        const latencyMs = options?.latencyMs ?? 200;
        if (!Number.isFinite(kbps) || kbps < 0) throw new RangeError('kbps must be a finite number >= 0');
        if (!Number.isInteger(latencyMs) || latencyMs < 1 || latencyMs > 10_000)
          throw new RangeError('latencyMs must be a whole number 1..10000');
        shape(hostDev, false, kbps, latencyMs);
        shape(nsDev, true, kbps, latencyMs);
      },
      close() {
        if (closed) return;
        closed = true;
        remove();
      },
    };
  } catch (e) {
    remove();
    throw e;
  }
}
