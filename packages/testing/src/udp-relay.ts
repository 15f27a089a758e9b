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

/** One direction of a flow: datagrams in departure order, one timer for the head. */
interface Lane {
  queue: { at: number; send: () => void }[];
  timer: NodeJS.Timeout | undefined;
}

interface Flow {
  upstream: Socket;
  up: Lane;
  down: Lane;
  impaired: boolean;
}

/** Starts the relay; see the file header. */
export async function startUdpRelay(o: UdpRelayOptions): Promise<UdpRelay> {
  const stats = { forwarded: 0, dropped: 0 };
  const sockets: Socket[] = [];
  const lanes: Lane[] = [];
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
  const lane = (): Lane => {
    const l: Lane = { queue: [], timer: undefined };
    lanes.push(l);
    return l;
  };
  /** Sends every due datagram at the head of the lane, then waits for the next one. */
  const pump = (l: Lane): void => {
    l.timer = undefined;
    if (closed) return;
    const now = performance.now();
    while (l.queue.length > 0 && l.queue[0]!.at <= now) {
      stats.forwarded++;
      l.queue.shift()!.send();
    }
    if (l.queue.length > 0) l.timer = setTimeout(() => pump(l), Math.max(1, l.queue[0]!.at - now));
  };
  /** Sends now, or after the delay (in order: one queue per direction) for an impaired flow. */
  const forward = (flow: Flow, l: Lane, send: () => void): void => {
    if (!flow.impaired) {
      stats.forwarded++;
      send();
      return;
    }
    if (loss > 0 && Math.random() < loss) {
      stats.dropped++;
      return;
    }
    const last = l.queue.at(-1)?.at ?? 0;
    l.queue.push({ at: Math.max(performance.now() + o.delayMs + (Math.random() * 2 - 1) * jitter, last), send });
    if (!l.timer) l.timer = setTimeout(() => pump(l), Math.max(0, l.queue[0]!.at - performance.now()));
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
        const f: Flow = { upstream, up: lane(), down: lane(), impaired: o.impaired ? o.impaired(rinfo.address) : true };
        upstream.on('message', (back: Buffer) => forward(f, f.down, () => front.send(back, rinfo.port, rinfo.address)));
        flows.set(key, f);
        flow = f;
      }
      const f = flow;
      forward(f, f.up, () => f.upstream.send(data, port, o.targetIp));
    });
  }
  return {
    stats,
    async close() {
      if (closed) return;
      closed = true;
      for (const l of lanes) if (l.timer) clearTimeout(l.timer);
      await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r()))).map((p) => p.catch(() => undefined)));
    },
  };
}
