/**
 * Chat payload envelope. `v0.` + base64url(UTF-8 JSON) carries plain text until E2EE chat lands;
 * sealed payloads will use `v1.`. The server treats payloads as opaque either way.
 */
export function encodeChatPayload(text: string): string {
  const bytes = new TextEncoder().encode(JSON.stringify({ t: text }));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return `v0.${btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
}

/** Decodes a payload made by {@link encodeChatPayload}; `undefined` when it is not one. */
export function decodeChatPayload(payload: string): string | undefined {
  if (!payload.startsWith('v0.')) return undefined;
  try {
    const b64 = payload.slice(3).replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
    if (value && typeof value === 'object' && typeof (value as { t?: unknown }).t === 'string') return (value as { t: string }).t;
  } catch {
    // not ours
  }
  return undefined;
}
