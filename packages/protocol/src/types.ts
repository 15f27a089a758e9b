import type * as v from 'valibot';
import type * as c from './schemas/common.js';
import type * as e from './schemas/entities.js';

/** mediasoup-shaped RTP capabilities. */
export type RtpCapabilities = v.InferOutput<typeof c.RtpCapabilities>;
/** mediasoup-shaped RTP parameters. */
export type RtpParameters = v.InferOutput<typeof c.RtpParameters>;
/** mediasoup-shaped DTLS parameters. */
export type DtlsParameters = v.InferOutput<typeof c.DtlsParameters>;
/** mediasoup-shaped ICE parameters. */
export type IceParameters = v.InferOutput<typeof c.IceParameters>;
/** mediasoup-shaped ICE candidate. */
export type IceCandidate = v.InferOutput<typeof c.IceCandidate>;
/** `audio` or `video`. */
export type MediaKind = v.InferOutput<typeof c.MediaKind>;
/** Which device a track comes from. */
export type TrackSource = v.InferOutput<typeof c.TrackSource>;
/** A participant as others see it. */
export type ParticipantInfo = v.InferOutput<typeof e.ParticipantInfo>;
/** A waiting-room entry as the host sees it. */
export type WaitingEntry = v.InferOutput<typeof e.WaitingEntry>;
/** A published track. */
export type ProducerInfo = v.InferOutput<typeof e.ProducerInfo>;
/** Session policy as a participant sees it. */
export type SessionPolicyInfo = v.InferOutput<typeof e.SessionPolicyInfo>;
/** What the server learns of a checklist. */
export type ChecklistStatus = v.InferOutput<typeof e.ChecklistStatus>;
/** Status of one checklist step. */
export type CheckStatus = v.InferOutput<typeof e.CheckStatus>;
