/** A chat message as the application sees it. */
export interface ChatMessage {
  /** Client-generated id, unique per sender. */
  readonly id: string;
  /** Sender's participant id. */
  readonly from: string;
  /** Sender's sequence number (per-sender order). */
  readonly seq: number;
  /** Server timestamp (ms since the epoch) once acknowledged or received. */
  readonly at: number;
  readonly text: string;
  /** Recipients; absent means everyone admitted. */
  readonly to?: readonly string[];
}

/** Options of `Session.sendChat`. */
export interface SendChatOptions {
  /** Recipients (participant ids); absent means everyone admitted. */
  readonly to?: readonly string[];
}
