/**
 * Live rooms by session id: created on the first join (one router per session), ended by a host,
 * the admin API, idleness or shutdown.
 * @packageDocumentation
 */
import { routerCodecs } from '../media/codecs.js';
import type { EngineRouter } from '../media/engine-types.js';
import { MediaRoom } from '../media/media-room.js';
import { NetworkTests } from '../media/network-test.js';
import { RequestError } from '../signaling/request-error.js';
import { issueTurnCredentials } from '../turn/credentials.js';
import type { RoomDeps } from './deps.js';
import { Room, type RoomEndReason } from './room.js';

/** Defaults of the live options. */
export const LIVE_DEFAULTS = {
  graceMs: 20_000,
  heartbeatMs: 10_000,
  rtcListenIp: '127.0.0.1',
  dropAudioLevelUpTo: 2,
  waitingTimeoutMs: 3_600_000,
  hostAbsentTimeoutMs: 900_000,
} as const;

/** See the file header. */
export class RoomManager {
  readonly #deps: RoomDeps;
  readonly #rooms = new Map<string, Room>();
  readonly #pending = new Map<string, Promise<Room>>();
  #closed = false;

  constructor(deps: RoomDeps) {
    this.#deps = deps;
  }

  /** The live room of a session, if any. */
  get(sessionId: string): Room | undefined {
    return this.#rooms.get(sessionId);
  }

  /** Number of live rooms. */
  get size(): number {
    return this.#rooms.size;
  }

  /** Every live room. */
  rooms(): readonly Room[] {
    return [...this.#rooms.values()];
  }

  /**
   * The live room of a session, creating it (and its router) when needed.
   * @throws {@link RequestError} `SESSION_NOT_FOUND`, `SESSION_ENDED`, `SHUTTING_DOWN`, `MEDIA_ERROR`.
   */
  async open(sessionId: string): Promise<Room> {
    if (this.#closed) throw new RequestError('SHUTTING_DOWN', 'the server is shutting down', { closeAfter: true });
    const live = this.#rooms.get(sessionId);
    if (live) return live;
    this.#checkRecord(sessionId);
    let pending = this.#pending.get(sessionId);
    if (!pending) {
      pending = this.#create(sessionId).finally(() => this.#pending.delete(sessionId));
      this.#pending.set(sessionId, pending);
    }
    return pending;
  }

  /** Ends a session's live room (admin API, registry `ended`). */
  endLive(sessionId: string, reason: RoomEndReason = 'admin'): boolean {
    const room = this.#rooms.get(sessionId);
    if (!room) return false;
    room.end(reason);
    return true;
  }

  /** Tells everyone `session.shutdown`, closes connections and media. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const room of [...this.#rooms.values()]) room.end('shutdown');
    this.#rooms.clear();
  }

  #checkRecord(sessionId: string): void {
    const record = this.#deps.registry.get(sessionId);
    if (!record) throw new RequestError('SESSION_NOT_FOUND', 'no such session', { closeAfter: true });
    if (record.state === 'ended') throw new RequestError('SESSION_ENDED', 'the session has ended', { closeAfter: true });
  }

  async #create(sessionId: string): Promise<Room> {
    const record = this.#deps.registry.get(sessionId);
    if (!record) throw new RequestError('SESSION_NOT_FOUND', 'no such session', { closeAfter: true });
    const o = { ...LIVE_DEFAULTS, ...this.#deps.options };
    const log = this.#deps.logger;
    const codecs = routerCodecs(record.policy.e2eeRequired);
    let router: EngineRouter;
    try {
      router = await this.#deps.worker.createRouter({ mediaCodecs: codecs.map((c) => ({ ...c })), appData: { sessionId } });
    } catch (error) {
      log.error('media.routerFailed', { sessionId, error: error instanceof Error ? error.name : 'unknown' });
      throw new RequestError('MEDIA_ERROR', 'the media engine could not open a router', { cause: error });
    }
    if (this.#closed) {
      router.close();
      throw new RequestError('SHUTTING_DOWN', 'the server is shutting down', { closeAfter: true });
    }
    try {
      this.#checkRecord(sessionId);
    } catch (error) {
      router.close();
      throw error;
    }
    let room: Room | undefined;
    const listenInfo = {
      protocol: 'udp' as const,
      ip: o.rtcListenIp,
      ...(o.announcedAddress ? { announcedAddress: o.announcedAddress } : {}),
    };
    // The worker's ICE-TCP port beside UDP, for clients whose network blocks UDP.
    const listenInfos = o.rtcTcp === false ? [listenInfo] : [listenInfo, { ...listenInfo, protocol: 'tcp' as const }];
    const media = new MediaRoom({
      router,
      e2eeRequired: record.policy.e2eeRequired,
      dropAudioLevel: record.policy.maxParticipants <= o.dropAudioLevelUpTo,
      listenInfos,
      ...(o.mediaLimits ? { limits: o.mediaLimits } : {}),
      notify: (pid, method, data) => room?.notify(pid, method, data),
      producerEvent: (event, info) => room?.producerEvent(event, info),
      producerNotEncrypted: (info, check) => room?.producerNotEncrypted(info, check),
      mayProduce: (pid, source) => room?.mayProduce(pid, source) ?? false,
      onEngineError: (operation, error) =>
        log.warn('media.engineError', { sessionId, operation, error: error instanceof Error ? error.name : 'unknown' }),
    });
    const networkTests = new NetworkTests({
      worker: this.#deps.worker,
      codecs,
      e2eeRequired: record.policy.e2eeRequired,
      // The same ports as calls (UDP and ICE-TCP): a network that only passes TCP passes the test too.
      listenInfos,
      ...(o.networkTestLimits ? { limits: o.networkTestLimits } : {}),
      onEngineError: (operation, error) =>
        log.warn('media.engineError', { sessionId, operation, error: error instanceof Error ? error.name : 'unknown' }),
    });
    room = new Room(
      {
        sessionId,
        registry: this.#deps.registry,
        tickets: this.#deps.tickets,
        events: this.#deps.events,
        logger: log,
        media,
        networkTests,
        graceMs: o.graceMs,
        heartbeatMs: o.heartbeatMs,
        ...(o.turn ? { iceServers: () => issueTurnCredentials(o.turn!, (this.#deps.now ?? Date.now)()).iceServers } : {}),
        waitingTimeoutMs: o.waitingTimeoutMs,
        hostAbsentTimeoutMs: o.hostAbsentTimeoutMs,
        now: this.#deps.now ?? Date.now,
        onClosed: () => {
          if (this.#rooms.get(sessionId) === room) this.#rooms.delete(sessionId);
        },
      },
      record,
    );
    this.#rooms.set(sessionId, room);
    log.info('room.opened', { sessionId, e2eeRequired: record.policy.e2eeRequired });
    return room;
  }
}
