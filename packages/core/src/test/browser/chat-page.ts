/**
 * Test page for sealed chat against the real server: @alcove/core with the E2EE worker at
 * /e2ee-worker.js. Exposes `window.alcoveChat` to the Chromium test.
 */
import { type AlcoveError, type ChatMessage, Session } from '@alcove/core';
import { chatSupport } from '@alcove/core/chat';

interface ChatPage {
  session?: Session;
  received: ChatMessage[];
  errors: string[];
  start(serverUrl: string, token: string): Promise<string>;
  send(texts: string[]): Promise<number>;
}

const page: ChatPage = {
  received: [],
  errors: [],
  async start(serverUrl, token) {
    const s = Session.create({
      serverUrl,
      token,
      simulcast: false,
      publish: { audio: false, video: false },
      chat: chatSupport(),
      e2eeWorker: () => new Worker('/e2ee-worker.js', { type: 'module' }),
    });
    this.session = s;
    s.on('chatMessage', (m) => this.received.push(m));
    s.on('error', (e: AlcoveError) => this.errors.push(e.code));
    await s.join();
    return s.state;
  },
  async send(texts) {
    const acked = await Promise.all(texts.map((t) => this.session?.sendChat(t)));
    return acked.length;
  },
};
(window as unknown as { alcoveChat: ChatPage }).alcoveChat = page;
