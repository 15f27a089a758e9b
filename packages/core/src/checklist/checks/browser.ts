import { BaseCheck } from './base.js';
import type { CheckReason } from '../types.js';

/** What the browser can do, as the browser step found it. */
export interface BrowserDetails {
  readonly secureContext: boolean;
  readonly mediaDevices: boolean;
  readonly webrtc: boolean;
  /** Encoded transforms: needed for end-to-end encrypted media. */
  readonly encodedTransforms: boolean;
  /** `setSinkId`: the speaker can be chosen (not required). */
  readonly audioOutputSelection: boolean;
  /** Everything missing, most fundamental first (the step's `reason` is the first). */
  readonly missing: readonly CheckReason[];
}

/**
 * The browser step: WebRTC, camera/microphone API, a secure context and encoded transforms (E2EE),
 * each with a specific reason when missing (`INSECURE_CONTEXT`, `NO_MEDIA_DEVICES`, `NO_WEBRTC`,
 * `NO_ENCODED_TRANSFORMS`). Without encoded transforms the step fails (or warns when the checklist's
 * `requireE2ee` is false). Needs no input: `run()` evaluates at once.
 * @example
 * const status = await checklist.browser!.run();
 * if (status === 'failed') showUnsupported(checklist.browser!.reason);
 */
export class BrowserCheck extends BaseCheck<BrowserDetails> {
  readonly kind = 'browser' as const;

  protected async execute(): Promise<void> {
    const p = this.ctx.platform;
    const caps = p.capabilities();
    const secureContext = p.isSecureContext?.() ?? true;
    const mediaDevices = p.mediaDevices !== undefined;
    const missing: CheckReason[] = [];
    if (!secureContext) missing.push('INSECURE_CONTEXT');
    if (!mediaDevices) missing.push('NO_MEDIA_DEVICES');
    if (!caps.webrtc) missing.push('NO_WEBRTC');
    if (!caps.encodedTransforms) missing.push('NO_ENCODED_TRANSFORMS');
    const details: BrowserDetails = {
      secureContext,
      mediaDevices,
      webrtc: caps.webrtc,
      encodedTransforms: caps.encodedTransforms,
      audioOutputSelection: caps.setSinkId,
      missing,
    };
    const reason = missing[0];
    if (!reason) this.setStatus('passed', { details });
    else if (reason === 'NO_ENCODED_TRANSFORMS' && !this.ctx.options.requireE2ee) this.setStatus('warning', { reason, details });
    else this.setStatus('failed', { reason, details });
  }
}
