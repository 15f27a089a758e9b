import { connect, type Socket } from 'node:net';
import { classes, Message, methods, parseMessage } from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@alcove/testing';
import { encodeFrame, FrameReader, MAX_TCP_FRAME } from './engine/tcp-framing.js';
import { createWorker, type Worker } from './index.js';
import type { Router } from './router/router.js';

function bindingRequest(ufrag: string, password: string, useCandidate: boolean): Buffer {
  const m = new Message(methods.BINDING, classes.REQUEST)
    .setAttribute('USERNAME', `${ufrag}:remote`)
    .setAttribute('PRIORITY', 1853817087)
    .setAttribute('ICE-CONTROLLING', 1n);
  if (useCandidate) m.setAttribute('USE-CANDIDATE', null);
  return m.addMessageIntegrity(Buffer.from(password)).addFingerprint().bytes;
}

/** A client TCP connection that collects the server's frames and notices when it is closed. */
interface Client {
  socket: Socket;
  frames: Buffer[];
  closed: () => boolean;
  port: number;
}

async function dial(port: number): Promise<Client> {
  const socket = connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const reader = new FrameReader();
  const frames: Buffer[] = [];
  let closed = false;
  socket.on('data', (d) => frames.push(...reader.push(d)));
  socket.on('close', () => {
    closed = true;
  });
  socket.on('error', () => undefined);
  return { socket, frames, closed: () => closed, port: socket.localPort! };
}

describe('ICE over TCP (passive candidates, RFC 4571)', () => {
  let worker: Worker;
  let router: Router;
  let tcpPort: number;
  const clients: Client[] = [];
  const open = async (): Promise<Client> => {
    const c = await dial(tcpPort);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
    const dump = await worker.dump();
    expect(dump.tcp).toBeDefined();
    tcpPort = dump.tcp!.port;
  });
  afterAll(() => {
    for (const c of clients) c.socket.destroy();
    worker.close();
  });

  it('offers candidates by enableTcp/preferTcp and listenInfos as mediasoup does, with announced addresses', async () => {
    const udpOnly = await router.createWebRtcTransport();
    expect(udpOnly.iceCandidates.map((c) => c.protocol)).toEqual(['udp']);
    const both = await router.createWebRtcTransport({ enableTcp: true });
    expect(both.iceCandidates.map((c) => c.protocol)).toEqual(['udp', 'tcp']);
    const tcp = both.iceCandidates[1]!;
    expect(tcp).toMatchObject({ tcpType: 'passive', port: tcpPort, type: 'host' });
    expect(both.iceCandidates[0]!.priority).toBeGreaterThan(tcp.priority);
    const preferTcp = await router.createWebRtcTransport({ enableTcp: true, preferTcp: true });
    expect(preferTcp.iceCandidates.map((c) => c.protocol)).toEqual(['tcp', 'udp']);
    expect(preferTcp.iceCandidates[0]!.priority).toBeGreaterThan(preferTcp.iceCandidates[1]!.priority);
    const tcpOnly = await router.createWebRtcTransport({
      listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1', announcedAddress: '203.0.113.9' }],
    });
    expect(tcpOnly.iceCandidates).toHaveLength(1);
    expect(tcpOnly.iceCandidates[0]).toMatchObject({ protocol: 'tcp', address: '203.0.113.9', ip: '203.0.113.9', port: tcpPort });
    const infos = await router.createWebRtcTransport({
      listenInfos: [
        { protocol: 'tcp', ip: '127.0.0.1', announcedAddress: '198.51.100.2' },
        { protocol: 'udp', ip: '127.0.0.1', announcedAddress: '198.51.100.1' },
      ],
    });
    expect(infos.iceCandidates.map((c) => [c.protocol, c.address])).toEqual([
      ['tcp', '198.51.100.2'],
      ['udp', '198.51.100.1'],
    ]);
    for (const t of [udpOnly, both, preferTcp, tcpOnly, infos]) t.close();
  });

  it('answers framed binding requests on a connection, selects it as a tcp tuple, and disconnects when it closes', async () => {
    const t = await router.createWebRtcTransport({ enableUdp: false, enableTcp: true });
    const c = await open();
    const { usernameFragment, password } = t.iceParameters;
    // Two requests coalesced in one write, then one split across writes.
    c.socket.write(
      Buffer.concat([
        encodeFrame(bindingRequest(usernameFragment, password, false)),
        encodeFrame(bindingRequest(usernameFragment, password, true)),
      ]),
    );
    const third = encodeFrame(bindingRequest(usernameFragment, password, false));
    c.socket.write(third.subarray(0, 1));
    await waitFor(
      'two responses',
      () => c.frames.length,
      (n) => n >= 2,
    );
    c.socket.write(third.subarray(1));
    const frames = await waitFor(
      'three responses',
      () => [...c.frames],
      (f) => f.length >= 3,
    );
    for (const f of frames) {
      const msg = parseMessage(f, Buffer.from(password));
      expect(msg?.messageClass).toBe(classes.RESPONSE);
      expect(msg?.getAttributeValue('XOR-MAPPED-ADDRESS')).toEqual(['127.0.0.1', c.port]);
    }
    await waitFor(
      'ICE completed',
      () => t.iceState,
      (s) => s === 'completed',
    );
    expect(t.iceSelectedTuple).toMatchObject({ protocol: 'tcp', remotePort: c.port, localPort: tcpPort });
    c.socket.destroy();
    await waitFor(
      'ICE disconnected after the connection closed',
      () => t.iceState,
      (s) => s === 'disconnected',
    );
    t.close();
  });

  it('closes connections that send garbage, oversize or empty frames, or traffic before authenticating', async () => {
    const t = await router.createWebRtcTransport({ enableTcp: true });
    const before = (await worker.dump()).drops;
    const garbage = await open();
    garbage.socket.write('GET / HTTP/1.1\r\nHost: sfu\r\n\r\n');
    const oversize = await open();
    const header = Buffer.alloc(2);
    header.writeUInt16BE(MAX_TCP_FRAME + 1, 0);
    oversize.socket.write(header);
    const empty = await open();
    empty.socket.write(Buffer.from([0, 0]));
    const early = await open();
    const rtp = Buffer.alloc(40);
    rtp[0] = 0x80;
    rtp[1] = 96;
    early.socket.write(encodeFrame(rtp));
    const wrong = await open();
    wrong.socket.write(encodeFrame(bindingRequest(t.iceParameters.usernameFragment, 'wrong-password-wrong-password!!', true)));
    for (const [name, c] of Object.entries({ garbage, oversize, empty, early, wrong })) {
      await waitFor(
        `the ${name} connection closed by the server`,
        () => c.closed(),
        (x) => x,
      );
    }
    const after = (await worker.dump()).drops;
    expect(after.tcpMalformed - before.tcpMalformed).toBe(4);
    expect(after.stunBadIntegrity - before.stunBadIntegrity).toBe(1);
    expect(after.internalErrors).toBe(0);
    expect(t.iceState).toBe('new');
    t.close();
  });

  it('refuses checks on TCP for a transport without TCP, and closes its connections when the transport closes', async () => {
    const udpOnly = await router.createWebRtcTransport();
    const refused = await open();
    refused.socket.write(encodeFrame(bindingRequest(udpOnly.iceParameters.usernameFragment, udpOnly.iceParameters.password, true)));
    await waitFor(
      'the connection to a UDP-only transport closed',
      () => refused.closed(),
      (x) => x,
    );
    expect(refused.frames).toHaveLength(0);
    expect(udpOnly.iceState).toBe('new');

    const t = await router.createWebRtcTransport({ enableTcp: true });
    const c = await open();
    c.socket.write(encodeFrame(bindingRequest(t.iceParameters.usernameFragment, t.iceParameters.password, true)));
    await waitFor(
      'ICE completed',
      () => t.iceState,
      (s) => s === 'completed',
    );
    const connections = (await worker.dump()).tcp!.connections;
    expect(connections).toBeGreaterThanOrEqual(1);
    t.close();
    udpOnly.close();
    await waitFor(
      'the connection closed with its transport',
      () => c.closed(),
      (x) => x,
    );
    await waitFor(
      'the worker forgot the connection',
      async () => (await worker.dump()).tcp!.connections,
      (n) => n < connections,
    );
  });

  it('media on another authenticated connection moves the selection there; closing the selected one falls back to another', async () => {
    const t = await router.createWebRtcTransport({ enableUdp: false, enableTcp: true });
    const { usernameFragment, password } = t.iceParameters;
    const base = (await worker.dump()).tcp!.connections;
    const a = await open();
    a.socket.write(encodeFrame(bindingRequest(usernameFragment, password, true)));
    await waitFor(
      'ICE completed on the first connection',
      () => t.iceState,
      (s) => s === 'completed',
    );
    const b = await open();
    b.socket.write(encodeFrame(bindingRequest(usernameFragment, password, false)));
    await waitFor(
      'a response on the second connection',
      () => b.frames.length,
      (n) => n >= 1,
    );
    expect(t.iceSelectedTuple?.remotePort).toBe(a.port);
    // A DTLS record on the second connection (as Chromium does when it switches connections).
    const record = Buffer.alloc(30);
    record[0] = 22;
    b.socket.write(encodeFrame(record));
    await waitFor(
      'the selection to follow the data',
      () => t.iceSelectedTuple?.remotePort,
      (p) => p === b.port,
    );
    // The first connection going away no longer matters.
    a.socket.destroy();
    await waitFor(
      'the first connection closed',
      () => a.closed(),
      (x) => x,
    );
    await waitFor(
      'the worker to forget it',
      async () => (await worker.dump()).tcp!.connections,
      (n) => n === base + 1,
    );
    expect(t.iceState).toBe('completed');
    expect(t.iceSelectedTuple?.remotePort).toBe(b.port);
    b.socket.destroy();
    await waitFor(
      'ICE disconnected once no connection is left',
      () => t.iceState,
      (s) => s === 'disconnected',
    );
    t.close();
  });

  it('closing the selected connection hands media to another authenticated one without a disconnect', async () => {
    const t = await router.createWebRtcTransport({ enableTcp: true });
    const states: string[] = [];
    t.on('icestatechange', (s) => states.push(s));
    const { usernameFragment, password } = t.iceParameters;
    const a = await open();
    const b = await open();
    b.socket.write(encodeFrame(bindingRequest(usernameFragment, password, false)));
    await waitFor(
      'ICE connected on b',
      () => t.iceState,
      (s) => s === 'connected',
    );
    a.socket.write(encodeFrame(bindingRequest(usernameFragment, password, true)));
    await waitFor(
      'a nominated',
      () => t.iceSelectedTuple?.remotePort,
      (p) => p === a.port,
    );
    a.socket.destroy();
    await waitFor(
      'the selection to fall back to b',
      () => t.iceSelectedTuple?.remotePort,
      (p) => p === b.port,
    );
    expect(t.iceState).toBe('completed');
    expect(states).not.toContain('disconnected');
    t.close();
  });
});
