/**
 * Reads the host-side checklist data of `@alcove/core` (sealed summaries, emergency info) into
 * the flat shapes the elements show. Every field is untrusted text from the guest: shown only with
 * `textContent`, never used as HTML; phone numbers are reduced to `+` and digits for `tel:` links.
 */

/** What the emergency panel shows. */
export interface EmergencyInfo {
  /** Where the client is for this session (as they wrote it, plus the jurisdiction code). */
  readonly location?: string;
  readonly contactName?: string;
  readonly contactPhone?: string;
  /** The number to call back if the call drops. */
  readonly callbackNumber?: string;
  /** The agreed plan if the call drops. */
  readonly plan?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});

/** Normalises what `session.emergencyInfo(id)` or a sealed summary holds. */
export function toEmergencyInfo(raw: unknown): EmergencyInfo | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = obj(raw);
  const loc = obj(r.location);
  const plan = obj(r.emergencyPlan ?? r.plan);
  const contact = obj(r.emergencyContact ?? r.contact ?? plan.emergencyContact ?? plan.contact);
  const location = str(r.location) ?? ([str(loc.address) ?? str(loc.text) ?? str(loc.description), str(loc.jurisdiction) ?? [str(loc.region), str(loc.country)].filter(Boolean).join(' ')].filter(Boolean).join(' · ') || undefined);
  const out: EmergencyInfo = {
    ...(location ? { location } : {}),
    ...(str(contact.name) ? { contactName: str(contact.name)! } : {}),
    ...(str(contact.phone) ? { contactPhone: str(contact.phone)! } : {}),
    ...(str(r.callbackNumber) ?? str(plan.callbackNumber) ? { callbackNumber: (str(r.callbackNumber) ?? str(plan.callbackNumber))! } : {}),
    ...(str(plan.text) ?? str(plan.plan) ?? str(r.plan) ? { plan: (str(plan.text) ?? str(plan.plan) ?? str(r.plan))! } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

/** `tel:` URL for a phone number: only `+` and digits survive. */
export function telHref(number: string): string {
  const digits = number.replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
  return `tel:${digits}`;
}
