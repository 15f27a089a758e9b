// Stands in for mediasoup-client's DataProducer and DataConsumer (`lib/DataProducer.js`,
// `lib/DataConsumer.js`, ≈ 5 KiB minified) in @alcove/core's browser bundle. They are created only by
// `Transport.produceData` / `Transport.consumeData` (SCTP data channels), which @alcove/core never
// calls: chat and control go over the signalling WebSocket. Should one be created anyway, it fails
// with mediasoup-client's own error.
import { UnsupportedError } from 'mediasoup-client/lib/errors.js';

class NoDataChannels {
  constructor() {
    throw new UnsupportedError('data channels (produceData/consumeData) are not part of @alcove/core');
  }
}

export { NoDataChannels as DataProducer, NoDataChannels as DataConsumer };
