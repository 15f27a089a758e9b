/**
 * A user-space UDP relay that adds delay, jitter and random loss, for browser tests on a kernel
 * without netem. It listens on `listenIp` at each of `ports` and forwards to `targetIp` at the same
 * port; the server announces `listenIp` (e.g. `rtc.announcedAddress`), so media flows through it.
 * Only flows whose remote end `impaired(address)` selects are delayed and dropped; others pass at
 * once. Each direction keeps its order (jitter never reorders).
 * @packageDocumentation
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/** Options of {@link startUdpRelay}. */
export interface UdpRelayOptions {
  readonly listenIp: string;
  readonly targetIp: string;
  readonly ports: readonly number[];
  /** One-way delay added in each direction, ms. */
  readonly delayMs: number;
  /** Uniform jitter (±), ms. Default 0. */
  readonly jitterMs?: number;
  /** Share of datagrams dropped in each direction, 0..1. Default 0. */
  readonly loss?: number;
  /** Which clients (by address) get the impairment. Default: all. */
  readonly impaired?: (address: string) => boolean;
}

/** A running relay. */
export interface UdpRelay {
  /** Datagrams forwarded and dropped so far, both directions. */
  readonly stats: { forwarded: number; dropped: number };
  close(): Promise<void>;
}

interface Flow {
  upstream: Socket;
  lastUp: number;
  lastDown: number;
  impaired: boolean;
}

/** Starts the relay; see the file header. */
export async function startUdpRelay(o: UdpRelayOptions): Promise<UdpRelay> {
  const stats = { forwarded: 0, dropped: 0 };
  const sockets: Socket[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const jitter = o.jitterMs ?? 0;
  const loss = o.loss ?? 0;
  const bind = (port: number): Promise<Socket> =>
    new Promise((resolve, reject) => {
      const s = createSocket('udp4');
      s.once('error', reject);
      s.bind(port, o.listenIp, () => {
        s.off('error', reject);
        s.on('error', () => undefined); // ICMP unreachable while a side is down: keep relaying
        resolve(s);
      });
    });
  /** Sends now, or after the delay (in order) for an impaired flow. */
  const forward = (flow: Flow, dir: 'up' | 'down', send: () => void): void => {
    if (!flow.impaired) {
      stats.forwarded++;
      send();
      return;
    }
    if (loss > 0 && Math.random() < loss) {
      stats.dropped++;
      return;
    }
    const now = performance.now();
    const last = dir === 'up' ? flow.lastUp : flow.lastDown;
    const at = Math.max(now + o.delayMs + (Math.random() * 2 - 1) * jitter, last);
    if (dir === 'up') flow.lastUp = at;
    else flow.lastDown = at;
    const t = setTimeout(() => {
      timers.delete(t);
      if (closed) return;
      stats.forwarded++;
      send();
    }, at - now);
    timers.add(t);
  };
  for (const port of o.ports) {
    const front = await bind(port);
    sockets.push(front);
    const flows = new Map<string, Flow>();
    front.on('message', (data: Buffer, rinfo: RemoteInfo) => {
      const key = `${rinfo.address}:${rinfo.port}`;
      let flow = flows.get(key);
      if (!flow) {
        const upstream = createSocket('udp4');
        upstream.on('error', () => undefined);
        upstream.bind(0, o.listenIp);
        sockets.push(upstream);
        const f: Flow = { upstream, lastUp: 0, lastDown: 0, impaired: o.impaired ? o.impaired(rinfo.address) : true };
        upstream.on('message', (back: Buffer) => forward(f, 'down', () => front.send(back, rinfo.port, rinfo.address)));
        flows.set(key, f);
        flow = f;
      }
      const f = flow;
      forward(f, 'up', () => f.upstream.send(data, port, o.targetIp));
    });
  }
  return {
    stats,
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))).map((p) => p.catch(() => undefined)));
    },
  };
}
