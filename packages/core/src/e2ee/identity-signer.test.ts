import { describe, expect, it } from 'vitest';
import { relayQueue } from './identity-signer.js';

describe('relayQueue', () => {
  it('sends at once while nothing waits for a signature', () => {
    const sent: string[] = [];
    const out = relayQueue(() => undefined);
    out('a', (p) => sent.push(p));
    out('b', (p) => sent.push(p));
    expect(sent).toEqual(['a', 'b']);
  });

  it('keeps the order: nothing queued after a message being signed overtakes it', async () => {
    const sent: string[] = [];
    const out = relayQueue(() => undefined);
    let sign!: (s: string) => void;
    out(
      new Promise<string>((resolve) => {
        sign = resolve;
      }),
      (p) => sent.push(p),
    );
    out('sealed key', (p) => sent.push(p)); // ready now, but queued behind the commit
    out(Promise.resolve('reveal'), (p) => sent.push(p));
    await Promise.resolve();
    expect(sent).toEqual([]);
    sign('commit');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(sent).toEqual(['commit', 'sealed key', 'reveal']);
    // Drained: synchronous again.
    out('next', (p) => sent.push(p));
    expect(sent.at(-1)).toBe('next');
  });

  it('a signature that fails is reported and skipped; later messages still go', async () => {
    const sent: string[] = [];
    const failed: unknown[] = [];
    const out = relayQueue((e) => failed.push(e));
    out(Promise.reject(new Error('OperationError')), (p) => sent.push(p));
    out('after', (p) => sent.push(p));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(failed).toHaveLength(1);
    expect(sent).toEqual(['after']);
  });
});
