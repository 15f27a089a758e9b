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

// Test E2EE: every frame XORed past a clear prefix (10 bytes of a VP8 key frame, 3 of a delta
// frame, as real E2EE keeps the VP8 payload header readable), through the encoded-streams API.
window.e2eeFrames = { send: 0, recv: 0, audio: 0, audioRecv: 0 };
function e2ee(senderOrReceiver, side) {
  const { readable, writable } = senderOrReceiver.createEncodedStreams();
  readable
    .pipeThrough(
      new TransformStream({
        transform(frame, controller) {
          const data = new Uint8Array(frame.data);
          // VP9 (window.e2eeClearBytes set by the test): one clear length for every frame, as the
          // two sides may disagree on whether an upper spatial layer of a key picture is a key frame.
          const clear = window.e2eeClearBytes ?? (frame.type === 'key' ? 10 : frame.type === 'delta' ? 3 : 1);
          for (let i = clear; i < data.length; i++) data[i] ^= 0x5a;
          frame.data = data.buffer;
          window.e2eeFrames[side]++;
          controller.enqueue(frame);
        },
      }),
    )
    .pipeTo(writable);
}

window.app = {
  async init() {
    const routerRtpCapabilities = await req('getRouterRtpCapabilities');
    device = new Device();
    await device.load({ routerRtpCapabilities });
    return device.handlerName;
  },
  async publish({ width = 320, height = 240, simulcast = false, e2ee: withE2ee = false, mimeType, scalabilityMode } = {}) {
    const info = await req('createTransport');
    const transport = device.createSendTransport({
      ...info,
      ...(withE2ee ? { additionalSettings: { encodedInsertableStreams: true } } : {}),
    });
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
    // SVC as apps send it with mediasoup-client: one encoding with a scalability mode (e.g. VP9 L3T3_KEY).
    const codec = mimeType ? device.rtpCapabilities.codecs.find((c) => c.mimeType.toLowerCase() === mimeType.toLowerCase()) : undefined;
    const video = await transport.produce({
      track: stream.getVideoTracks()[0],
      ...(encodings ? { encodings } : scalabilityMode ? { encodings: [{ scalabilityMode }] } : {}),
      ...(codec ? { codec } : {}),
    });
    if (scalabilityMode && !encodings) {
      // SVC: keep every spatial layer; on a busy machine the encoder would otherwise scale the
      // input down for CPU and drop the top layer (the stream then has fewer layers to choose from).
      const params = video.rtpSender.getParameters();
      params.degradationPreference = 'maintain-resolution';
      await video.rtpSender.setParameters(params).catch(() => undefined);
    }
    if (withE2ee) e2ee(video.rtpSender, 'send');
    const audio = await transport.produce({ track: stream.getAudioTracks()[0] });
    if (withE2ee) e2ee(audio.rtpSender, 'audio');
    window.sendTransport = transport;
    return { video: video.id, audio: audio.id, transportId: info.id };
  },
  async subscribe(producerIds, { preferredLayers, e2ee: withE2ee = false } = {}) {
    const info = await req('createTransport');
    const transport = device.createRecvTransport({
      ...info,
      ...(withE2ee ? { additionalSettings: { encodedInsertableStreams: true } } : {}),
    });
    wire(transport, info.id);
    const stream = new MediaStream();
    const consumerIds = {};
    for (const producerId of producerIds) {
      const params = await req('consume', { transportId: info.id, producerId, rtpCapabilities: device.rtpCapabilities, preferredLayers });
      const consumer = await transport.consume(params);
      if (withE2ee) e2ee(consumer.rtpReceiver, consumer.kind === 'video' ? 'recv' : 'audioRecv');
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
    for (const s of stats.values())
      if (s.type === 'inbound-rtp' && s.kind === 'video')
        return {
          framesDecoded: s.framesDecoded,
          keyFramesDecoded: s.keyFramesDecoded,
          nackCount: s.nackCount,
          packetsLost: s.packetsLost,
          packetsReceived: s.packetsReceived,
          frameWidth: s.frameWidth,
          frameHeight: s.frameHeight,
          framesDropped: s.framesDropped,
          framesReceived: s.framesReceived,
          freezeCount: s.freezeCount,
          pliCount: s.pliCount,
          timestamp: s.timestamp,
        };
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
