// Test page (bundled by esbuild for the server's browser tests): unmodified mediasoup-client driven
// by a minimal Alcove signalling client over the server's real WebSocket endpoint. The E2EE frame
// transform belongs to @alcove/core and is not part of this page, so the test's session does not
// require E2EE and this page says so (`e2ee: false`): in an E2EE-required session the SFU checks each
// frame's E2EE trailer and closes a producer that sends plaintext (plaintext-refused.browser.test.ts).
import { Device } from 'mediasoup-client';

let ws;
let nextId = 1;
const pending = new Map();
const listeners = new Map();
const notifications = [];
let device;
let sendTransport;
let recvTransport;
const consumed = new Set();
const remote = new MediaStream();

function on(method, fn) {
  if (!listeners.has(method)) listeners.set(method, []);
  listeners.get(method).push(fn);
}

function request(method, data = {}) {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ v: 1, id, method, data }));
  });
}

function waitFor(method, test = () => true) {
  const seen = notifications.find((n) => n.method === method && test(n.data));
  if (seen) return Promise.resolve(seen.data);
  return new Promise((resolve) => on(method, (d) => test(d) && resolve(d)));
}

function wire(transport, direction) {
  transport.on('connect', ({ dtlsParameters }, cb, eb) => {
    request('media.connectTransport', { transportId: transport.id, dtlsParameters }).then(() => cb(), eb);
  });
  if (direction === 'send') {
    transport.on('produce', ({ kind, rtpParameters, appData }, cb, eb) => {
      request('media.produce', { transportId: transport.id, kind, rtpParameters, source: appData.source, e2ee: false }).then(
        ({ producerId }) => cb({ id: producerId }),
        eb,
      );
    });
  }
}

async function createTransport(direction) {
  const t = await request('media.createTransport', { direction });
  const options = { id: t.transportId, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
  const transport = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
  wire(transport, direction);
  return transport;
}

async function consume(producer) {
  if (consumed.has(producer.producerId)) return;
  consumed.add(producer.producerId);
  recvTransport ??= await createTransport('recv');
  const c = await request('media.consume', {
    transportId: recvTransport.id,
    producerId: producer.producerId,
    rtpCapabilities: device.rtpCapabilities,
  });
  const consumer = await recvTransport.consume({
    id: c.consumerId,
    producerId: c.producerId,
    kind: c.kind,
    rtpParameters: c.rtpParameters,
  });
  remote.addTrack(consumer.track);
  const el = document.getElementById('remote');
  if (el.srcObject !== remote) el.srcObject = remote;
  window.remoteStream = remote;
  await request('media.resumeConsumer', { consumerId: c.consumerId });
}

window.app = {
  notifications,
  async connect(url) {
    ws = new WebSocket(url);
    ws.onmessage = (e) => {
      const m = JSON.parse(e.data);
      if (m.id !== undefined && m.ok !== undefined) {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.ok) p?.resolve(m.data);
        else p?.reject(new Error(m.error.code));
        return;
      }
      notifications.push(m);
      for (const fn of listeners.get(m.method) ?? []) fn(m.data);
    };
    window.wsClosed = new Promise((resolve) => {
      ws.onclose = (e) => resolve(e.code);
    });
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
  },
  request,
  async join(token) {
    const r = await request('session.join', { token, e2ee: false });
    window.joined = r;
    return { state: r.state, participantId: r.participantId };
  },
  /** Waits for admission (if waiting), loads the Device, publishes camera + mic, consumes everything. */
  async start() {
    let producers = window.joined.producers ?? [];
    if (window.joined.state === 'waiting') producers = (await waitFor('session.admitted')).producers;
    const { rtpCapabilities } = await request('media.getRouterRtpCapabilities');
    device = new Device();
    await device.load({ routerRtpCapabilities: rtpCapabilities });
    on('media.producerAdded', (p) => void consume(p));
    for (const p of producers) await consume(p);
    sendTransport = await createTransport('send');
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 320, height: 240 }, audio: true });
    await sendTransport.produce({ track: stream.getVideoTracks()[0], appData: { source: 'cam' } });
    await sendTransport.produce({ track: stream.getAudioTracks()[0], appData: { source: 'mic' } });
    return device.handlerName;
  },
  waitFor,
  consumedCount: () => consumed.size,
};
window.appReady = true;
