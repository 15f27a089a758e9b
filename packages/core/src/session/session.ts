import type {
  MediaKind,
  ParticipantInfo,
  RequestData,
  RequestMethod,
  ResponseData,
  Role,
  SessionHost,
  SessionPolicyInfo,
  WaitingEntry,
} from '@alcove/protocol';
import type { ChatMessage, SendChatOptions } from '../chat/types.js';
import { attach as attachTrack, setAudioOutput } from '../media/attach.js';
import { LocalMedia } from '../media/local-media.js';
import { MediaManager } from '../media/media-manager.js';
import { MediaMonitor } from '../media/media-monitor.js';
import type { LocalTrack, RemoteTrack } from '../media/types.js';
import { createBrowserPlatform } from '../platform/browser-platform.js';
import { createLogger, type Logger } from '../platform/logger.js';
import type { Platform } from '../platform/platform.js';
import { SwallowedErrors, addCounts } from '../platform/swallowed-errors.js';
import { classifyReconnectFailure } from '../reconnect/classify.js';
import { ReconnectController } from '../reconnect/reconnect-controller.js';
import { DefaultReconnectPolicy, type DisconnectCause, type ReconnectTier } from '../reconnect/reconnect-policy.js';
import { SignalingClient } from '../signaling/signaling-client.js';
import { AlcoveError, ConnectionError, InvalidStateError, UnsupportedError } from './errors.js';
import { routeNotification, type NotificationTarget } from './notification-router.js';
import { ParticipantRoster } from './participant-roster.js';
import type { SessionEvents } from './events.js';
import { joinAttempt, rejoinAttempt, resumeAttempt, startMedia, type JoinedResult, type RecoveryHost } from './recovery.js';
import { E2eeBinding } from './e2ee-binding.js';
import { MINIMUM_BROWSERS } from '../platform/browser-support.js';
import type { SessionChecklistLike } from './checklist-plugin.js';
import { type SessionChatLike, withoutChat } from './chat-plugin.js';
import {
  defaultIdentityStore,
  MemoryIdentityStore,
  resolveIdentity,
  type DeviceKey,
  type IdentityStore,
  type ResolvedIdentity,
} from '../e2ee/identity-store.js';
import { E2EE_OFF, type E2eeState } from '../e2ee/e2ee-state.js';
import { e2eePathAvailable } from '../e2ee/e2ee-controller.js';
import type { Checklist } from '../checklist/checklist.js';
import type { SealedSummary } from '../checklist/summary.js';
import { GuardedEmitter } from './guarded-emitter.js';
import { StateMachine, type SessionState, type StateChangeReason } from './state-machine.js';
import type { EmergencyInfo, RemoteParticipant, SessionOptions } from './types.js';
import type { TransformStats as E2eeTransformStats } from '../e2ee/worker/messages.js';

const EMPTY_SUMMARIES: ReadonlyMap<string, SealedSummary> = new Map();

const DEFAULT_SIMULCAST = [
  { scaleResolutionDownBy: 2, maxBitrate: 300_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

/**
 * One call: signalling, admission, media, chat, host controls and reconnect, behind a state machine
 * (`idle → connecting → waiting → joined ⇄ reconnecting → ended | failed`) and typed events.
 * @example
 * const session = Session.create({ serverUrl: 'wss://alcove.example/ws', token });
 * session.on('trackPublished', (t) => attach(t.track, t.kind === 'video' ? videoEl : audioEl));
 * session.on('failed', ({ fallback }) => showCallback(fallback?.callbackNumber));
 * await session.join();
 */
export class Session extends GuardedEmitter<SessionEvents> {
  readonly #o: SessionOptions;
  readonly #platform: Platform;
  readonly #log: Logger;
  readonly #swallowed: SwallowedErrors;
  readonly #machine: StateMachine;
  readonly #media: MediaManager;
  readonly #local: LocalMedia;
  readonly #monitor: MediaMonitor;
  readonly #reconnect: ReconnectController;
  /** Sealed chat (the `@alcove/core/chat` plug-in): pair channels, outbox, inbox; or a refusal without it. */
  readonly #chat: SessionChatLike;
  readonly #roster: ParticipantRoster;
  readonly #notifications: NotificationTarget;
  readonly #elements = new Set<HTMLMediaElement>();
  #sig: SignalingClient | undefined;
  #selfId = '';
  #role: Role | undefined;
  #policy: SessionPolicyInfo | undefined;
  #ticket: string | undefined;
  #waiting: readonly WaitingEntry[] = [];
  /** Guests: the hosts as the server last told us while waiting (names, credentials lines). */
  #hosts: readonly SessionHost[] = [];
  #heartbeatMs: number | undefined;
  /** TURN relays with credentials from the latest join, resume or admission (absent without TURN). */
  #iceServers: JoinedResult['iceServers'];
  #sinkId: string | undefined;
  #unsubscribeNetwork: (() => void) | undefined;
  #cause: DisconnectCause = 'signaling-closed';
  #admitted = false;
  #publishedDefaults = false;
  readonly #trackViews = new Map<string, RemoteTrack>();
  readonly #e2ee: E2eeBinding | undefined;
  /** The device identity (a non-extractable WebCrypto key, or a seed): the E2EE worker, the checklist and chat sign with it. Never log it. */
  #identity: DeviceKey | undefined;
  readonly #identityStore: IdentityStore;
  /** Resolves once an asynchronous identity store (IndexedDB) has answered; `join()` waits for it. */
  #identityReady: Promise<void> | undefined;
  #checklist: SessionChecklistLike | undefined;
  /** A checklist attached before the identity (and so the checklist binding) was ready. */
  #pendingChecklist: Checklist | undefined;
  #sessionId = '';

  private constructor(options: SessionOptions) {
    super();
    this.#o = options;
    this.#platform = options.platform ?? createBrowserPlatform();
    this.#log = this.#platform.logger ?? createLogger();
    this.#swallowed = new SwallowedErrors(this.#log);
    this.#machine = new StateMachine((c) => {
      this.#log.child('session').info('session.stateChanged', { from: c.from, to: c.to, reason: c.reason });
      this.#emit('stateChanged', c);
    });
    this.#identityStore =
      options.identity === 'ephemeral'
        ? new MemoryIdentityStore()
        : (options.identityStore ?? defaultIdentityStore(this.#platform.persistentStorage));
    this.#e2ee =
      options.e2ee !== 'off' && options.e2eeWorker && this.#platform.capabilities().encodedTransforms
        ? new E2eeBinding(options.e2eeWorker, options.e2eePath, {
            request: (m, d) => this.#request(m, d),
            sasReady: (info) => this.#emit('e2eeSasReady', info),
            peerKeyed: (id) => this.#emit('e2eePeerKeyed', id),
            identityChanged: (change) => this.#emit('e2eeIdentityChanged', change),
            stateChanged: (state) => this.#emit('e2eeStateChanged', state),
            now: () => this.#platform.timers.now(),
            requestKeyFrame: (pid) => {
              for (const t of this.#media.remoteTracks) {
                if (t.participantId !== pid || t.kind !== 'video') continue;
                void this.#request('media.requestKeyFrame', { producerId: t.producerId }).catch(
                  this.#swallowed.handler('e2ee.requestKeyFrame'),
                );
              }
            },
            problem: (code, detail) => this.#emit('error', new AlcoveError(code, detail)),
            swallowed: (site, e, fields) => this.#swallowed.record(site, e, fields),
          })
        : undefined;
    const identity = resolveIdentity(this.#identityStore, (n) => this.#platform.randomBytes(n), globalThis.crypto?.subtle);
    if (identity instanceof Promise) this.#identityReady = identity.then((id) => this.#useIdentity(id));
    else this.#useIdentity(identity);
    const hooks = this.#e2ee ? this.#e2ee.mediaHooks(options.mediaHooks) : options.mediaHooks;
    const simulcast =
      options.simulcast === true
        ? DEFAULT_SIMULCAST
        : options.simulcast === false || options.simulcast === undefined
          ? []
          : options.simulcast;
    this.#media = new MediaManager({
      platform: this.#platform,
      swallowed: this.#swallowed,
      e2ee: () => this.#e2ee !== undefined,
      ...(hooks ? { hooks } : {}),
      simulcast,
      ice: () => ({ iceServers: this.#iceServers, policy: this.#o.iceTransportPolicy ?? 'all' }),
      callbacks: {
        request: (m, d, s) => this.#request(m, d, s),
        selfId: () => this.#selfId,
        onRemoteTrackAdded: (t) => {
          this.#trackViews.set(t.id, t);
          this.#emit('trackPublished', t);
        },
        onRemoteTrackRemoved: (t) => {
          this.#trackViews.delete(t.id);
          this.#emit('trackUnpublished', t);
        },
        onRemoteTrackChanged: (t) => this.#remoteTrackChanged(t),
        onTransportStateChanged: (_d, s) => {
          if ((s === 'disconnected' || s === 'failed') && this.state === 'joined') this.#startReconnect('ice', 'ice-restart');
        },
        onError: (e) => this.#emit('error', e),
      },
    });
    this.#roster = new ParticipantRoster({
      selfId: () => this.#selfId,
      tracksOf: (id) => this.#media.remoteTracks.filter((t) => t.participantId === id),
      onJoined: (p) => {
        this.#e2ee?.peerJoined(p.id);
        this.#chat.peer(p.id, this.#roster.identityKeyOf(p.id));
        this.#emit('participantJoined', p);
      },
      onUpdated: (p) => {
        this.#chat.peer(p.id, this.#roster.identityKeyOf(p.id));
        this.#emit('participantUpdated', p);
      },
      onLeft: (p, reason) => {
        this.#e2ee?.peerLeft(p.id);
        this.#chat.peerLeft(p.id);
        this.#checklist?.participantGone(p.id);
        this.#media.removeParticipant(p.id);
        this.#monitor.forget(p.id);
        this.#emit('participantLeft', p, reason);
      },
    });
    this.#local = new LocalMedia(this.#platform, this.#media, { onLocalTrackChanged: (t) => this.#emit('localTrackChanged', t) });
    this.#monitor = new MediaMonitor({
      platform: this.#platform,
      swallowed: this.#swallowed,
      media: this.#media,
      ...(options.statsIntervalMs ? { intervalMs: options.statsIntervalMs } : {}),
      ...(options.inboundStallMs ? { stallMs: options.inboundStallMs } : {}),
      participants: () => this.#roster.ids,
      selfId: () => this.#selfId,
      onStall: () => {
        if (this.state === 'joined') this.#startReconnect('no-inbound-media', 'ice-restart');
      },
      onQuality: (r) => this.#emit('qualityChanged', r),
    });
    this.#reconnect = new ReconnectController({
      platform: this.#platform,
      policy: options.reconnectPolicy ?? new DefaultReconnectPolicy(),
      callbacks: {
        attempt: (tier, signal) => this.#attempt(tier, signal),
        classify: classifyReconnectFailure,
        onRecovered: ({ tier, attempts, elapsedMs }) => {
          if (this.#machine.final) return;
          const to: SessionState = this.#admitted ? 'joined' : 'waiting';
          this.#transition(to, to === 'joined' ? 'recovered' : 'rejoined-waiting');
          if (to === 'joined') this.#afterJoined();
          this.#emit('reconnected', { cause: this.#cause, tier, attempts, elapsedMs });
        },
        onGiveUp: (error, fatal) =>
          this.#fail(
            error instanceof AlcoveError ? error : new ConnectionError('RECONNECT_FAILED', error.message, { cause: error }),
            fatal,
          ),
      },
    });
    this.#chat = options.chat
      ? options.chat.createBinding(
          {
            platform: this.#platform,
            request: (m, d) => this.#request(m, d),
            selfId: () => this.#selfId,
            message: (m) => this.#emit('chatMessage', m),
            acked: (m) => this.#emit('chatAcknowledged', m),
            problem: (id, reason) => this.#emit('error', new AlcoveError('CHAT_SEALED_REFUSED', `${id}: ${reason}`)),
            swallowed: (site, e) => this.#swallowed.record(site, e),
          },
          () => this.#identity,
        )
      : withoutChat();
    this.#notifications = {
      admitted: (d) => void this.#onAdmitted(d),
      ended: (reason) => this.#end(reason),
      hostsChanged: (hosts) => this.#setHosts(hosts),
      lockChanged: (locked) => {
        if (this.#policy) this.#policy = { ...this.#policy, locked };
        this.#emit('lockChanged', locked);
      },
      screenSharePolicyChanged: (allowed) => {
        if (!this.#policy) return;
        this.#policy = { ...this.#policy, screenShare: allowed };
        this.#emit('policyChanged', this.#policy);
        if (allowed === 'nobody' || (allowed === 'host' && this.#role !== 'host')) void this.#local.stopScreenShare();
      },
      serverShutdown: () => {
        this.#sig?.close();
        this.#onSignalingLost('server-shutdown');
      },
      participantChanged: (p) => {
        this.#e2ee?.publishedKey(p.id, p.identityKey);
        this.#roster.upsert(p);
      },
      participantLeft: (id, reason) => this.#roster.remove(id, reason),
      waitingRoomChanged: (waiting) => {
        this.#forgetDeparted(waiting);
        this.#waiting = waiting;
        this.#emit('waitingRoomChanged', waiting);
      },
      producerAdded: (p) => void this.#media.addProducer(p).catch((e: unknown) => this.#emit('error', e as AlcoveError)),
      producerClosed: (id, reason) => {
        // Ours, closed because its frames were not encrypted: close it here and stop its track too.
        const own = reason === 'E2EE_NOT_ENCRYPTED' ? this.#media.closedByServer(id) : undefined;
        if (own) {
          const kind = own === 'mic' || own === 'screen-audio' ? 'audio' : 'video';
          this.#emit('localTrackChanged', { source: own, kind, track: null, muted: true, producerId: undefined, deviceId: undefined });
        }
        this.#media.removeProducer(id);
        // The server found this producer's frames without the E2EE trailer (ours, or a host hears of another's).
        if (reason) this.#emit('error', new AlcoveError(reason, 'the server closed a producer whose media was not end-to-end encrypted'));
      },
      producerPaused: (id, paused) => this.#media.setProducerPaused(id, paused),
      keyFrameRequested: (id) => {
        const source = this.#media.sourceOf(id);
        if (source) this.#e2ee?.keyFrameRequested(source);
      },
      consumerClosed: (id) => this.#media.consumerClosed(id),
      transportClosed: (id) => {
        // Remembered even during a reconnect: a repair running now must not count this transport as working.
        this.#media.transportClosed(id);
        if (this.state === 'joined') this.#startReconnect('transport-closed', 'resume');
      },
      chat: (m) => this.#chat.message(m),
      chatControl: (d) => this.#chat.control(d),
      muteRequested: (kind) => this.#emit('muteRequested', kind),
      e2eeMessage: (d) => this.#e2ee?.signal(d.from, d.type, d.payload),
      e2eePeerVerified: (d) => this.#emit('e2eeVerified', d.participantId, d.peer),
      checklistSubmitted: ({ participantId, ...info }) => this.#emit('checklistSubmitted', participantId, info),
      checklistHosts: (d) => this.#checklist?.hostsChanged(d.hosts),
      checklistMessage: (d) => this.#checklist?.message(d),
    };
  }

  /**
   * Creates a session (nothing connects until {@link join}).
   * @throws {AlcoveError} `INVALID_ARGUMENT` for a missing or non-`ws(s)://` URL or an empty token.
   * @throws {UnsupportedError} `UNSUPPORTED_FEATURE` when `e2eePath` names a transform path this browser lacks (`legacy` outside Chromium).
   * @example
   * const session = Session.create({ serverUrl: 'wss://alcove.example/ws', token, fallback: { callbackNumber } });
   */
  static create(options: SessionOptions): Session {
    if (!options || typeof options.serverUrl !== 'string' || !/^wss?:\/\//.test(options.serverUrl)) {
      throw new AlcoveError('INVALID_ARGUMENT', 'serverUrl must be a ws:// or wss:// URL');
    }
    if (typeof options.token !== 'string' || options.token.length === 0) throw new AlcoveError('INVALID_ARGUMENT', 'token is required');
    // A transform path this browser lacks (e.g. `legacy` in Firefox) fails here, before join, not as a half-call.
    if (options.e2eePath !== undefined && options.e2ee !== 'off' && options.e2eeWorker && !e2eePathAvailable(options.e2eePath)) {
      throw new UnsupportedError('UNSUPPORTED_FEATURE', `this browser has no '${options.e2eePath}' encoded-transform path for E2EE`);
    }
    return new Session(options);
  }

  /** The current state. */
  get state(): SessionState {
    return this.#machine.state;
  }
  /** This participant's id (after join). */
  get participantId(): string {
    return this.#selfId;
  }
  /** This participant's role (after join). */
  get role(): Role | undefined {
    return this.#role;
  }
  /** The session policy (after join). */
  get policy(): SessionPolicyInfo | undefined {
    return this.#policy;
  }
  /** Everyone else admitted. */
  get participants(): readonly RemoteParticipant[] {
    return this.#roster.list;
  }
  /** Host only: who waits, with checklist status. */
  get waiting(): readonly WaitingEntry[] {
    return this.#waiting;
  }
  /**
   * Guests: the session's hosts as the server tells a waiting guest — display name and optional
   * credentials line from each host's join token (untrusted: show as text only). Empty before the
   * join and while no host is there; kept as last known once admitted (see `participants` then).
   * Changes raise `hostsChanged`.
   */
  get hosts(): readonly SessionHost[] {
    return this.#hosts;
  }
  /** The pre-session checklist this session drives (guests), when one was given or attached. */
  get checklist(): Checklist | undefined {
    return this.#checklist?.checklist ?? this.#pendingChecklist;
  }
  /**
   * Host only: each client's checklist answers, opened from the sealed channel (location, emergency
   * contact, callback number, plan, device and network results), by participant id. Kept while the
   * client is in the session (waiting or admitted), dropped when they leave.
   */
  get checklistSummaries(): ReadonlyMap<string, SealedSummary> {
    return this.#checklist?.summaries ?? EMPTY_SUMMARIES;
  }
  /** Remote tracks received. */
  get remoteTracks(): readonly RemoteTrack[] {
    return this.#media.remoteTracks;
  }
  /** Local tracks published. */
  get localTracks(): readonly LocalTrack[] {
    return this.#local.tracks;
  }
  /** Chat messages not yet acknowledged (queued while disconnected). */
  get pendingChat(): number {
    return this.#chat.pending;
  }
  /**
   * Internals for tests and diagnostics (leak checks), and `swallowedErrors`: errors caught on
   * purpose (best-effort closes, unanswered pings, autoplay refusals, the checklist's network test),
   * counted by site (`media.closeProducer`) and logged at debug through `Platform.logger`.
   */
  get diagnostics(): {
    transports: number;
    reconnectTimer: boolean;
    monitorRunning: boolean;
    pendingRequests: number;
    signalingOpen: boolean;
    swallowedErrors: Record<string, number>;
  } {
    return {
      transports: this.#media.transports.length,
      reconnectTimer: this.#reconnect.hasTimer,
      monitorRunning: this.#monitor.running,
      pendingRequests: this.#sig?.pendingCount ?? 0,
      signalingOpen: this.#sig?.open ?? false,
      swallowedErrors: addCounts(this.#swallowed.snapshot(), this.#checklist?.checklist?.diagnostics.swallowedErrors),
    };
  }

  /**
   * Connects, presents the token and resolves once in the waiting room (`waiting`) or admitted
   * (`joined`, media published per `publish`).
   * @throws {InvalidStateError} unless `idle`.
   * @throws {UnsupportedError} `UNSUPPORTED_BROWSER` without WebRTC, or in a browser older than
   * Chrome/Edge 111, Firefox 120 or Safari 12 (before connecting).
   * @throws {ConnectionError} / {@link SignalingError} (e.g. `INVALID_TOKEN`, `SESSION_LOCKED`); the session is then `failed`.
   * @example
   * await session.join();
   * if (session.state === 'waiting') showWaitingRoom();
   */
  async join(signal?: AbortSignal): Promise<void> {
    if (this.state !== 'idle') throw new InvalidStateError(`join() in state ${this.state}`);
    if (!this.#platform.capabilities().webrtc) {
      const e = new UnsupportedError('UNSUPPORTED_BROWSER', `this browser has no WebRTC or is too old (${MINIMUM_BROWSERS} or newer)`);
      this.#transition('connecting', 'join');
      this.#fail(e, true);
      throw e;
    }
    this.#transition('connecting', 'join');
    this.#unsubscribeNetwork = this.#platform.onNetworkChange((online) => this.#onNetwork(online));
    try {
      // The device identity (IndexedDB answers asynchronously) is needed once admitted.
      if (this.#identityReady) await this.#identityReady;
      if (this.#machine.final) throw new AlcoveError('ABORTED', 'left during join');
      const r = await joinAttempt(this.#recovery(), signal);
      if (this.#machine.final) throw new AlcoveError('ABORTED', 'left during join');
      if (r.state === 'joined') {
        this.#transition('joined', 'joined');
        this.#afterJoined();
      } else {
        this.#transition('waiting', 'waiting');
        this.#media.preload();
      }
    } catch (e) {
      const err = e instanceof AlcoveError ? e : new ConnectionError('CONNECTION_FAILED', 'join failed', { cause: e });
      if (!this.#machine.final) this.#fail(err, true);
      throw err;
    }
  }

  /**
   * Leaves the call and releases everything (devices, transports, timers, socket); others see
   * "left". Idempotent; works in any state, including during a reconnect.
   * @example
   * hangUpButton.onclick = () => void session.leave();
   */
  async leave(): Promise<void> {
    if (this.#machine.final) return;
    const sig = this.#sig;
    this.#sig = undefined;
    this.#teardown(true);
    this.#transition('ended', 'left');
    this.#emit('ended', 'left');
    if (sig?.open) {
      // Tell the server (so others see "left", not "reconnecting"); never wait long for it.
      await sig.request('session.leave', {}, { timeoutMs: 1000 }).catch(this.#swallowed.handler('session.leave'));
    }
    sig?.close();
  }

  // --- local media ------------------------------------------------------------------------------

  /**
   * Turns the microphone on (captures/publishes it, or unmutes) or off (mute; others see it muted).
   * @throws {InvalidStateError} unless joined or reconnecting. Rejects with {@link MediaDeviceError}.
   * @example
   * await session.setMicrophoneEnabled(false);
   */
  setMicrophoneEnabled(enabled: boolean, deviceId?: string): Promise<void> {
    this.#guardJoined('setMicrophoneEnabled');
    if (enabled) this.#guardE2ee();
    return enabled ? this.#local.enable('audio', deviceId) : this.#local.disable('audio');
  }
  /**
   * Turns the camera on or off. Off releases the camera (its light goes out); on captures it again.
   * @throws {InvalidStateError} unless joined or reconnecting. Rejects with {@link MediaDeviceError}.
   * @example
   * await session.setCameraEnabled(false);
   */
  setCameraEnabled(enabled: boolean, deviceId?: string): Promise<void> {
    this.#guardJoined('setCameraEnabled');
    if (enabled) this.#guardE2ee();
    return enabled ? this.#local.enable('video', deviceId) : this.#local.disable('video');
  }
  /**
   * Switches the camera or microphone live (`replaceTrack`, no renegotiation); the old track stops.
   * @example
   * const mics = (await session.listDevices()).filter((d) => d.kind === 'audioinput');
   * await session.switchDevice('audio', mics[1].deviceId);
   */
  switchDevice(kind: MediaKind, deviceId: string): Promise<void> {
    this.#guardJoined('switchDevice');
    if (!deviceId) throw new AlcoveError('INVALID_ARGUMENT', 'deviceId is required');
    return this.#local.switchDevice(kind, deviceId);
  }
  /**
   * Shares the screen when the session policy allows it for this role.
   * @throws {AlcoveError} `SCREEN_SHARE_NOT_ALLOWED`; {@link UnsupportedError} without `getDisplayMedia`.
   */
  startScreenShare(): Promise<void> {
    this.#guardJoined('startScreenShare');
    this.#guardE2ee();
    const allowed = this.#policy?.screenShare;
    if (allowed === 'nobody' || (allowed === 'host' && this.#role !== 'host')) {
      throw new AlcoveError('SCREEN_SHARE_NOT_ALLOWED', 'screen share is not allowed for this participant');
    }
    return this.#local.startScreenShare();
  }
  /** Stops sharing the screen. */
  stopScreenShare(): Promise<void> {
    return this.#local.stopScreenShare();
  }
  /** Lists cameras, microphones and speakers. */
  async listDevices(): Promise<MediaDeviceInfo[]> {
    const md = this.#platform.mediaDevices;
    if (!md) throw new UnsupportedError('UNSUPPORTED_BROWSER', 'no media devices');
    return md.enumerateDevices();
  }

  // --- checklist ---------------------------------------------------------------------------------

  /**
   * Gives the session a checklist created after `Session.create` (e.g. from `@alcove/core/checklist`).
   * It is bound as soon as the server's policy is known (at once when already waiting or joined).
   * @throws {InvalidStateError} once the session has ended or failed.
   * @example
   * const session = Session.create({ serverUrl, token, checklist: checklistSupport() });
   * session.attachChecklist(new Checklist({ platform }));
   * await session.join(); // the checklist now submits statuses and seals answers to the therapist
   */
  attachChecklist(checklist: Checklist): void {
    if (this.#machine.final) throw new InvalidStateError(`attachChecklist() in state ${this.state}`);
    if (!checklist || typeof checklist.bind !== 'function') throw new AlcoveError('INVALID_ARGUMENT', 'checklist must be a Checklist');
    if (!this.#o.checklist) {
      throw new UnsupportedError(
        'UNSUPPORTED_FEATURE',
        'create the session with `checklist: checklistSupport()` from @alcove/core/checklist',
      );
    }
    if (this.#checklist) this.#checklist.attach(checklist);
    else this.#pendingChecklist = checklist;
  }

  /**
   * Host only: what the therapist needs if something happens to a client during the session — where
   * the client is, whom to call, the number to call the client back on, and the agreed plan — from
   * the client's sealed checklist answers; undefined until they arrive.
   * @example
   * const info = session.emergencyInfo(clientId);
   * if (info?.callbackPhone) callLink.href = `tel:${info.callbackPhone.e164}`;
   */
  emergencyInfo(participantId: string): EmergencyInfo | undefined {
    const s = this.#checklist?.summaries.get(participantId);
    if (!s) return undefined;
    return {
      participantId,
      at: s.at,
      ...(s.location ? { location: s.location } : {}),
      ...(s.emergency
        ? {
            emergencyContact: { name: s.emergency.contactName, phone: s.emergency.contactPhone },
            callbackPhone: s.emergency.callbackPhone,
            plan: s.emergency.plan,
            ...(s.emergency.note !== undefined ? { note: s.emergency.note } : {}),
          }
        : {}),
    };
  }

  // --- remote media -----------------------------------------------------------------------------

  /** Stops receiving a remote track (saves bandwidth); {@link resumeTrack} restarts it. */
  pauseTrack(trackId: string): Promise<void> {
    this.#guardJoined('pauseTrack');
    return this.#media.setRemotePaused(trackId, true);
  }
  /** Resumes a paused remote track. */
  resumeTrack(trackId: string): Promise<void> {
    this.#guardJoined('resumeTrack');
    return this.#media.setRemotePaused(trackId, false);
  }
  /** Prefers a simulcast layer for a remote video (0 = lowest). */
  setPreferredLayers(trackId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    this.#guardJoined('setPreferredLayers');
    return this.#media.setPreferredLayers(trackId, spatialLayer, temporalLayer);
  }
  /**
   * Attaches a track to a `<video>`/`<audio>` element (and applies the chosen speaker). Returns a detach function.
   * @example
   * const detach = session.attach(track.track, document.querySelector('video')!);
   */
  attach(track: MediaStreamTrack, element: HTMLMediaElement): () => void {
    const local = this.#local.tracks.some((t) => t.track === track);
    const detach = attachTrack(track, element, { local, onPlayRejected: (e) => this.#swallowed.record('media.play', e) });
    this.#elements.add(element);
    if (this.#sinkId !== undefined && !local)
      void setAudioOutput(element, this.#sinkId).catch((e: unknown) => this.#emit('error', e as AlcoveError));
    return () => {
      detach();
      this.#elements.delete(element);
    };
  }
  /**
   * Routes remote audio of every attached element to speaker `deviceId`.
   * @throws {UnsupportedError} `UNSUPPORTED_FEATURE` where `setSinkId` is missing.
   */
  async setAudioOutput(deviceId: string): Promise<void> {
    if (!this.#platform.capabilities().setSinkId) throw new UnsupportedError('UNSUPPORTED_FEATURE', 'speaker selection is not supported');
    this.#sinkId = deviceId;
    for (const el of this.#elements) await setAudioOutput(el, deviceId);
  }

  // --- chat ---------------------------------------------------------------------------------------

  /**
   * Sends a chat message, sealed end to end for the participants admitted now (or those of them in
   * `options.to`); resolves when the server acknowledged it. Queued while disconnected and re-sent
   * after resume; receivers get it exactly once, in order. Someone admitted later never can read it.
   * Rejects with `PAYLOAD_TOO_LARGE` above 4 KiB per recipient once sealed (about 3.9 KB of text),
   * and with `UNSUPPORTED_FEATURE` when the session was created without `chat: chatSupport()` (from
   * `@alcove/core/chat`).
   * @example
   * await session.sendChat('Can you hear me?');
   */
  sendChat(text: string, options?: SendChatOptions): Promise<ChatMessage> {
    if (this.#machine.final) return Promise.reject(new InvalidStateError(`sendChat() in state ${this.state}`));
    if (typeof text !== 'string' || text.length === 0) return Promise.reject(new AlcoveError('INVALID_ARGUMENT', 'text is required'));
    return this.#chat.send(text, options);
  }

  // --- host ---------------------------------------------------------------------------------------

  /**
   * Host: admits someone from the waiting room.
   * @throws {AlcoveError} `NOT_ALLOWED` without the host role; {@link InvalidStateError} unless joined.
   * @example
   * session.on('waitingRoomChanged', (w) => render(w.map((e) => ({ id: e.id, ready: e.checklist?.complete }))));
   * await session.admit(entry.id);
   */
  /**
   * Records that the security code shown by `e2eeSasReady` for `participantId` was read aloud and
   * matches on both screens. The server tells the peer and the hosts and notes it in the audit trail.
   * @throws {InvalidStateError} when not in a call; {@link UnsupportedError} `E2EE_UNAVAILABLE` without E2EE.
   * @example
   * session.on('e2eeSasReady', (sas) => showCode(sas, () => session.confirmSecurityCode(sas.peer)));
   */
  async confirmSecurityCode(participantId: string): Promise<void> {
    this.#guardJoined('confirmSecurityCode');
    if (!this.#e2ee) throw new UnsupportedError('E2EE_UNAVAILABLE', 'confirmSecurityCode() needs an E2EE session (e2eeWorker)');
    await this.#request('e2ee.verified', { peer: participantId });
    // Remembered by the peer's identity fingerprint: verified in later sessions until it changes.
    const record = this.#e2ee.confirmed(participantId);
    if (record) {
      try {
        await this.#identityStore.rememberVerified(record);
      } catch (e) {
        this.#swallowed.record('e2ee.rememberVerified', e);
      }
    }
    this.#emit('e2eeVerified', this.#selfId, participantId);
  }

  /**
   * End-to-end encryption state: `encrypted` only when this client's sender key is set and every
   * peer's frames open under its current key; per peer: handshake, keys, verified, identity
   * changed. Changes come as `e2eeStateChanged`. `state: 'off'` without E2EE.
   * @example
   * session.on('e2eeStateChanged', (s) => (lock.hidden = s.state !== 'encrypted'));
   */
  get e2eeState(): E2eeState {
    return this.#e2ee?.state ?? E2EE_OFF;
  }

  /**
   * End-to-end encryption counters, one entry per encoded transform: frames sealed (`send`) or
   * opened (`recv`), frames dropped and the last drop reason (`AUTH_FAILED`, `UNKNOWN_KEY`,
   * `REPLAY`…). Never keys. Empty without E2EE. Use it to show that media really is encrypted and
   * to notice injected or undecryptable frames.
   * @example
   * const stats = await session.getE2eeStats();
   * const sealed = stats.filter((s) => s.direction === 'send').reduce((n, s) => n + s.frames, 0);
   */
  getE2eeStats(): Promise<readonly E2eeTransformStats[]> {
    return this.#e2ee ? this.#e2ee.stats() : Promise.resolve([]);
  }

  admit(participantId: string): Promise<void> {
    return this.#host('host.admit', { participantId });
  }
  /** Host: denies entry. */
  deny(participantId: string): Promise<void> {
    return this.#host('host.deny', { participantId });
  }
  /** Host: removes a participant for good. */
  remove(participantId: string): Promise<void> {
    return this.#host('host.remove', { participantId });
  }
  /** Host: nobody new may enter. */
  lock(): Promise<void> {
    return this.#host('host.lock', {});
  }
  /** Host: reopens the session. */
  unlock(): Promise<void> {
    return this.#host('host.unlock', {});
  }
  /** Host: asks a participant to mute (they decide; see `muteRequested`). */
  requestMute(participantId: string, kind: MediaKind): Promise<void> {
    return this.#host('host.requestMute', { participantId, kind });
  }
  /** Host: who may share the screen. */
  setScreenSharePolicy(allowed: SessionPolicyInfo['screenShare']): Promise<void> {
    return this.#host('host.setScreenShare', { allowed });
  }
  /**
   * Host: ends the session for everyone.
   * @example
   * await session.end();
   */
  end(): Promise<void> {
    return this.#host('host.end', {});
  }

  // --- internals ------------------------------------------------------------------------------------

  #emit<E extends keyof SessionEvents>(event: E, ...args: SessionEvents[E]): void {
    (this.emit as (e: E, ...a: SessionEvents[E]) => boolean)(event, ...args);
  }

  #transition(to: SessionState, reason: StateChangeReason): void {
    this.#machine.transition(to, reason);
  }

  #guardJoined(method: string): void {
    if (this.state !== 'joined' && this.state !== 'reconnecting') throw new InvalidStateError(`${method}() in state ${this.state}`);
  }

  /** Publishing unencrypted media where the session requires E2EE is refused here, before any capture. */
  #guardE2ee(): void {
    if (this.#o.e2ee !== 'off' && this.#policy?.e2eeRequired && !this.#e2ee) {
      throw new UnsupportedError(
        'E2EE_UNAVAILABLE',
        'this session requires end-to-end encryption: give Session.create an e2eeWorker (in a browser with encoded transforms)',
      );
    }
  }

  async #host<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<void> {
    if (this.state !== 'joined') throw new InvalidStateError(`${method} in state ${this.state}`);
    if (this.#role !== 'host') throw new AlcoveError('NOT_ALLOWED', `${method} needs the host role`);
    await this.#request(method, data);
  }

  #request<M extends RequestMethod>(method: M, data: RequestData<M>, signal?: AbortSignal): Promise<ResponseData<M>> {
    const sig = this.#sig;
    if (!sig) return Promise.reject(new ConnectionError('CONNECTION_LOST', `${method}: not connected`));
    return sig.request(method, data, signal ? { signal } : {});
  }

  /** The narrow surface the join/resume attempts use. */
  #recovery(): RecoveryHost {
    return {
      options: this.#o,
      platform: this.#platform,
      media: this.#media,
      ticket: () => this.#ticket,
      currentSignaling: () => this.#sig,
      newSignaling: () => {
        this.#sig?.close();
        const client: SignalingClient = new SignalingClient(
          this.#platform,
          {
            onNotification: (n) => {
              if (client === this.#sig) routeNotification(n, this.#notifications);
            },
            onLost: (reason) => {
              if (client === this.#sig) this.#onSignalingLost(reason === 'heartbeat' ? 'heartbeat' : 'signaling-closed');
            },
            onSwallowedError: (site, e) => this.#swallowed.record(site, e),
          },
          this.#o.signaling,
        );
        this.#sig = client;
        return client;
      },
      applyJoined: (r) => this.#applyJoined(r),
      publishDefaults: () => this.#publishDefaults(),
      resumeChat: () => this.#chat.resume(),
      swallowed: (site, e) => this.#swallowed.record(site, e),
      e2ee: this.#e2ee !== undefined,
    };
  }

  #setHosts(hosts: readonly SessionHost[]): void {
    this.#hosts = hosts;
    this.#emit('hostsChanged', hosts);
  }

  #applyJoined(r: JoinedResult): void {
    this.#selfId = r.participantId;
    this.#sessionId = r.sessionId;
    this.#role = r.role;
    this.#policy = r.policy;
    this.#heartbeatMs = r.heartbeatMs;
    this.#admitted = r.state === 'joined';
    if (r.resumeTicket) this.#ticket = r.resumeTicket;
    if (r.iceServers) {
      this.#iceServers = r.iceServers;
      // A resume that keeps the transports: their next ICE restart uses the new credentials.
      this.#media.updateIceServers();
    }
    if (r.participants) {
      this.#publishedKeys(r.participants);
      this.#roster.sync(r.participants);
    }
    if (r.sessionHosts) this.#setHosts(r.sessionHosts);
    if (this.#admitted) this.#e2ee?.start(r.sessionId, r.participantId, r.role, this.#identity);
    if (this.#admitted) this.#chat.start(r.sessionId, r.participantId, r.role);
    this.#checklist?.joined(r);
    // Hosts publish their identity key at once (E2EE or not): guests seal checklist answers to it.
    if (r.role === 'host' && this.#admitted && this.#checklist) {
      void this.#request('e2ee.publishKey', { identityKey: this.#checklist.identityKey, suites: [1] }).catch(
        this.#swallowed.handler('checklist.publishKey'),
      );
    }
    if (r.waiting) {
      this.#waiting = r.waiting;
      this.#emit('waitingRoomChanged', r.waiting);
    }
    this.#sig?.startHeartbeat(this.#heartbeatMs);
  }

  /** Hands the identity keys participants published to the E2EE worker (their handshakes must use them). */
  #publishedKeys(list: readonly ParticipantInfo[]): void {
    for (const p of list) if (p.id !== this.#selfId) this.#e2ee?.publishedKey(p.id, p.identityKey);
  }

  /** The device identity is known: the checklist binding can sign with it, the E2EE binding knows who was verified. */
  #useIdentity(id: ResolvedIdentity): void {
    this.#identity = id.key;
    this.#e2ee?.setVerifiedPeers(id.verified);
    if (this.#machine.final) return;
    this.#checklist = this.#o.checklist?.createBinding(
      {
        request: (m, d, s) => this.#request(m, d, s),
        timers: this.#platform.timers,
        summary: (pid, summary) => this.#emit('checklistSummary', pid, summary),
        problem: (pid, reason) => this.#emit('error', new AlcoveError('CHECKLIST_SEALED_REFUSED', `${pid}: ${reason}`)),
        swallowed: (site, e) => this.#swallowed.record(site, e),
      },
      id.key,
    );
    const pending = this.#pendingChecklist;
    this.#pendingChecklist = undefined;
    if (pending) this.#checklist?.attach(pending);
  }

  async #publishDefaults(): Promise<void> {
    if (this.#publishedDefaults) return;
    this.#publishedDefaults = true;
    if (this.#o.e2ee !== 'off' && this.#policy?.e2eeRequired && !this.#e2ee) {
      this.#emit(
        'error',
        new UnsupportedError(
          'E2EE_UNAVAILABLE',
          'this session requires end-to-end encryption and no e2eeWorker was given; nothing is published',
        ),
      );
      return;
    }
    const p = this.#o.publish ?? {};
    // The devices chosen in the checklist are the ones the call uses.
    const chosen = this.#checklist?.devices() ?? {};
    for (const kind of ['audio', 'video'] as const) {
      const want = p[kind] ?? true;
      if (want === false) continue;
      const deviceId = typeof want === 'string' ? want : kind === 'audio' ? chosen.microphoneId : chosen.cameraId;
      await this.#local.enable(kind, deviceId).catch((e: unknown) => this.#emit('error', e as AlcoveError));
    }
    if (chosen.speakerId && this.#sinkId === undefined && this.#platform.capabilities().setSinkId) {
      await this.setAudioOutput(chosen.speakerId).catch((e: unknown) => this.#emit('error', e as AlcoveError));
    }
  }

  #afterJoined(): void {
    this.#monitor.start();
    this.#chat.resume();
  }

  async #onAdmitted(d: {
    resumeTicket: string;
    participants: ParticipantInfo[];
    producers: JoinedResult['producers'];
    iceServers?: JoinedResult['iceServers'];
  }): Promise<void> {
    if (this.state !== 'waiting') return;
    this.#ticket = d.resumeTicket;
    if (d.iceServers) this.#iceServers = d.iceServers;
    this.#admitted = true;
    this.#publishedKeys(d.participants);
    this.#roster.sync(d.participants);
    this.#e2ee?.start(this.#sessionId, this.#selfId, this.#role ?? 'client', this.#identity);
    this.#chat.start(this.#sessionId, this.#selfId, this.#role ?? 'client');
    let mediaOk = true;
    try {
      await startMedia(this.#recovery(), d.producers);
    } catch (e) {
      if (this.state !== 'waiting') return;
      mediaOk = false;
      this.#emit('error', e instanceof AlcoveError ? e : new ConnectionError('CONNECTION_FAILED', 'media setup failed', { cause: e }));
    }
    if (this.state !== 'waiting') return;
    this.#transition('joined', 'admitted');
    this.#afterJoined();
    // Media could not be set up: repair it through the resume tier (new transports).
    if (!mediaOk) this.#startReconnect('transport-closed', 'resume');
  }

  #onSignalingLost(cause: DisconnectCause): void {
    this.#chat.suspend();
    const s = this.state;
    if (s === 'joined' || s === 'waiting' || s === 'reconnecting') this.#startReconnect(cause, 'resume');
  }

  #onNetwork(online: boolean): void {
    if (!online) {
      if (this.state === 'joined' || this.state === 'waiting') this.#startReconnect('offline', 'resume');
    } else if (this.#reconnect.active) {
      this.#reconnect.retryNow();
    }
  }

  #startReconnect(cause: DisconnectCause, tier: ReconnectTier): void {
    const s = this.state;
    const t: ReconnectTier = s === 'waiting' || !this.#admitted ? 'rejoin' : tier;
    if (s === 'joined' || s === 'waiting') {
      this.#cause = cause;
      this.#monitor.stop();
      this.#transition(
        'reconnecting',
        cause === 'heartbeat' || cause === 'signaling-closed' ? 'connection-lost' : cause === 'ice' ? 'ice' : cause,
      );
      this.#emit('reconnecting', { cause, tier: t });
      this.#reconnect.start(cause, t);
    } else if (s === 'reconnecting') {
      this.#reconnect.start(cause, t);
    }
  }

  async #attempt(tier: ReconnectTier, signal: AbortSignal): Promise<void> {
    const host = this.#recovery();
    if (tier === 'ice-restart') {
      if (!this.#sig?.open) throw new ConnectionError('CONNECTION_LOST', 'signalling is down');
      await this.#media.restartIce(signal);
      await this.#media.waitConnected(this.#o.iceRestartTimeoutMs ?? 5000, signal);
      await this.#media.complete(signal);
      return;
    }
    if (tier === 'resume') {
      this.#chat.suspend();
      await resumeAttempt(host, signal);
      return;
    }
    this.#chat.suspend();
    this.#admitted = false;
    this.#ticket = undefined;
    await rejoinAttempt(host, signal);
  }

  #end(reason: 'denied' | 'removed' | 'session-ended'): void {
    if (this.#machine.final) return;
    this.#teardown(true);
    this.#transition('ended', reason);
    this.#emit('ended', reason);
  }

  #fail(error: AlcoveError, fatal: boolean): void {
    if (this.#machine.final) return;
    if (error.code === 'REMOVED' || error.code === 'DENIED' || error.code === 'SESSION_ENDED') {
      this.#end(error.code === 'REMOVED' ? 'removed' : error.code === 'DENIED' ? 'denied' : 'session-ended');
      return;
    }
    // The agreed fallback comes from the checklist's answers: read it before teardown clears them.
    const fallback = this.#o.fallback ?? this.#checklist?.fallback();
    this.#teardown(false);
    this.#transition('failed', this.state === 'connecting' ? 'join-failed' : fatal ? 'error' : 'reconnect-failed');
    this.#emit('failed', { error, fallback });
  }

  /**
   * Releases everything: reconnect timer and attempt, stats timer, media, chat, socket, listeners.
   * `ended` (not failed): the checklist's copy of what the client typed leaves the tab's storage too.
   */
  #teardown(ended: boolean): void {
    this.#e2ee?.close();
    this.#checklist?.close(ended);
    this.#reconnect.cancel();
    this.#monitor.stop();
    this.#local.close();
    this.#media.close();
    this.#chat.close();
    this.#sig?.close();
    this.#sig = undefined;
    this.#unsubscribeNetwork?.();
    this.#unsubscribeNetwork = undefined;
    this.#elements.clear();
  }

  /** Host: a client who left the waiting room without being admitted takes their answers along. */
  #forgetDeparted(waiting: readonly WaitingEntry[]): void {
    const still = new Set(waiting.map((w) => w.id));
    const admitted = new Set(this.#roster.ids);
    for (const w of this.#waiting) if (!still.has(w.id) && !admitted.has(w.id)) this.#checklist?.participantGone(w.id);
  }

  #remoteTrackChanged(t: RemoteTrack): void {
    const prev = this.#trackViews.get(t.id);
    this.#trackViews.set(t.id, t);
    if (!prev || prev.muted !== t.muted) this.#emit('trackMuted', t, t.muted);
    if (prev && prev.paused !== t.paused) this.#emit('trackPaused', t, t.paused);
  }
}
