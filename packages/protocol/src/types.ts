import type * as v from 'valibot';
import type * as c from './schemas/common.js';
import type * as cl from './schemas/checklist.js';
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
/** A TURN/STUN server with short-lived credentials, in `RTCIceServer`'s shape. */
export type IceServer = v.InferOutput<typeof c.IceServer>;
/** `audio` or `video`. */
export type MediaKind = v.InferOutput<typeof c.MediaKind>;
/** Which device a track comes from. */
export type TrackSource = v.InferOutput<typeof c.TrackSource>;
/** A participant as others see it. */
export type ParticipantInfo = v.InferOutput<typeof e.ParticipantInfo>;
/** A host in the session as a waiting guest sees it (name and credentials line from its token). */
export type SessionHost = v.InferOutput<typeof e.SessionHost>;
/** A waiting-room entry as the host sees it. */
export type WaitingEntry = v.InferOutput<typeof e.WaitingEntry>;
/** A published track. */
export type ProducerInfo = v.InferOutput<typeof e.ProducerInfo>;
/** Session policy as a participant sees it. */
export type SessionPolicyInfo = v.InferOutput<typeof e.SessionPolicyInfo>;
/** What the server learns of a checklist. */
export type ChecklistStatus = v.InferOutput<typeof cl.ChecklistStatus>;
/** Status of one checklist step as the server knows it. */
export type CheckStatus = v.InferOutput<typeof cl.CheckStatus>;
/** One checklist step as the policy defines it. */
export type ChecklistStepDef = v.InferOutput<typeof cl.ChecklistStepDef>;
/** The consent document of a session. */
export type ConsentDocument = v.InferOutput<typeof cl.ConsentDocument>;
/** The checklist part of the policy, as participants see it. */
export type ChecklistPolicyInfo = v.InferOutput<typeof cl.ChecklistPolicyInfo>;
/** A signed consent receipt. */
export type ConsentReceipt = v.InferOutput<typeof cl.ConsentReceipt>;
/** `off`, `warn` or `block`. */
export type LicensureMode = v.InferOutput<typeof cl.LicensureMode>;
/** `pass`, `warn`, `block` or `unknown`. */
export type LicensureOutcome = v.InferOutput<typeof cl.LicensureOutcome>;
/** A host and its identity key, for the sealed checklist channel. */
export type HostKey = v.InferOutput<typeof cl.HostKey>;
/** `commit`, `reveal` or `sealed`. */
export type ChecklistRelayType = v.InferOutput<typeof cl.ChecklistRelayType>;
