/**
 * Sealed chat (`@alcove/core/chat`): pass `chatSupport()` as `SessionOptions.chat` to turn on
 * `Session.sendChat` and the `chatMessage` event. An entry of its own so that an app that never
 * chats does not carry its code (pair handshakes, tweetnacl).
 * @packageDocumentation
 */
import type { ChatSupport } from '../session/chat-plugin.js';
import { SessionChat } from './session-chat.js';

/**
 * Turns sealed chat on for a session: messages sealed end to end for the participants admitted when
 * each was written, exactly once and in order, queued across reconnects.
 * @example
 * import { Session } from '@alcove/core';
 * import { chatSupport } from '@alcove/core/chat';
 * const session = Session.create({ serverUrl, token, e2eeWorker, chat: chatSupport() });
 * session.on('chatMessage', (m) => show(m.from, m.text));
 * await session.join();
 * await session.sendChat('Can you hear me?');
 */
export function chatSupport(): ChatSupport {
  return { createBinding: (host, identity) => new SessionChat(host, identity) };
}

export type { ChatSupport } from '../session/chat-plugin.js';
export type { ChatMessage, SendChatOptions } from './types.js';
