/**
 * An EHR's appointment screen driving an Alcove call with the @alcove/core API: its own layout,
 * its own waiting list, chat and status line. What an integrator writes instead of using the
 * drop-in element. Tokens come from the app's back end (here the demo server's `/demo/token`).
 */
import { Session, type RemoteTrack } from '@alcove/core';
import { chatSupport } from '@alcove/core/chat';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const params = new URLSearchParams(location.hash.slice(1));
const role = params.get('role') === 'host' ? 'host' : 'client';
const STATUS: Record<string, string> = {
  connecting: 'Connecting…',
  waiting: 'Waiting for the host to let you in',
  joined: 'In the visit',
  reconnecting: 'Connection lost, reconnecting…',
  ended: 'The visit has ended',
  failed: 'The call could not be restored',
};

let session: Session | undefined;

$('start').addEventListener('click', async () => {
  $<HTMLButtonElement>('start').disabled = true;
  const res = await fetch(`/demo/token?role=${role}`, { method: 'POST' });
  const { token, serverUrl, callbackNumber } = (await res.json()) as { token: string; serverUrl: string; callbackNumber?: string };
  const s = Session.create({
    serverUrl,
    token,
    // Media is end-to-end encrypted in a worker (the @alcove/core/e2ee-worker file, hosted beside the app).
    e2eeWorker: () => new Worker('/e2ee-worker.js', { type: 'module' }),
    // Sealed chat is a plug-in (its own entry, so apps without chat do not ship it).
    chat: chatSupport(),
    ...(callbackNumber ? { fallback: { callbackNumber } } : {}),
  });
  session = s;
  s.on('stateChanged', ({ to }) => {
    $('status').textContent = STATUS[to] ?? to;
    const inCall = to === 'joined' || to === 'reconnecting';
    $<HTMLButtonElement>('mute').disabled = !inCall;
    $<HTMLButtonElement>('leave').disabled = !inCall;
  });
  s.on('waitingRoomChanged', (list) => {
    $('waiting-panel').hidden = list.length === 0;
    $('waiting').replaceChildren(
      ...list.map((entry) => {
        const li = document.createElement('li');
        li.textContent = `${entry.displayName} `;
        const admit = document.createElement('button');
        admit.type = 'button';
        admit.textContent = `Admit ${entry.displayName}`;
        admit.addEventListener('click', () => void s.admit(entry.id));
        li.append(admit);
        return li;
      }),
    );
  });
  s.on('trackPublished', (t: RemoteTrack) => {
    s.attach(t.track, t.kind === 'video' ? $<HTMLVideoElement>('remote') : $<HTMLAudioElement>('remote-audio'));
  });
  s.on('localTrackChanged', (t) => {
    if (t.kind === 'video' && t.source === 'cam' && t.track) s.attach(t.track, $<HTMLVideoElement>('self'));
  });
  s.on('e2eeSasReady', (sas) => {
    $('sas').hidden = false;
    $('sas').textContent = `Security code: ${sas.decimal.join(' ')} (read it aloud; it must match on both screens)`;
  });
  s.on('chatMessage', (m) => {
    const li = document.createElement('li');
    li.textContent = m.text; // text only: never HTML
    $('chat').append(li);
  });
  s.on('failed', ({ fallback }) => {
    $('fallback').hidden = false;
    $('fallback').textContent = fallback?.callbackNumber
      ? `We will call you at ${fallback.callbackNumber}.`
      : 'The call could not be restored.';
  });
  await s.join().catch(() => undefined);
});

$('mute').addEventListener('click', async () => {
  const mic = session?.localTracks.find((t) => t.kind === 'audio');
  await session?.setMicrophoneEnabled(!!mic?.muted);
  $('mute').textContent = mic?.muted ? 'Mute' : 'Unmute';
});
$('leave').addEventListener('click', () => void session?.leave());
$('chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = $<HTMLInputElement>('chat-input');
  if (input.value && session) void session.sendChat(input.value).catch(() => undefined);
  input.value = '';
});
