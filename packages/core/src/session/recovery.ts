import type { ResponseData } from '@alcove/protocol';
import type { MediaManager } from '../media/media-manager.js';
import type { Platform } from '../platform/platform.js';
import type { SignalingClient } from '../signaling/signaling-client.js';
import { AlcoveError, SignalingError } from './errors.js';
import type { SessionOptions } from './types.js';

/** The result of `session.join` / `session.resume`. */
export type JoinedResult = ResponseData<'session.join'>;

/** What the join, resume and rejoin attempts need from the session. Internal. */
export interface RecoveryHost {
  readonly options: SessionOptions;
  readonly platform: Platform;
  readonly media: MediaManager;
  ticket(): string | undefined;
  currentSignaling(): SignalingClient | undefined;
  /** Replaces the signalling client (closing the old one) and returns the new one. */
  newSignaling(): SignalingClient;
  /** Takes in a join/resume result: ids, role, policy, ticket, participants, heartbeat. */
  applyJoined(result: JoinedResult): void;
  /** Captures and publishes the `publish` defaults (first admission only). */
  publishDefaults(): Promise<void>;
  resumeChat(): void;
  /** An error caught on purpose (an ICE restart that fell back to a rebuild): counted and logged at debug. */
  swallowed(site: string, error: unknown): void;
  /** Whether this client encrypts media end to end (sent with `session.join`). */
  readonly e2ee?: boolean;
}

/** SDK identifier sent with `session.join`. */
export const SDK_ID = 'alcove-core/0.1';

/** Starts media after admission: registers producers, creates transports, publishes. */
export async function startMedia(host: RecoveryHost, producers: JoinedResult['producers'], signal?: AbortSignal): Promise<void> {
  await host.media.reconcile(producers ?? [], signal);
  if (!host.media.started) await host.media.start(signal);
  await host.publishDefaults();
}

/** Opens signalling and presents the token (first join, and tier 3 rejoin). */
export async function joinAttempt(host: RecoveryHost, signal?: AbortSignal): Promise<JoinedResult> {
  const sig = host.newSignaling();
  await sig.connect(host.options.serverUrl, signal);
  // `e2ee`: whether this client encrypts media end to end (an E2EE worker is attached).
  const r = await sig.request(
    'session.join',
    { token: host.options.token, e2ee: host.e2ee ?? false, sdk: SDK_ID },
    signal ? { signal } : {},
  );
  host.applyJoined(r);
  if (r.state === 'joined') {
    await startMedia(host, r.producers, signal);
    host.resumeChat();
  }
  return r;
}

/**
 * Tier 2: reuse the socket if it still answers a ping, else open a new one and present the resume
 * ticket; then repair media (ICE restart, or new transports if the server forgot them).
 */
export async function resumeAttempt(host: RecoveryHost, signal: AbortSignal): Promise<void> {
  let sig = host.currentSignaling();
  let producers: JoinedResult['producers'];
  if (sig?.open) {
    await sig.request('session.ping', {}, { signal, timeoutMs: 2000 });
  } else {
    const ticket = host.ticket();
    if (!ticket) throw new SignalingError('INVALID_TOKEN', 'no resume ticket (not admitted yet)');
    sig = host.newSignaling();
    await sig.connect(host.options.serverUrl, signal);
    // A refused resume leaves a socket that represents nobody: closed, so a retry opens a new one.
    const r = await sig.request('session.resume', { ticket }, { signal }).catch((e: unknown) => {
      sig?.close();
      throw e;
    });
    host.applyJoined(r);
    producers = r.producers ?? [];
  }
  await repairMedia(host, signal, producers);
  host.resumeChat();
}

/** Tier 3: forget transports, present the token again (admission policy applies again). */
export async function rejoinAttempt(host: RecoveryHost, signal: AbortSignal): Promise<JoinedResult> {
  host.media.reset();
  const r = await joinAttempt(host, signal);
  if (r.state === 'joined') await host.media.complete(signal);
  return r;
}

/**
 * Makes media work again over a live signalling connection. Resolves only when every known remote
 * producer has a consumer on transports the server still has ({@link MediaManager.complete}): a
 * repair cut short before (an attempt that failed or timed out halfway, or transports the server
 * dropped again meanwhile) can leave transports that look fine but receive nothing; those are
 * completed here, or the attempt fails and the controller retries.
 */
export async function repairMedia(host: RecoveryHost, signal: AbortSignal, producers?: JoinedResult['producers']): Promise<void> {
  const { media } = host;
  const sig = host.currentSignaling();
  if (!sig) throw new AlcoveError('CONNECTION_LOST', 'no signalling');
  if (!media.started) {
    // No transports: a repair that failed after forgetting them. Without a resume result
    // (`producers` undefined, the socket was kept) the remote producers known stay as they are: an
    // empty list here would forget them all, and nothing would be consumed.
    if (producers) await media.reconcile(producers, signal);
    await media.start(signal);
    await host.publishDefaults();
    await media.complete(signal);
    return;
  }
  let known = true;
  for (const t of media.transports) {
    try {
      await sig.request('media.getTransportStats', { transportId: t.id }, { signal, timeoutMs: 3000 });
    } catch (e) {
      if (e instanceof AlcoveError && (e.code === 'NOT_FOUND' || e.code === 'INVALID_STATE')) known = false;
      else throw e;
    }
  }
  // Transports the server forgot (or dropped while this ran): forget them before taking in the
  // producers, so nothing is consumed on them.
  const fresh = !known || media.transportLost;
  if (fresh) media.reset();
  if (producers) await media.reconcile(producers, signal);
  if (fresh) {
    await media.start(signal);
  } else if (!media.transports.every((t) => t.connectionState === 'connected' || t.connectionState === 'new')) {
    try {
      await media.restartIce(signal);
      await media.waitConnected(host.options.iceRestartTimeoutMs ?? 5000, signal);
    } catch (e) {
      if (signal.aborted) throw e;
      host.swallowed('media.iceRestart', e);
      await media.rebuild(signal);
    }
  }
  await media.complete(signal);
}
