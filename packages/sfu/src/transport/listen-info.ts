/**
 * Checks `listenInfos` / `listenIps` of `createWebRtcTransport` against the worker's one socket:
 * what can be honoured is, what cannot is refused (never silently ignored).
 * @internal
 */
import { isIP } from 'node:net';
import { UnsupportedError } from '../errors.js';

/** What the check reads of a listen info (mediasoup's `TransportListenInfo` fields). */
interface ListenInfoLike {
  protocol?: unknown;
  ip?: unknown;
  announcedAddress?: unknown;
  announcedIp?: unknown;
  port?: unknown;
  portRange?: unknown;
}

/** The worker's sockets: its listen IP, UDP port and (when bound) ICE-TCP port. */
export interface WorkerSockets {
  ip: string;
  port: number;
  tcpPort?: number;
}

const isWildcard = (ip: string): boolean => ip === '0.0.0.0' || ip === '::';

/**
 * Validates every entry (`TypeError` for a malformed one, as mediasoup) and refuses an entry the
 * worker's sockets do not match (`UnsupportedError`): another IP, another fixed port, or a
 * `portRange` that does not contain the worker's UDP (or, for `tcp`, ICE-TCP) port.
 * @param worker the worker socket's address; undefined skips the match (a worker still starting).
 */
export function checkListenInfos(listenInfos: unknown, listenIps: unknown, worker: WorkerSockets | undefined): void {
  if (listenInfos !== undefined && listenIps !== undefined) {
    throw new TypeError('only one of listenInfos and listenIps must be given');
  }
  if (listenInfos !== undefined) {
    if (!Array.isArray(listenInfos) || listenInfos.length === 0) throw new TypeError('if given, listenInfos must be a non-empty array');
    for (const info of listenInfos as ListenInfoLike[]) checkOne(info, worker);
  }
  if (listenIps !== undefined) {
    if (!Array.isArray(listenIps) || listenIps.length === 0) throw new TypeError('if given, listenIps must be a non-empty array');
    for (const entry of listenIps as unknown[]) {
      const info: ListenInfoLike =
        typeof entry === 'string' ? { protocol: 'udp', ip: entry } : { protocol: 'udp', ...(entry as ListenInfoLike) };
      checkOne(info, worker);
    }
  }
}

function checkOne(info: ListenInfoLike, worker: WorkerSockets | undefined): void {
  if (typeof info !== 'object' || info === null) throw new TypeError('listen info must be an object');
  if (info.protocol !== 'udp' && info.protocol !== 'tcp') throw new TypeError(`invalid listen info protocol "${String(info.protocol)}"`);
  if (typeof info.ip !== 'string' || isIP(info.ip) === 0) throw new TypeError(`invalid listen info ip "${String(info.ip)}"`);
  for (const key of ['announcedAddress', 'announcedIp'] as const) {
    const v = info[key];
    if (v !== undefined && (typeof v !== 'string' || v.length === 0)) throw new TypeError(`if given, ${key} must be a non-empty string`);
  }
  if (info.port !== undefined && (typeof info.port !== 'number' || !Number.isInteger(info.port) || info.port < 0 || info.port > 65535)) {
    throw new TypeError(`invalid listen info port ${String(info.port)}`);
  }
  let range: { min: number; max: number } | undefined;
  if (info.portRange !== undefined) {
    const r = info.portRange as { min?: unknown; max?: unknown } | null;
    const ok = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 65535;
    if (typeof r !== 'object' || r === null || !ok(r.min) || !ok(r.max) || r.min > r.max) {
      throw new TypeError('invalid listen info portRange (integers 1..65535, min <= max)');
    }
    range = { min: r.min, max: r.max };
  }
  if (!worker) return;
  // Every WebRtcTransport of a worker shares its one UDP socket (and its one ICE-TCP port).
  const port = info.protocol === 'udp' ? worker.port : worker.tcpPort;
  if (port === undefined) return; // no ICE-TCP port: createWebRtcTransport refuses TCP itself
  if (info.ip !== worker.ip && !isWildcard(worker.ip)) {
    throw new UnsupportedError(
      `listen info ip differs from the worker's rtcListenIp (every transport of a worker shares its one UDP socket; create the worker with that rtcListenIp)`,
    );
  }
  const proto = info.protocol.toUpperCase();
  if (typeof info.port === 'number' && info.port !== 0 && info.port !== port) {
    throw new UnsupportedError(
      `listen info port ${info.port} is not the worker's ${proto} port ${port} (set rtcMinPort/rtcMaxPort instead)`,
    );
  }
  if (range && (port < range.min || port > range.max)) {
    throw new UnsupportedError(
      `the worker's ${proto} port ${port} is outside portRange [${range.min}, ${range.max}] (set rtcMinPort/rtcMaxPort instead)`,
    );
  }
}
