/**
 * What an integrator's back end does around one appointment, with `@alcove/server/client` only:
 *
 * 1. listen for Alcove's webhooks (each one verified with the shared secret, de-duplicated by its
 *    idempotency key — deliveries are at least once);
 * 2. create a session with the practice's policy (waiting room on, E2EE required by default);
 * 3. mint one join token per participant and hand each to that person's app (never log them);
 * 4. react to lifecycle events, e.g. tell the therapist "your client is in the waiting room";
 * 5. end the session and read the attendance record for the practice's notes.
 *
 * Run against a server: `ALCOVE_URL=http://127.0.0.1:8080 ALCOVE_API_KEY=… ALCOVE_WEBHOOK_SECRET=…
 * pnpm --filter @alcove/example-scripted-flow start` (the server's webhook endpoint must point at
 * the printed receiver URL).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  AlcoveAdminClient,
  verifyWebhook,
  WEBHOOK_SIGNATURE_HEADER,
  type ParticipantAttendance,
  type WebhookEvent,
} from '@alcove/server/client';

/** A webhook receiver: verifies, de-duplicates, and hands each event over exactly once. */
export interface WebhookReceiver {
  readonly url: string;
  /** Events in arrival order, each once. */
  readonly events: readonly WebhookEvent[];
  /** Resolves with the first event of `type` (already received or still to come). */
  next(type: WebhookEvent['type'], timeoutMs?: number): Promise<WebhookEvent>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1. Answers 400 to anything whose signature does not verify. */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const events: WebhookEvent[] = [];
  const seen = new Set<string>();
  const waiters: { type: string; resolve: (e: WebhookEvent) => void }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 64 * 1024) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let event: WebhookEvent;
      try {
        event = verifyWebhook({
          body: Buffer.concat(chunks),
          header: String(req.headers[WEBHOOK_SIGNATURE_HEADER.toLowerCase()] ?? ''),
          secret,
        });
      } catch {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(204).end();
      if (seen.has(event.id)) return; // a retried delivery: acknowledged, not acted on twice
      seen.add(event.id);
      events.push(event);
      for (const w of waiters.splice(0)) {
        if (w.type === event.type) w.resolve(event);
        else waiters.push(w);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alcove-webhooks`,
    events,
    next(type, timeoutMs = 10_000) {
      const have = events.find((e) => e.type === type);
      if (have) return Promise.resolve(have);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${type} webhook within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({
          type,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** What {@link runAppointment} returns. */
export interface AppointmentResult {
  readonly sessionId: string;
  readonly attendance: readonly ParticipantAttendance[];
}

/**
 * Creates a session and mints tokens for a therapist and a client, then calls `deliver` with each
 * token (in a real back end: put it in that person's app, never in a URL, never in a log). Calls
 * `whileOpen` so the caller can wait for events, then ends the session and returns attendance.
 */
export async function runAppointment(options: {
  readonly admin: AlcoveAdminClient;
  readonly deliver: (who: 'therapist' | 'client', token: string, participantId: string) => Promise<void> | void;
  readonly whileOpen?: (sessionId: string) => Promise<void>;
  readonly log?: (line: string) => void;
}): Promise<AppointmentResult> {
  const log = options.log ?? (() => undefined);
  const session = await options.admin.createSession({ maxParticipants: 2 });
  log(
    `session created (waiting room ${session.policy.waitingRoom ? 'on' : 'off'}, E2EE ${session.policy.e2eeRequired ? 'required' : 'optional'})`,
  );
  const therapist = await options.admin.mintToken(session.id, { role: 'host', displayName: 'Therapist', ttlS: 900 });
  const client = await options.admin.mintToken(session.id, { role: 'client', displayName: 'Client', ttlS: 900 });
  log('two join tokens minted');
  await options.deliver('therapist', therapist.token, therapist.participantId);
  await options.deliver('client', client.token, client.participantId);
  await options.whileOpen?.(session.id);
  await options.admin.endSession(session.id, 'appointment-over');
  log('session ended');
  const { participants } = await options.admin.participants(session.id);
  return { sessionId: session.id, attendance: participants };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const env = (name: string): string => {
    const v = process.env[name];
    if (!v) throw new Error(`set ${name}`);
    return v;
  };
  const receiver = await startWebhookReceiver(env('ALCOVE_WEBHOOK_SECRET'));
  process.stdout.write(`webhook receiver: ${receiver.url}\n`);
  const admin = new AlcoveAdminClient({ baseUrl: env('ALCOVE_URL'), apiKey: env('ALCOVE_API_KEY') });
  const result = await runAppointment({
    admin,
    log: (l) => process.stdout.write(`${l}\n`),
    deliver: (who, _token, pid) => void process.stdout.write(`token for the ${who} (${pid}) ready to hand to their app\n`),
    whileOpen: async () => {
      process.stdout.write('waiting 60 s for the client to reach the waiting room…\n');
      await receiver.next('participant.waiting', 60_000).then(
        () => process.stdout.write('the client is in the waiting room: notify the therapist\n'),
        () => process.stdout.write('nobody came\n'),
      );
    },
  });
  for (const p of result.attendance) {
    process.stdout.write(`${p.participantId}: ${p.neverJoined ? 'never joined' : `joined, ${p.reconnects} reconnects`}\n`);
  }
  await receiver.close();
}
