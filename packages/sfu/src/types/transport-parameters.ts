/**
 * ICE, DTLS and tuple shapes, identical to mediasoup's `WebRtcTransport.ts` and
 * `Transport.ts` types.
 *
 * @packageDocumentation
 */

/** Transport protocol of a candidate or tuple. */
export type TransportProtocol = 'udp' | 'tcp';

/** Local ICE parameters of a WebRtcTransport. */
export type IceParameters = {
  /** ICE username fragment. */
  usernameFragment: string;
  /** ICE password. */
  password: string;
  /** Whether the endpoint is ICE-lite (always true for the engine). */
  iceLite?: boolean;
};

/** ICE candidate type; the engine only offers host candidates. */
export type IceCandidateType = 'host';

/** ICE-TCP candidate type. */
export type IceCandidateTcpType = 'passive';

/** A local ICE candidate of a WebRtcTransport. */
export type IceCandidate = {
  /** Candidate foundation. */
  foundation: string;
  /** Candidate priority. */
  priority: number;
  /** @deprecated Use {@link IceCandidate.address} instead. */
  ip: string;
  /** IP address (or announced address). */
  address: string;
  /** Protocol. */
  protocol: TransportProtocol;
  /** Port. */
  port: number;
  /** Type. */
  type: IceCandidateType;
  /** TCP type (ICE-TCP only). */
  tcpType?: IceCandidateTcpType;
};

/** ICE role of the engine; always controlled (ICE-lite). */
export type IceRole = 'controlled' | 'controlling';

/** ICE state of a WebRtcTransport. */
export type IceState = 'new' | 'connected' | 'completed' | 'disconnected' | 'closed';

/** DTLS role. */
export type DtlsRole = 'auto' | 'client' | 'server';

/** DTLS state of a WebRtcTransport. */
export type DtlsState = 'new' | 'connecting' | 'connected' | 'failed' | 'closed';

/** Certificate fingerprint hash algorithm (RFC 4572 textual names). */
export type FingerprintAlgorithm = 'sha-1' | 'sha-224' | 'sha-256' | 'sha-384' | 'sha-512';

/** A certificate fingerprint: algorithm and lowercase/uppercase colon-separated hex value. */
export type DtlsFingerprint = {
  /** Hash algorithm. */
  algorithm: FingerprintAlgorithm;
  /** Colon-separated hex digest, e.g. `'AB:CD:…'`. */
  value: string;
};

/** DTLS parameters: role and certificate fingerprints. */
export type DtlsParameters = {
  /** DTLS role; default `'auto'`. */
  role?: DtlsRole;
  /** Certificate fingerprints. */
  fingerprints: DtlsFingerprint[];
};

/** A transport's local and (once known) remote address. */
export type TransportTuple = {
  /** @deprecated Use {@link TransportTuple.localAddress} instead. */
  localIp: string;
  /** Local address. */
  localAddress: string;
  /** Local port. */
  localPort: number;
  /** Remote IP. */
  remoteIp?: string;
  /** Remote port. */
  remotePort?: number;
  /** Protocol. */
  protocol: TransportProtocol;
};

/** SRTP crypto suites the engine supports. */
export type SrtpCryptoSuite = 'AEAD_AES_128_GCM' | 'AES_CM_128_HMAC_SHA1_80';
