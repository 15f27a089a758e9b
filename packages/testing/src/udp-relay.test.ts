import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { startUdpRelay, type UdpRelay } from './udp-relay.js';
import { waitFor } from './wait-for.js';

/** A UDP socket on 127.0.0.1 that records what it receives and from where. */
async function endpoint(port = 0): Promise<{ socket: Socket; got: { data: string; port: number }[]; port: number }> {
  const socket = createSocket('udp4');
  const got: { data: string; port: number }[] = [];
  socket.on('message', (m, r) => got.push({ data: m.toString(), port: r.port }));
  await new Promise<void>((r) => socket.bind(port, '127.0.0.1', () => r()));
  return { socket, got, port: socket.address().port };
}

describe('startUdpRelay', () => {
  const open: { close(): unknown }[] = [];
  afterEach(async () => {
    for (const o of open.splice(0)) await o.close();
  });

  it('forwards both ways through one upstream socket per client, keeping order under jitter', async () => {
    const server = await endpoint();
    server.socket.on('message', (m, r) => server.socket.send(Buffer.from(`echo:${m.toString()}`), r.port, r.address));
    open.push(server.socket);
    // The relay listens on another loopback address, same port as the server.
    const relay: UdpRelay = await startUdpRelay({
      listenIp: '127.0.0.2',
      targetIp: '127.0.0.1',
      ports: [server.port],
      delayMs: 20,
      jitterMs: 15,
    });
    open.push(relay);
    const client = await endpoint();
    open.push(client.socket);
    for (let i = 0; i < 50; i++) client.socket.send(Buffer.from(String(i)), server.port, '127.0.0.2');
    const echoes = await waitFor(
      '50 echoes back through the relay',
      () => [...client.got],
      (g) => g.length >= 50,
    );
    expect(echoes.map((e) => e.data)).toEqual(Array.from({ length: 50 }, (_, i) => `echo:${i}`));
    // The client sees the relay's port; the server saw one upstream port for the whole flow.
    expect(new Set(echoes.map((e) => e.port))).toEqual(new Set([server.port]));
    expect(new Set(server.got.map((g) => g.port)).size).toBe(1);
    expect(relay.stats).toEqual({ forwarded: 100, dropped: 0 });
  });

  it('drops only impaired flows, at the given rate', async () => {
    const server = await endpoint();
    open.push(server.socket);
    const relay = await startUdpRelay({
      listenIp: '127.0.0.2',
      targetIp: '127.0.0.1',
      ports: [server.port],
      delayMs: 0,
      loss: 1,
      impaired: (address) => address === '127.0.0.3',
    });
    open.push(relay);
    const spared = createSocket('udp4');
    await new Promise<void>((r) => spared.bind(0, '127.0.0.1', () => r()));
    const lossy = createSocket('udp4');
    await new Promise<void>((r) => lossy.bind(0, '127.0.0.3', () => r()));
    open.push(spared, lossy);
    for (let i = 0; i < 10; i++) {
      lossy.send(Buffer.from(`lossy${i}`), server.port, '127.0.0.2');
      spared.send(Buffer.from(`spared${i}`), server.port, '127.0.0.2');
    }
    await waitFor(
      'every spared datagram',
      () => server.got.length,
      (n) => n >= 10,
    );
    await waitFor(
      'every lossy datagram counted as dropped',
      () => relay.stats.dropped,
      (n) => n >= 10,
    );
    expect(server.got.every((g) => g.data.startsWith('spared'))).toBe(true);
    expect(relay.stats.dropped).toBe(10);
  });
});
