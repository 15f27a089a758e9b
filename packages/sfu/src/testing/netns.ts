/**
 * A network namespace for Chromium in browser tests, joined to the host by a veth pair whose two
 * ends can be rate-limited with `tbf` (root, `ip` and `tc` needed). Chromium runs inside through
 * a wrapper script (`ip netns exec <ns> chromium "$@"`) passed as `executablePath`; the host side
 * listens on {@link LimitedLink.hostIp}. Internal: tests import it by path.
 *
 * @packageDocumentation
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium } from '@alcove/testing';

/** A namespace link. */
export interface LimitedLink {
  /** The host end's address (serve and listen here). */
  readonly hostIp: string;
  /** The namespace end's address. */
  readonly nsIp: string;
  /** Chromium wrapper running it inside the namespace. */
  readonly executablePath: string;
  /** Limits both directions to `kbps` (tbf), or lifts the limit with 0. */
  setRate(kbps: number): void;
  /** Limits only the host → namespace direction (what a viewer in the namespace receives). */
  setDownRate(kbps: number): void;
  /** Deletes the namespace and the veth pair. */
  close(): void;
}

/** Whether this process can create namespaces and shape links. */
export function canShapeLinks(): boolean {
  return process.getuid?.() === 0 && existsSync('/usr/sbin/tc') && existsSync('/usr/sbin/ip');
}

function sh(...args: string[]): void {
  execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' });
}

function quiet(...args: string[]): void {
  try {
    sh(...args);
  } catch {
    // already gone
  }
}

/**
 * Creates namespace `name` with a veth pair `<tag>-h` / `<tag>-c` on `10.<subnet>.1/24` (host)
 * and `.2` (namespace). A namespace left by an interrupted run is removed first.
 */
export function createLimitedLink(name: string, tag: string, subnet: string): LimitedLink {
  const host = `${tag}-h`;
  const peer = `${tag}-c`;
  const remove = (): void => {
    quiet('ip', 'netns', 'del', name);
    quiet('ip', 'link', 'del', host);
  };
  remove();
  const dir = mkdtempSync(join(tmpdir(), 'alcove-sfu-ns-'));
  const hostIp = `10.${subnet}.1`;
  const nsIp = `10.${subnet}.2`;
  const shape = (dev: string, inNs: boolean, kbps: number): void => {
    const pre = inNs ? ['ip', 'netns', 'exec', name] : [];
    quiet(...pre, 'tc', 'qdisc', 'del', 'dev', dev, 'root');
    if (kbps > 0) sh(...pre, 'tc', 'qdisc', 'add', 'dev', dev, 'root', 'tbf', 'rate', `${kbps}kbit`, 'burst', '16kb', 'latency', '100ms');
  };
  try {
    sh('ip', 'netns', 'add', name);
    sh('ip', 'link', 'add', host, 'type', 'veth', 'peer', 'name', peer);
    sh('ip', 'link', 'set', peer, 'netns', name);
    sh('ip', 'addr', 'add', `${hostIp}/24`, 'dev', host);
    sh('ip', 'link', 'set', host, 'up');
    sh('ip', 'netns', 'exec', name, 'ip', 'addr', 'add', `${nsIp}/24`, 'dev', peer);
    sh('ip', 'netns', 'exec', name, 'ip', 'link', 'set', peer, 'up');
    sh('ip', 'netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
    const executablePath = join(dir, 'chromium-in-ns');
    writeFileSync(executablePath, `#!/bin/sh\nexec ip netns exec ${name} ${findChromium()} "$@"\n`);
    chmodSync(executablePath, 0o755);
    return {
      hostIp,
      nsIp,
      executablePath,
      setRate(kbps) {
        shape(host, false, kbps);
        shape(peer, true, kbps);
      },
      setDownRate(kbps) {
        shape(host, false, kbps);
      },
      close() {
        remove();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    remove();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
