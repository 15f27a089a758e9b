// Test page (bundled by esbuild for the SFU browser tests): unmodified mediasoup-client talking to
// the engine through `window.sfuRequest`, a playwright-exposed signalling function.
import { Device } from 'mediasoup-client';

const req = (method, data = {}) => window.sfuRequest(method, data);
let device;

function wire(transport, id) {
  transport.on('connect', ({ dtlsParameters }, cb, eb) => {
    req('connectTransport', { transportId: id, dtlsParameters }).then(() => cb(), eb);
  });
  transport.on('produce', ({ kind, rtpParameters }, cb, eb) => {
    req('produce', { transportId: id, kind, rtpParameters }).then(({ id: producerId }) => cb({ id: producerId }), eb);
  });
}

window.app = {
  async init() {
    const routerRtpCapabilities = await req('getRouterRtpCapabilities');
    device = new Device();
    await device.load({ routerRtpCapabilities });
    return device.handlerName;
  },
  async publish({ width = 320, height = 240, simulcast = false } = {}) {
    const info = await req('createTransport');
    const transport = device.createSendTransport(info);
    wire(transport, info.id);
    const stream = await navigator.mediaDevices.getUserMedia({ video: { width, height }, audio: true });
    // Simulcast as apps send it with mediasoup-client: three RID encodings, quarter, half and full size.
    const encodings = simulcast
      ? [
          { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
          { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
          { scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
        ]
      : undefined;
    const video = await transport.produce({ track: stream.getVideoTracks()[0], ...(encodings ? { encodings } : {}) });
    const audio = await transport.produce({ track: stream.getAudioTracks()[0] });
    window.sendTransport = transport;
    return { video: video.id, audio: audio.id, transportId: info.id };
  },
  async subscribe(producerIds, { preferredLayers } = {}) {
    const info = await req('createTransport');
    const transport = device.createRecvTransport(info);
    wire(transport, info.id);
    const stream = new MediaStream();
    const consumerIds = {};
    for (const producerId of producerIds) {
      const params = await req('consume', { transportId: info.id, producerId, rtpCapabilities: device.rtpCapabilities, preferredLayers });
      const consumer = await transport.consume(params);
      stream.addTrack(consumer.track);
      consumerIds[consumer.kind] = consumer.id;
    }
    const el = document.getElementById('remote');
    el.srcObject = stream;
    window.remoteStream = stream;
    window.recvTransport = transport;
    for (const id of Object.values(consumerIds)) await req('resumeConsumer', { consumerId: id });
    return { consumerIds, transportId: info.id };
  },
  async inboundVideoStats() {
    const stats = await window.recvTransport.getStats();
    for (const s of stats.values()) if (s.type === 'inbound-rtp' && s.kind === 'video') return { framesDecoded: s.framesDecoded, keyFramesDecoded: s.keyFramesDecoded, nackCount: s.nackCount, packetsLost: s.packetsLost, packetsReceived: s.packetsReceived, frameWidth: s.frameWidth, frameHeight: s.frameHeight };
    return undefined;
  },
};
// The sender's view: the encoder's target, bytes sent and the send-side estimate.
window.app.outboundVideoStats = async () => {
  const stats = await window.sendTransport.getStats();
  const out = {};
  for (const s of stats.values()) {
    if (s.type === 'outbound-rtp' && s.kind === 'video') {
      out.targetBitrate = s.targetBitrate;
      out.bytesSent = s.bytesSent;
      out.packetsSent = s.packetsSent;
      out.retransmittedPacketsSent = s.retransmittedPacketsSent;
      out.frameWidth = s.frameWidth;
      out.qualityLimitationReason = s.qualityLimitationReason;
    }
    if (s.type === 'candidate-pair' && s.nominated) out.availableOutgoingBitrate = s.availableOutgoingBitrate;
    if (s.type === 'remote-inbound-rtp' && s.kind === 'video') out.remoteFractionLost = s.fractionLost;
  }
  out.at = performance.now();
  return out;
};
window.appReady = true;
