import { ChecklistError } from '../errors.js';
import { type NetworkMeasures, type NetworkTestResult, classifyNetwork, runNetworkTest } from '../network-test.js';
import { BaseCheck, type PersistedStep } from './base.js';

/** Network step events besides the common ones. */
export interface NetworkEvents {
  /** The latest measures while the test runs. */
  measured: [measures: NetworkMeasures];
}

/**
 * The network step: a real publish → consume loop through the server's media engine on a
 * short-lived test transport (at most 10 s, see {@link runNetworkTest}); `progress` events while it
 * runs. good → passed; fair → warning (`NETWORK_FAIR`); poor → warning (`NETWORK_POOR`, audio only
 * recommended); no media through the server → failed. Needs the session (`bind()`), waiting or
 * admitted: the room never sees the test.
 * @example
 * const net = checklist.network!;
 * net.on('progress', (f) => bar.value = f);
 * await net.run();
 * net.details?.recommended; // 'video' | 'audio-only'
 */
export class NetworkCheck extends BaseCheck<NetworkTestResult, NetworkEvents> {
  readonly kind = 'network' as const;

  /** The last result. */
  get result(): NetworkTestResult | undefined {
    return this.details;
  }

  /** @throws {ChecklistError} `CHECKLIST_NOT_BOUND` before the session binds the checklist. */
  protected override precondition(): void {
    if (!this.ctx.binding())
      throw new ChecklistError('CHECKLIST_NOT_BOUND', 'the network test needs the session (join first)', { stepId: this.id });
  }

  protected async execute(signal: AbortSignal): Promise<void> {
    const binding = this.ctx.binding();
    if (!binding) throw new ChecklistError('CHECKLIST_NOT_BOUND', 'the network test needs the session (join first)', { stepId: this.id });
    const result = await runNetworkTest({
      request: binding.request,
      platform: this.ctx.platform,
      signal,
      maxDurationMs: this.ctx.options.networkTestMaxMs,
      onSwallowedError: (site, error) => this.ctx.swallowed(site, error),
      onProgress: (fraction, measures) => {
        if (signal.aborted) return;
        this.emitProgress(fraction);
        if (measures) this.emitExtra('measured', measures);
      },
    });
    signal.throwIfAborted();
    if (result.quality === 'good') this.setStatus('passed', { details: result });
    else this.setStatus('warning', { reason: result.quality === 'fair' ? 'NETWORK_FAIR' : 'NETWORK_POOR', details: result });
  }

  override persist(): PersistedStep | undefined {
    if (!this.details) return undefined;
    return { status: this.status, ...(this.reason ? { reason: this.reason } : {}), state: this.details };
  }

  override restore(saved: PersistedStep): void {
    const s = saved.state as Record<string, unknown> | undefined;
    if (!s || typeof s !== 'object' || (saved.status !== 'passed' && saved.status !== 'warning')) return;
    const n = (k: string, max: number): number | undefined =>
      typeof s[k] === 'number' && (s[k] as number) >= 0 && (s[k] as number) <= max ? (s[k] as number) : undefined;
    const lossPct = n('lossPct', 100);
    const kbps = n('kbps', 1_000_000);
    const durationMs = n('durationMs', 60_000);
    if (lossPct === undefined || kbps === undefined || durationMs === undefined) return;
    const rttMs = n('rttMs', 60_000);
    const jitterMs = n('jitterMs', 60_000);
    const m = { ...(rttMs !== undefined ? { rttMs } : {}), ...(jitterMs !== undefined ? { jitterMs } : {}), lossPct, kbps };
    const c = classifyNetwork(m);
    const result: NetworkTestResult = { ...m, ...c, durationMs };
    if (c.quality === 'good') this.restoreStatus({ status: 'passed' }, result);
    else this.restoreStatus({ status: 'warning', reason: c.quality === 'fair' ? 'NETWORK_FAIR' : 'NETWORK_POOR' }, result);
  }
}
