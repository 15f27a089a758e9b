#!/usr/bin/env node
/**
 * `alcove-server`: `start [flags]` runs the embedded default server; `audit verify FILE` checks an
 * audit log; `--help` documents everything. SIGTERM/SIGINT shut down gracefully (clients get
 * `session.shutdown`) and the process exits within the shutdown timeout (default 10 s).
 * @packageDocumentation
 */
import { runAuditVerifyCommand } from './audit/verify.js';
import { ConfigError, configHelpText, isHelpRequested, loadConfig } from './config/index.js';
import { createLogger } from './logger.js';
import { createAlcoveServer } from './server.js';
import { serverOptionsFromConfig } from './server-options.js';

/** Output streams and process hooks of {@link main} (tests pass their own). */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Registers the shutdown signal handler. */
  readonly onSignal: (signal: 'SIGTERM' | 'SIGINT', handler: () => void) => void;
  readonly exit: (code: number) => void;
  /** Where log lines go. Default stderr. */
  readonly logSink?: (line: string) => void;
}

/**
 * Runs the CLI with `argv` (without `node` and the script). Resolves with the exit code for
 * commands that finish; for `start` it resolves once the server listens (the process then lives
 * until a signal).
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(configHelpText());
    return command === undefined ? 1 : 0;
  }
  if (command === 'audit') {
    if (rest[0] !== 'verify' || isHelpRequested(rest)) {
      io.stdout.write('usage: alcove-server audit verify FILE [--key KEYFILE]\n');
      return rest[0] === 'verify' ? 0 : 2;
    }
    return runAuditVerifyCommand(rest.slice(1), io.stdout);
  }
  if (command !== 'start') {
    io.stderr.write(`unknown command (see alcove-server --help)\n`);
    return 2;
  }
  if (isHelpRequested(rest)) {
    io.stdout.write(configHelpText());
    return 0;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(rest, io.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`alcove-server: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, ...(io.logSink ? { sink: io.logSink } : {}) });
  let stopping = false;
  let exitCode = 0;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    logger.info('server.stopping', {});
    // Hard bound: exit even if something hangs.
    setTimeout(() => io.exit(1), config.shutdownTimeoutS * 1000).unref();
    void server.close().then(
      () => io.exit(exitCode),
      () => io.exit(1),
    );
  };
  const server = await createAlcoveServer({
    ...serverOptionsFromConfig(config),
    logger,
    // A supervisor restarts a server whose media worker died.
    onFatal: () => {
      exitCode = 1;
      stop();
    },
  });
  await server.start();
  io.onSignal('SIGTERM', stop);
  io.onSignal('SIGINT', stop);
  return 0;
}

const isEntry = process.argv[1] !== undefined && /(?:^|[\\/])(?:cli\.(?:js|ts|mjs)|alcove-server)$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onSignal: (signal, handler) => process.on(signal, handler),
    exit: (code) => process.exit(code),
  }).then(
    (code) => {
      const command = process.argv[2];
      if (command !== 'start' || code !== 0) process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`alcove-server: failed to start (${error instanceof Error ? error.name : 'error'})\n`);
      process.exit(1);
    },
  );
}
