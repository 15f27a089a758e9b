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
/** A phone number as core holds it (`{ entered, e164 }`) or a plain string: the E.164 form first. */
const phone = (v: unknown): string | undefined => str(v) ?? str(obj(v).e164) ?? str(obj(v).entered);

/** Normalises `session.emergencyInfo(id)` of `@alcove/core` (or a plain object of the same shape). */
export function toEmergencyInfo(raw: unknown): EmergencyInfo | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = obj(raw);
  const loc = obj(r.location);
  const contact = obj(r.emergencyContact);
  const place = [str(loc.street), str(loc.locality), str(loc.postalCode), str(loc.region), str(loc.country)].filter(Boolean).join(', ');
  const location = str(r.location) ?? (place ? (str(loc.jurisdiction) ? `${place} (${str(loc.jurisdiction)})` : place) : undefined);
  const fields: [keyof EmergencyInfo, string | undefined][] = [
    ['location', location],
    ['contactName', str(contact.name)],
    ['contactPhone', phone(contact.phone)],
    ['callbackNumber', phone(r.callbackPhone) ?? phone(r.callbackNumber)],
    ['plan', [str(r.plan), str(r.note)].filter(Boolean).join(' — ') || undefined],
  ];
  const out = Object.fromEntries(fields.filter(([, v]) => v !== undefined)) as EmergencyInfo;
  return Object.keys(out).length ? out : undefined;
}

/** `tel:` URL for a phone number: only `+` and digits survive. */
export function telHref(number: string): string {
  const digits = number.replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
  return `tel:${digits}`;
}
