/**
 * The script a practice's page runs: register the elements, fetch a join token from the practice's
 * back end when the person presses "Join", and hand it to <alcove-session> (as a property, never an
 * attribute or URL).
 */
import { defineAlcoveElements } from '@alcove/ui';

defineAlcoveElements();

const params = new URLSearchParams(location.hash.slice(1));
const role = params.get('role') === 'host' ? 'host' : 'client';
const session = document.querySelector('alcove-session')!;
const join = document.getElementById('join') as HTMLButtonElement;
document.getElementById('who')!.textContent = role === 'host' ? 'You are the host.' : 'You are the guest.';

join.addEventListener('click', async () => {
  join.disabled = true;
  const res = await fetch(`/demo/token?role=${role}&session=${encodeURIComponent(params.get('session') ?? '')}`, { method: 'POST' });
  if (!res.ok) {
    join.disabled = false;
    return;
  }
  const { token, serverUrl, callbackNumber } = (await res.json()) as { token: string; serverUrl: string; callbackNumber?: string };
  session.serverUrl = serverUrl;
  // End-to-end encryption: the worker file is @alcove/core/e2ee-worker, hosted beside the page.
  session.sessionOptions = { e2eeWorker: () => new Worker('/e2ee-worker.js', { type: 'module' }) };
  if (callbackNumber) session.fallback = { callbackNumber };
  session.token = token;
  try {
    await session.join();
    join.hidden = true;
  } catch {
    join.disabled = false; // the element already announced what went wrong
  }
});
