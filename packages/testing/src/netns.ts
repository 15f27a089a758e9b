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
  /** Limits both directions to `kbps` with `tbf`, or lifts the limit with 0. */
  setRate(kbps: number): void;
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

/**
 * Creates namespace `name` with a veth pair on `10.<subnet>.1/24` (host end) and `.2`
 * (namespace end); a namespace of that name left by an interrupted run is removed first.
 * `tag` (at most 8 characters) names the veth ends `<tag>-h` and `<tag>-c`.
 * @throws when {@link netnsSupport} is not ok, or a command fails (what was made is removed).
 */
export function createClientLink(options: { name: string; tag: string; subnet: string }): ClientLink {
  const s = netnsSupport();
  if (!s.ok) throw new Error(`network namespaces unavailable: ${s.reason}`);
  const { name, tag, subnet } = options;
  if (!/^[a-z0-9-]{1,8}$/.test(tag)) throw new TypeError('tag must be 1-8 characters a-z 0-9 -');
  if (!/^\d{1,3}\.\d{1,3}$/.test(subnet)) throw new TypeError('subnet must look like "201.7"');
  const hostDev = `${tag}-h`;
  const nsDev = `${tag}-c`;
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
    const shape = (dev: string, ns: boolean, kbps: number): void => {
      const pre = ns ? ['ip', 'netns', 'exec', name] : [];
      quiet([...pre, 'tc', 'qdisc', 'del', 'dev', dev, 'root']);
      if (kbps > 0)
        run([...pre, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', `${kbps}kbit`, 'burst', '16kb', 'latency', '200ms']);
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
      setRate(kbps) {
        shape(hostDev, false, kbps);
        shape(nsDev, true, kbps);
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
