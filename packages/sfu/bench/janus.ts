/**
 * Peer baseline for the forwarding bench: Janus (the distribution's `janus` binary, VideoRoom
 * plugin) started with a temporary configuration on 127.0.0.1 (HTTP API only, ICE-lite, no other
 * plugin or transport), driven over its HTTP API. The bench's load generator talks to it exactly as
 * to the engine: ICE binding requests, DTLS 1.2, SRTP; only the signalling differs (SDP here).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RemoteTransportParameters } from '../src/testing/node-endpoint.js';

/** Where the distribution installs Janus and its plugins. */
export const JANUS_BIN = process.env.JANUS_BIN ?? '/usr/bin/janus';
const JANUS_LIB = process.env.JANUS_LIB ?? '/usr/lib/x86_64-linux-gnu/janus';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** CPU time (µs) of a process and all its threads, from /proc. */
export function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 (1-based) of stat, in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

type JanusMessage = {
  janus: string;
  transaction?: string;
  sender?: number;
  data?: { id: number };
  plugindata?: { data: Record<string, unknown> };
  jsep?: { type: string; sdp: string };
  error?: { code: number; reason: string };
};

/** A running Janus with one HTTP session. */
export class Janus {
  readonly #proc: ChildProcess;
  readonly #dir: string;
  readonly #url: string;
  #session = 0;
  #events: JanusMessage[] = [];
  #polling = false;
  #exited: string | undefined;

  private constructor(proc: ChildProcess, dir: string, url: string) {
    this.#proc = proc;
    this.#dir = dir;
    this.#url = url;
    proc.on('exit', (code, signal) => {
      this.#exited = `janus exited (${code ?? signal})`;
    });
  }

  get pid(): number {
    return this.#proc.pid ?? -1;
  }

  /** Starts Janus with a temporary configuration; resolves once its HTTP API answers. */
  static async start(): Promise<Janus> {
    if (!existsSync(JANUS_BIN)) throw new Error(`Janus baseline: ${JANUS_BIN} not found`);
    const dir = mkdtempSync(join(tmpdir(), 'alcove-janus-'));
    const port = await freePort();
    const rtpBase = 40000 + Math.floor(Math.random() * 20) * 1000;
    const disabledPlugins = [
      'audiobridge',
      'duktape',
      'echotest',
      'lua',
      'nosip',
      'recordplay',
      'sip',
      'streaming',
      'textroom',
      'videocall',
      'voicemail',
    ]
      .map((p) => `libjanus_${p}.so`)
      .join(',');
    const disabledTransports = ['websockets', 'mqtt', 'nanomsg', 'pfunix', 'rabbitmq'].map((p) => `libjanus_${p}.so`).join(',');
    writeFileSync(
      join(dir, 'janus.jcfg'),
      `general: {
  configs_folder = "${dir}"
  plugins_folder = "${JANUS_LIB}/plugins"
  transports_folder = "${JANUS_LIB}/transports"
  events_folder = "${JANUS_LIB}/events"
  loggers_folder = "${JANUS_LIB}/loggers"
  debug_level = ${process.env.JANUS_DEBUG ? 5 : 2}
}
media: { rtp_port_range = "${rtpBase}-${rtpBase + 999}" }
nat: { ice_lite = true nice_debug = false }
plugins: { disable = "${disabledPlugins}" }
transports: { disable = "${disabledTransports}" }
events: { broadcast = false }
loggers: { disable = "libjanus_jsonlog.so" }
`,
    );
    writeFileSync(
      join(dir, 'janus.transport.http.jcfg'),
      `general: { json = "compact" base_path = "/janus" http = true port = ${port} ip = "127.0.0.1" https = false }\nadmin: { admin_http = false }\n`,
    );
    writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), 'general: { }\n');
    const proc = spawn(JANUS_BIN, ['-C', join(dir, 'janus.jcfg'), '-F', dir, ...(process.env.JANUS_DEBUG ? ['-l'] : ['-N'])], {
      stdio: ['ignore', process.env.JANUS_DEBUG ? 'inherit' : 'ignore', 'pipe'],
    });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4000) stderr += d.toString();
    });
    const janus = new Janus(proc, dir, `http://127.0.0.1:${port}/janus`);
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (janus.#exited) throw new Error(`Janus baseline: ${janus.#exited}: ${stderr.slice(0, 500)}`);
      try {
        const r = await janus.#post('', { janus: 'create' });
        janus.#session = r.data!.id;
        break;
      } catch (e) {
        if (Date.now() > deadline) {
          janus.close();
          throw new Error(`Janus baseline: HTTP API on port ${port} did not answer: ${e instanceof Error ? e.message : String(e)}`);
        }
        await sleep(200);
      }
    }
    janus.#poll();
    return janus;
  }

  async #post(path: string, body: Record<string, unknown>): Promise<JanusMessage> {
    const transaction = randomBytes(6).toString('hex');
    const res = await fetch(`${this.#url}${path}`, { method: 'POST', body: JSON.stringify({ ...body, transaction }) });
    const msg = (await res.json()) as JanusMessage;
    if (msg.janus === 'error') throw new Error(`Janus: ${msg.error?.reason ?? 'error'}`);
    return msg;
  }

  /** Long-polls the session's events into a queue. */
  #poll(): void {
    if (this.#polling) return;
    this.#polling = true;
    const loop = async (): Promise<void> => {
      while (this.#polling && !this.#exited) {
        try {
          const res = await fetch(`${this.#url}/${this.#session}?maxev=10&rid=${Date.now()}`);
          const body = (await res.json()) as JanusMessage | JanusMessage[];
          for (const m of Array.isArray(body) ? body : [body]) if (m.janus !== 'keepalive') this.#events.push(m);
        } catch {
          await sleep(100);
        }
      }
    };
    void loop();
  }

  /** Waits for an event of `handle` with a JSEP. */
  async #jsepEvent(handle: number, timeoutMs = 20_000): Promise<JanusMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.#events.findIndex((m) => m.sender === handle && m.jsep);
      if (i >= 0) return this.#events.splice(i, 1)[0]!;
      const err = this.#events.find((m) => m.sender === handle && m.plugindata?.data.error);
      if (err) throw new Error(`Janus VideoRoom: ${String(err.plugindata?.data.error)}`);
      if (this.#exited) throw new Error(`Janus baseline: ${this.#exited}`);
      if (Date.now() > deadline) throw new Error('Janus baseline: no SDP from Janus in time');
      await sleep(20);
    }
  }

  /** Attaches a VideoRoom handle. */
  async attach(): Promise<number> {
    const r = await this.#post(`/${this.#session}`, { janus: 'attach', plugin: 'janus.plugin.videoroom' });
    return r.data!.id;
  }

  /** Sends a VideoRoom request (optionally with a JSEP). */
  async message(handle: number, body: Record<string, unknown>, jsep?: { type: string; sdp: string }): Promise<JanusMessage> {
    return this.#post(`/${this.#session}/${handle}`, { janus: 'message', body, ...(jsep ? { jsep } : {}) });
  }

  /** Tells Janus there are no more candidates of ours (the load generator has one host candidate, learned from its checks). */
  async endOfCandidates(handle: number): Promise<void> {
    await this.#post(`/${this.#session}/${handle}`, { janus: 'trickle', candidate: { completed: true } });
  }

  /** Creates a VP8 room. */
  async createRoom(room: number): Promise<void> {
    const h = await this.attach();
    const r = await this.message(h, {
      request: 'create',
      room,
      publishers: 1,
      videocodec: 'vp8',
      bitrate: 0,
      fir_freq: 0,
      notify_joining: false,
    });
    const data = r.plugindata?.data;
    if (data?.videoroom !== 'created') throw new Error(`Janus VideoRoom create: ${JSON.stringify(data)}`);
  }

  /** Publishes our SDP offer; returns the handle, the publisher id and Janus's answer. */
  async publish(room: number, offer: string): Promise<{ handle: number; feed: number; answer: string }> {
    const handle = await this.attach();
    await this.message(
      handle,
      { request: 'joinandconfigure', room, ptype: 'publisher', display: 'bench', audio: false, video: true },
      { type: 'offer', sdp: offer },
    );
    const ev = await this.#jsepEvent(handle);
    const feed = Number(ev.plugindata?.data.id);
    return { handle, feed, answer: ev.jsep!.sdp };
  }

  /** Subscribes to `feed`; returns the handle and Janus's offer. */
  async subscribe(room: number, feed: number): Promise<{ handle: number; offer: string }> {
    const handle = await this.attach();
    await this.message(handle, { request: 'join', room, ptype: 'subscriber', streams: [{ feed }] });
    const ev = await this.#jsepEvent(handle);
    return { handle, offer: ev.jsep!.sdp };
  }

  /** Answers a subscription. */
  async start(handle: number, answer: string): Promise<void> {
    await this.message(handle, { request: 'start' }, { type: 'answer', sdp: answer });
  }

  /** Stops Janus and removes its configuration. */
  close(): void {
    this.#polling = false;
    try {
      this.#proc.kill('SIGTERM');
    } catch {
      // already gone
    }
    const proc = this.#proc;
    setTimeout(() => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }, 3000).unref();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** The ICE/DTLS parameters of a Janus SDP, in the form the load generator's endpoints take. */
export function remoteFromSdp(sdp: string): RemoteTransportParameters {
  const line = (re: RegExp): string => {
    const m = re.exec(sdp);
    if (!m) throw new Error(`Janus SDP without ${re.source}`);
    return m[1]!.trim();
  };
  // libnice does not gather on the loopback interface: take Janus's first IPv4 host candidate (an
  // address of this machine, so the traffic stays inside the kernel as on 127.0.0.1).
  const candidates = [...sdp.matchAll(/a=candidate:(\S+) 1 udp (\d+) (\d+\.\d+\.\d+\.\d+) (\d+) typ host/gi)];
  if (candidates.length === 0) throw new Error('Janus SDP without an IPv4 UDP host candidate');
  const c = candidates[0]!;
  return {
    iceParameters: { usernameFragment: line(/a=ice-ufrag:(.+)/), password: line(/a=ice-pwd:(.+)/), iceLite: true },
    iceCandidates: [
      { foundation: c[1]!, priority: Number(c[2]), ip: c[3]!, address: c[3]!, protocol: 'udp', port: Number(c[4]), type: 'host' },
    ],
    dtlsParameters: { role: 'server', fingerprints: [{ algorithm: 'sha-256', value: line(/a=fingerprint:sha-256 (.+)/) }] },
  } as RemoteTransportParameters;
}

/** Our SDP for a VP8 m-section: an offer (publisher, sendonly) or an answer to Janus's offer (recvonly). */
export function endpointSdp(o: {
  ufrag: string;
  pwd: string;
  fingerprint: string;
  direction: 'sendonly' | 'recvonly';
  mid: string;
  payloadType: number;
  ssrc?: number;
}): string {
  const lines = [
    'v=0',
    `o=- ${Date.now()} 2 IN IP4 127.0.0.1`,
    's=-',
    't=0 0',
    `a=group:BUNDLE ${o.mid}`,
    'a=msid-semantic: WMS *',
    `m=video 9 UDP/TLS/RTP/SAVPF ${o.payloadType}`,
    'c=IN IP4 127.0.0.1',
    'a=rtcp:9 IN IP4 0.0.0.0',
    `a=ice-ufrag:${o.ufrag}`,
    `a=ice-pwd:${o.pwd}`,
    `a=fingerprint:sha-256 ${o.fingerprint}`,
    'a=setup:active',
    `a=mid:${o.mid}`,
    `a=${o.direction}`,
    'a=rtcp-mux',
    `a=rtpmap:${o.payloadType} VP8/90000`,
    `a=rtcp-fb:${o.payloadType} nack`,
    `a=rtcp-fb:${o.payloadType} nack pli`,
    `a=rtcp-fb:${o.payloadType} ccm fir`,
  ];
  if (o.ssrc !== undefined) lines.push(`a=ssrc:${o.ssrc} cname:bench`, `a=ssrc:${o.ssrc} msid:bench video0`);
  return `${lines.join('\r\n')}\r\n`;
}

/** The mid and VP8 payload type of Janus's subscriber offer. */
export function offerMedia(sdp: string): { mid: string; payloadType: number } {
  const mid = /a=mid:(\S+)/.exec(sdp)?.[1];
  const pt = /a=rtpmap:(\d+) VP8\/90000/i.exec(sdp)?.[1];
  if (mid === undefined || pt === undefined) throw new Error('Janus offer without a VP8 m-section');
  return { mid, payloadType: Number(pt) };
}
