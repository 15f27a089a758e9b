import type * as v from 'valibot';
import type * as c from './schemas/common.js';
import type * as cl from './schemas/checklist.js';
import type * as e from './schemas/entities.js';

/** mediasoup-shaped RTP capabilities. */
export interface RtpCapabilities extends v.InferOutput<typeof c.RtpCapabilities> {}
/** mediasoup-shaped RTP parameters. */
export interface RtpParameters extends v.InferOutput<typeof c.RtpParameters> {}
/** mediasoup-shaped DTLS parameters. */
export interface DtlsParameters extends v.InferOutput<typeof c.DtlsParameters> {}
/** mediasoup-shaped ICE parameters. */
export interface IceParameters extends v.InferOutput<typeof c.IceParameters> {}
/** mediasoup-shaped ICE candidate. */
export interface IceCandidate extends v.InferOutput<typeof c.IceCandidate> {}
/** A TURN/STUN server with short-lived credentials, in `RTCIceServer`'s shape. */
export interface IceServer extends v.InferOutput<typeof c.IceServer> {}
/** `audio` or `video`. */
export type MediaKind = v.InferOutput<typeof c.MediaKind>;
/** Which device a track comes from. */
export type TrackSource = v.InferOutput<typeof c.TrackSource>;
/** A participant as others see it. */
export interface ParticipantInfo extends v.InferOutput<typeof e.ParticipantInfo> {}
/** A host in the session as a waiting guest sees it (name and credentials line from its token). */
export interface SessionHost extends v.InferOutput<typeof e.SessionHost> {}
/** A waiting-room entry as the host sees it. */
export interface WaitingEntry extends v.InferOutput<typeof e.WaitingEntry> {}
/** A published track. */
export interface ProducerInfo extends v.InferOutput<typeof e.ProducerInfo> {}
/** Session policy as a participant sees it. */
export interface SessionPolicyInfo extends v.InferOutput<typeof e.SessionPolicyInfo> {}
/** What the server learns of a checklist. */
export interface ChecklistStatus extends v.InferOutput<typeof cl.ChecklistStatus> {}
/** Status of one checklist step as the server knows it. */
export type CheckStatus = v.InferOutput<typeof cl.CheckStatus>;
/** One checklist step as the policy defines it. */
export interface ChecklistStepDef extends v.InferOutput<typeof cl.ChecklistStepDef> {}
/** The consent document of a session. */
export interface ConsentDocument extends v.InferOutput<typeof cl.ConsentDocument> {}
/** The checklist part of the policy, as participants see it. */
export interface ChecklistPolicyInfo extends v.InferOutput<typeof cl.ChecklistPolicyInfo> {}
/** A signed consent receipt. */
export interface ConsentReceipt extends v.InferOutput<typeof cl.ConsentReceipt> {}
/** `off`, `warn` or `block`. */
export type LicensureMode = v.InferOutput<typeof cl.LicensureMode>;
/** `pass`, `warn`, `block` or `unknown`. */
export type LicensureOutcome = v.InferOutput<typeof cl.LicensureOutcome>;
/** A host and its identity key, for the sealed checklist channel. */
export interface HostKey extends v.InferOutput<typeof cl.HostKey> {}
/** `commit`, `reveal` or `sealed`. */
export type ChecklistRelayType = v.InferOutput<typeof cl.ChecklistRelayType>;
