/**
 * Test page for the pre-session checklist against the real server: a client fills in the checklist
 * with fake devices while waiting, a host receives the sealed answers. Exposes `window.alcoveChecklist`
 * to the Chromium test.
 */
import { Session, type AlcoveError, type SealedSummary } from '../../index.js';
import { Checklist, checklistSupport, type AddressInput, type EmergencyPlanInput } from '../../checklist/index.js';

interface Answers {
  address?: AddressInput;
  plan?: EmergencyPlanInput;
  /** Step ids to leave undone. */
  leave?: string[];
}

interface ChecklistPage {
  session?: Session;
  checklist?: Checklist;
  errors: string[];
  submitted: { participantId: string; admissible: boolean; missing: string[]; licensure?: string }[];
  summaries: string[];
  network?: { kbps: number; durationMs: number; quality: string; rttMs?: number; lossPct: number };
  progress: number[];
  start(serverUrl: string, token: string, role: 'host' | 'client'): Promise<string>;
  fill(answers: Answers): Promise<Record<string, string>>;
  summaryOf(participantId: string): SealedSummary | undefined;
  emergency(participantId: string): unknown;
  admit(participantId: string): Promise<string>;
}

const page: ChecklistPage = {
  errors: [],
  submitted: [],
  summaries: [],
  progress: [],
  async start(serverUrl, token, role) {
    const worker = () => new Worker('/e2ee-worker.js', { type: 'module' });
    if (role === 'client') this.checklist = new Checklist({ submitDebounceMs: 50 });
    const s = Session.create({ serverUrl, token, e2eeWorker: worker, checklist: checklistSupport(this.checklist) });
    this.session = s;
    s.on('error', (e: AlcoveError) => this.errors.push(e.code));
    s.on('checklistSubmitted', (participantId, info) =>
      this.submitted.push({
        participantId,
        admissible: info.admissible,
        missing: [...info.missing],
        ...(info.licensure ? { licensure: info.licensure } : {}),
      }),
    );
    s.on('checklistSummary', (participantId) => this.summaries.push(participantId));
    await s.join();
    return s.state;
  },
  async fill(answers) {
    const c = this.checklist;
    if (!c) throw new Error('no checklist');
    const leave = new Set(answers.leave ?? []);
    const out: Record<string, string> = {};
    for (const step of c.steps) {
      if (leave.has(step.id)) continue;
      if (step === c.consent) await c.consent.acknowledge();
      else if (step === c.location)
        c.location.setAddress(answers.address ?? { country: 'US', region: 'US-TN', locality: 'Nashville', street: '1 Main St' });
      else if (step === c.emergencyPlan) {
        c.emergencyPlan.setPlan(
          answers.plan ?? {
            contactName: 'A Contact',
            contactPhone: '+1 615 555 0100',
            callbackPhone: '+1 615 555 0101',
            plan: 'therapist-calls',
          },
        );
      } else if (step === c.environment)
        c.environment.answer({ privateSpace: true, privateNetwork: true, deviceType: 'computer', connectionType: 'wifi' });
      else if (step === c.speaker) {
        await c.speaker.run();
        c.speaker.heard(true);
      } else if (step === c.network) {
        c.network.on('progress', (p: number) => this.progress.push(p));
        await c.network.run();
        const d = c.network.details as { kbps: number; durationMs: number; quality: string; rttMs?: number; lossPct: number } | undefined;
        if (d)
          this.network = {
            kbps: d.kbps,
            durationMs: d.durationMs,
            quality: d.quality,
            lossPct: d.lossPct,
            ...(d.rttMs !== undefined ? { rttMs: d.rttMs } : {}),
          };
      } else if (step === c.microphone) {
        await c.microphone.run();
      } else {
        await step.run();
      }
      out[step.id] = step.status;
    }
    await c.flush();
    return out;
  },
  summaryOf(participantId) {
    return this.session?.checklistSummaries.get(participantId);
  },
  emergency(participantId) {
    return this.session?.emergencyInfo(participantId);
  },
  async admit(participantId) {
    try {
      await this.session?.admit(participantId);
      return 'admitted';
    } catch (e) {
      return (e as AlcoveError).code;
    }
  },
};
(window as unknown as { alcoveChecklist: ChecklistPage }).alcoveChecklist = page;
