/**
 * {@link AdminLiveOps} over the server's live rooms: the admin API acts through the same room methods
 * a host's requests use (so notifications, attendance, audit and webhooks are the same), with the
 * admin as the actor.
 * @packageDocumentation
 */
import type { RoomManager } from '../rooms/room-manager.js';
import type { RoomEndReason } from '../rooms/room.js';
import type { AdminLiveOps } from './types.js';

/** The live side of the admin API for a {@link RoomManager}. @internal */
export function roomLiveOps(rooms: RoomManager): AdminLiveOps {
  const room = (sid: string) => {
    const r = rooms.get(sid);
    return r && !r.ended ? r : undefined;
  };
  return {
    participants: (sid) =>
      room(sid)
        ?.participants()
        .map((p) => ({ id: p.id, role: p.role, state: p.state, connected: p.connection !== undefined, since: p.since })),
    admit: (sid, pid) => room(sid)?.admit('admin', pid),
    deny: (sid, pid) => room(sid)?.deny('admin', pid),
    remove: (sid, pid) => {
      const r = room(sid);
      if (!r?.participant(pid)) return false;
      r.remove('admin', pid);
      return true;
    },
    requestMute: (sid, pid, kind) => room(sid)?.requestMute('admin', pid, kind),
    setLocked: (sid, locked) => {
      const r = room(sid);
      if (!r) return false;
      r.setLocked('admin', locked);
      return true;
    },
    setScreenShare: (sid, allowed) => room(sid)?.setScreenShare('admin', allowed),
    end: (sid) => {
      rooms.endLive(sid, 'admin' satisfies RoomEndReason);
    },
  };
}
