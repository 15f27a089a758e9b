/** Bench page: one network test per call of `nb.run()`, as a waiting client would run it. */
import { Session } from '@alcove/core';
import { Checklist, checklistSupport } from '@alcove/core/checklist';

(window as unknown as { nb: unknown }).nb = {
  async run(serverUrl: string, token: string) {
    const checklist = new Checklist();
    const session = Session.create({ serverUrl, token, e2ee: 'off', identity: 'ephemeral', checklist: checklistSupport(checklist) });
    try {
      await session.join();
      const network = checklist.network;
      if (!network) throw new Error('the policy has no network step');
      const t0 = performance.now();
      const status = await network.run();
      const wallMs = performance.now() - t0;
      const d = network.details as
        | { kbps: number; durationMs: number; rttMs?: number; jitterMs?: number; lossPct: number; quality: string }
        | undefined;
      if (!d)
        throw new Error(
          `network test ${status}: ${network.reason ?? network.error?.code ?? 'no result'} ${network.error?.message ?? ''} ${String((network.error as { cause?: unknown } | undefined)?.cause ?? '')}`,
        );
      return { status, wallMs, ...d };
    } finally {
      checklist.close();
      await session.leave();
    }
  },
};
