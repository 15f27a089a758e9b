/**
 * A self-signed ECDSA P-256 certificate for Node-side test endpoints, created
 * once per process (generation costs tens of milliseconds) and shared.
 *
 * @packageDocumentation
 */
import { X509Certificate } from 'node:crypto';
import { CipherContext, HashAlgorithm, NamedCurveAlgorithm, SignatureAlgorithm } from 'werift';

/** A DTLS certificate with its SHA-256 fingerprint. */
export type EndpointCertificate = {
  certPem: string;
  keyPem: string;
  signatureHash: { hash: 4; signature: 3 };
  /** Uppercase colon-separated SHA-256 fingerprint. */
  fingerprint: string;
};

let shared: Promise<EndpointCertificate> | undefined;

/** The process-wide test certificate. */
export function getEndpointCertificate(): Promise<EndpointCertificate> {
  shared ??= (async () => {
    const signatureHash = { hash: HashAlgorithm.sha256_4, signature: SignatureAlgorithm.ecdsa_3 } as const;
    const { certPem, keyPem } = await CipherContext.createSelfSignedCertificateWithKey(signatureHash, NamedCurveAlgorithm.secp256r1_23);
    return { certPem, keyPem, signatureHash, fingerprint: new X509Certificate(certPem).fingerprint256 };
  })();
  return shared;
}
