import type { NotificationData, RequestData, ResponseData } from '@alcove/protocol';
import type { ChatMessage, SendChatOptions } from '../chat/types.js';
import type { DeviceKey } from '../e2ee/identity-store.js';
import type { Platform } from '../platform/platform.js';
import { UnsupportedError } from './errors.js';

/**
 * Sealed chat as a `Session` plug-in. Its code (pair handshakes, X25519/Ed25519 and the secretbox
 * seal from tweetnacl, the outbox and inbox) lives in the `@alcove/core/chat` entry, so an app that
 * never chats does not carry it: pass `chatSupport()` from that entry as `SessionOptions.chat` to
 * turn it on. Without it `Session.sendChat` rejects with `UNSUPPORTED_FEATURE`.
 */
export interface ChatSupport {
  /**
   * Internal: called once by the session. `identity` (the device identity) is read when chat starts
   * (after join, once the identity store answered).
   */
  createBinding(host: ChatSessionHost, identity: () => DeviceKey | undefined): SessionChatLike;
}

/** What the chat plug-in needs from the session. Internal. */
export interface ChatSessionHost {
  readonly platform: Platform;
  request<M extends 'chat.send' | 'chat.relay'>(method: M, data: RequestData<M>): Promise<ResponseData<M>>;
  selfId(): string;
  /** A message from someone else, opened, exactly once and in per-sender order. */
  message(m: ChatMessage): void;
  /** One of ours was acknowledged by the server. */
  acked(m: ChatMessage): void;
  /** A sealed message or pair message from `peer` was refused (`reason` is a code, never content). */
  problem(peer: string, reason: string): void;
  /** An error caught on purpose (a relay lost to a reconnect). */
  swallowed(site: string, e: unknown): void;
  /** Options for tests. */
  readonly channelWaitMs?: number;
  readonly retryMs?: number;
}

/** The session's side of the chat plug-in. Internal. */
export interface SessionChatLike {
  readonly pending: number;
  start(sessionId: string, participantId: string, role: string): void;
  peer(id: string, identityKey?: string): void;
  peerLeft(id: string): void;
  control(d: NotificationData<'chat.control'>): void;
  message(d: NotificationData<'chat.message'>): void;
  send(text: string, options?: SendChatOptions): Promise<ChatMessage>;
  resume(): void;
  suspend(): void;
  close(): void;
}

/**
 * A session created without `SessionOptions.chat`: sending is refused with a typed error; what
 * others relay is dropped unread (this side never pairs, so their chat is not sealed for it).
 */
export function withoutChat(): SessionChatLike {
  const nothing = (): void => {};
  return {
    pending: 0,
    start: nothing,
    peer: nothing,
    peerLeft: nothing,
    control: nothing,
    message: nothing,
    send: () =>
      Promise.reject(new UnsupportedError('UNSUPPORTED_FEATURE', 'create the session with `chat: chatSupport()` from @alcove/core/chat')),
    resume: nothing,
    suspend: nothing,
    close: nothing,
  };
}
