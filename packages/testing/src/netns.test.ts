import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createClientLink, netnsSupport, type ClientLink } from './netns.js';
import { waitFor } from './wait-for.js';

const support = netnsSupport();
if (!support.ok && process.env.ALCOVE_REQUIRE_NETNS === '1') throw new Error(`network namespaces required: ${support.reason}`);

const namespaces = (): string[] =>
  execFileSync('ip', ['netns', 'list'])
    .toString()
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
const linkState = (dev: string): string => execFileSync('ip', ['-br', 'link', 'show', dev]).toString();
const here = fileURLToPath(new URL('.', import.meta.url));

describe.skipIf(!support.ok)(`test links are per process (network namespaces${support.ok ? '' : `: skipped, ${support.reason}`})`, () => {
  const opened: ClientLink[] = [];
  afterEach(() => {
    for (const l of opened.splice(0)) l.close();
  });

  it('names the namespace and veth after the process, and another process with the same options leaves this link alone', async () => {
    const mine = createClientLink({ name: 'alcove-nstest', tag: 'nst', subnet: '219.1' });
    opened.push(mine);
    expect(mine.name).toBe(`alcove-nstest-${process.pid}`);
    expect(namespaces()).toContain(mine.name);
    const hostDev = `nst${process.pid.toString(36)}-h`;
    expect(linkState(hostDev)).toMatch(/\bUP\b/);

    // A second process creates a link with the same options, reports it, then closes it.
    const script = [
      `import { createClientLink } from ${JSON.stringify(`${here}netns.ts`)};`,
      `const l = createClientLink({ name: 'alcove-nstest', tag: 'nst', subnet: '219.1' });`,
      `console.log(JSON.stringify({ name: l.name, hostIp: l.hostIp }));`,
      `l.close();`,
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(err).toBe('');
    expect(code).toBe(0);
    const theirs = JSON.parse(out.trim()) as { name: string; hostIp: string };
    expect(theirs.name).toBe(`alcove-nstest-${child.pid}`);
    expect(theirs.hostIp).not.toBe(mine.hostIp);
    // Ours is still there and up after theirs came and went.
    expect(namespaces()).toContain(mine.name);
    expect(namespaces()).not.toContain(theirs.name);
    expect(linkState(hostDev)).toMatch(/\bUP\b/);
  }, 60_000);

  it("removes the link a process that is gone left behind, never a live process's", async () => {
    // A process that has exited: its pid is free (until reused, which a fresh spawn makes unlikely).
    const gone = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => gone.on('close', r));
    const deadNs = `alcove-nstest-${gone.pid}`;
    const liveNs = `alcove-nstest-${process.ppid}`; // the runner that started this worker: alive
    for (const ns of [deadNs, liveNs]) execFileSync('ip', ['netns', 'add', ns]);
    try {
      const l = createClientLink({ name: 'alcove-nstest', tag: 'nst', subnet: '219.1' });
      opened.push(l);
      await waitFor(
        'the stale namespace to be removed',
        () => namespaces(),
        (list) => !list.includes(deadNs),
      );
      expect(namespaces()).toContain(liveNs);
    } finally {
      for (const ns of [deadNs, liveNs]) {
        try {
          execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
        } catch {
          // removed by the link, as it should be
        }
      }
    }
  });

  it('setRate shapes both ends with tbf at the rate and queue latency asked, and 0 lifts it', () => {
    const l = createClientLink({ name: 'alcove-nstest', tag: 'nst', subnet: '219.1' });
    opened.push(l);
    const pid36 = process.pid.toString(36);
    const qdiscs = (): string[] => [
      execFileSync('tc', ['qdisc', 'show', 'dev', `nst${pid36}-h`]).toString(),
      execFileSync('ip', ['netns', 'exec', l.name, 'tc', 'qdisc', 'show', 'dev', `nst${pid36}-c`]).toString(),
    ];
    l.setRate(800, { latencyMs: 100 });
    for (const q of qdiscs()) expect(q).toMatch(/qdisc tbf .*rate 800Kbit .*lat 100ms/);
    l.setRate(1200);
    for (const q of qdiscs()) expect(q).toMatch(/qdisc tbf .*rate 1200Kbit .*lat 200ms/);
    // Bad values: a typed error, and the shaping stays as it was.
    expect(() => l.setRate(Number.NaN)).toThrow(RangeError);
    expect(() => l.setRate(-1)).toThrow(RangeError);
    expect(() => l.setRate(500, { latencyMs: 0 })).toThrow(RangeError);
    expect(() => l.setRate(500, { latencyMs: 2.5 })).toThrow(RangeError);
    for (const q of qdiscs()) expect(q).toMatch(/qdisc tbf .*rate 1200Kbit .*lat 200ms/);
    l.setRate(0);
    for (const q of qdiscs()) expect(q).not.toContain('tbf');
  });

  it('refuses bad options before it touches anything', () => {
    const before = namespaces();
    expect(() => createClientLink({ name: 'alcove-nstest', tag: 'far-too-long', subnet: '219.1' })).toThrow(TypeError);
    expect(() => createClientLink({ name: 'Bad Name', tag: 'nst', subnet: '219.1' })).toThrow(TypeError);
    expect(() => createClientLink({ name: 'alcove-nstest', tag: 'nst', subnet: '300.1' })).toThrow(TypeError);
    expect(namespaces()).toEqual(before);
  });
});
