import { fork, type ChildProcess } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A running {@link ./child-server.ts} process. */
export interface ChildServer {
  readonly wsUrl: string;
  readonly dataDir: string;
  /** Everything the server printed (its log lines). */
  readonly output: () => string;
  createSession(policy: unknown): Promise<string>;
  /** Writes a V8 heap snapshot of the server process and returns its contents. */
  heapSnapshot(): Promise<string>;
  /** Audit log lines and webhook bodies the server wrote so far. */
  records(): Promise<string>;
  close(): Promise<void>;
}

const script = fileURLToPath(new URL('./child-server.ts', import.meta.url));

function next<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string; message?: string }) => {
      if (m.type === type) {
        cleanup();
        resolve(m as T);
      } else if (m.type === 'error') {
        cleanup();
        reject(new Error(`child server: ${m.message ?? 'error'}`));
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`child server exited (${code}) while waiting for ${type}`));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

/** Starts the real server in a child process with its data in `dataDir`. */
export async function startChildServer(dataDir: string, secret: string): Promise<ChildServer> {
  let out = '';
  const child = fork(script, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ALCOVE_TEST_DATA_DIR: dataDir, ALCOVE_TEST_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  child.stdout?.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr?.on('data', (b: Buffer) => (out += b.toString('utf8')));
  let ready: { wsUrl: string };
  try {
    ready = await next<{ wsUrl: string }>(child, 'ready');
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${out}`);
  }
  return {
    wsUrl: ready.wsUrl,
    dataDir,
    output: () => out,
    async createSession(policy) {
      const p = next<{ sessionId: string }>(child, 'created');
      child.send({ type: 'create', policy });
      return (await p).sessionId;
    },
    async heapSnapshot() {
      const p = next<{ path: string }>(child, 'snapshot');
      child.send({ type: 'snapshot' });
      return readFile((await p).path, 'utf8');
    },
    async records() {
      let all = '';
      const walk = async (dir: string): Promise<void> => {
        for (const e of await readdir(dir, { withFileTypes: true })) {
          const p = join(dir, e.name);
          if (e.isDirectory()) await walk(p);
          else if (!e.name.endsWith('.heapsnapshot')) all += await readFile(p, 'utf8').catch(() => '');
        }
      };
      await walk(dataDir);
      return all;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'stop' });
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}
