/**
 * The script a practice's page runs: register the elements, fetch a join token from the practice's
 * back end when the person presses "Join", and hand it to <alcove-session> (as a property, never an
 * attribute or URL). "Try again" after a failure asks the back end for a fresh token.
 */
import { defineAlcoveElements } from '@alcove/ui';

defineAlcoveElements();

const params = new URLSearchParams(location.hash.slice(1));
const role = params.get('role') === 'host' ? 'host' : 'client';
const session = document.querySelector('alcove-session')!;
const join = document.getElementById('join') as HTMLButtonElement;
document.getElementById('who')!.textContent = role === 'host' ? 'You are the host.' : 'You are the guest.';
if (role === 'client') session.setAttribute('host-name', 'Host');

/** Asks the practice's back end for a join token (and, the first time, the server URL). */
async function fetchToken(): Promise<string> {
  const res = await fetch(`/demo/token?role=${role}&session=${encodeURIComponent(params.get('session') ?? '')}`, { method: 'POST' });
  if (!res.ok) throw new Error('no token');
  const { token, serverUrl, callbackNumber } = (await res.json()) as { token: string; serverUrl: string; callbackNumber?: string };
  session.serverUrl = serverUrl;
  if (callbackNumber) session.fallback = { callbackNumber };
  return token;
}
session.getToken = fetchToken;

join.addEventListener('click', async () => {
  join.disabled = true;
  try {
    await session.join(await fetchToken());
    join.hidden = true;
  } catch {
    join.disabled = false; // the element already announced what went wrong
  }
});
