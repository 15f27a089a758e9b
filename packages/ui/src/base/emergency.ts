import type { EmergencyInfo } from '@alcove/core';

/**
 * What the host's emergency panel shows: `session.emergencyInfo(id)` of `@alcove/core` (the
 * client's sealed checklist answers, opened on the host's device), or the same fields set by a
 * page that shows the panel on its own. Every field is untrusted text from the client: shown only
 * with `textContent`, never as HTML.
 */
export type EmergencyDetails = Omit<EmergencyInfo, 'participantId' | 'at'>;

/** Whether there is anything to show. */
export function hasEmergencyDetails(info: EmergencyDetails | undefined): info is EmergencyDetails {
  return !!info && !!(info.location || info.emergencyContact || info.callbackPhone || info.plan);
}

/** One line for a location: street, locality, postal code, region, country, and the jurisdiction. */
export function formatLocation(loc: EmergencyDetails['location']): string {
  if (!loc) return '';
  const place = [loc.street, loc.locality, loc.postalCode, loc.region, loc.country].filter(Boolean).join(', ');
  return loc.jurisdiction ? `${place} (${loc.jurisdiction})` : place;
}

/** `tel:` URL for a phone number: only `+` and digits survive. */
export function telHref(number: string): string {
  const digits = number.replace(/[^\d+]/g, '').replace(/(?!^)\+/g, '');
  return `tel:${digits}`;
}
