/**
 * The test page of the `<alcove-session>` browser tests: the element on a page served with a
 * strict CSP. Records every captured track (to check they stop) and CSP violations (the init
 * script of the test adds the listener before any page script runs).
 */
import { defineAlcoveElements } from '@alcove/ui';

const w = window as unknown as { __tracks: MediaStreamTrack[]; __ready: boolean; __exits: string[]; __atExitKey?: string[] };
w.__tracks = [];
w.__exits = [];
// The tracks' states at the end of the quick-exit key's own dispatch (window is the last stop of a
// keydown that bubbles from the document): all `ended` means they stopped in that same task.
window.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && e.shiftKey) w.__atExitKey = w.__tracks.map((t) => t.readyState);
});
const md = navigator.mediaDevices;
const gum = md.getUserMedia.bind(md);
md.getUserMedia = async (c?: MediaStreamConstraints) => {
  const s = await gum(c);
  w.__tracks.push(...s.getTracks());
  return s;
};
defineAlcoveElements();
const el = document.querySelector('alcove-session')!;
el.addEventListener('alcove-quick-exit', (e) => {
  // The test checks the tracks after quick exit, so it stays on the page.
  if (location.hash.includes('stay')) e.preventDefault();
  w.__exits.push(e.url);
});
w.__ready = true;
