/** A scripted stand-in for `@alcove/core`'s Session: records calls, emits what the test says. */
type Listener = (...args: unknown[]) => void;

export interface FakeParticipant {
  id: string;
  displayName: string;
  role: string;
  connection: string;
  tracks: unknown[];
}

export class FakeSession {
  readonly calls: [string, ...unknown[]][] = [];
  readonly listeners = new Map<string, Set<Listener>>();
  state = 'idle';
  role: string | undefined = 'client';
  policy: Record<string, unknown> | undefined = { e2eeRequired: true, screenShare: 'everyone', locked: false };
  participants: FakeParticipant[] = [];
  waiting: unknown[] = [];
  hosts: { participantId: string; displayName: string; credentials?: string }[] = [];
  localTracks: { kind: string; source: string; muted: boolean; track: unknown; deviceId?: string }[] = [];
  remoteTracks: { id: string; participantId: string; kind: string; source: string; muted: boolean; paused: boolean; track: unknown }[] = [];
  participantId = 'me';
  checklist: unknown;
  emergency = new Map<string, unknown>();
  failNext: string | undefined;
  on(event: string, fn: Listener) {
    if (!this.listeners.has(event)) this.listeners.set(event, new Set());
    this.listeners.get(event)!.add(fn);
    return this;
  }
  off(event: string, fn: Listener) {
    this.listeners.get(event)?.delete(fn);
    return this;
  }
  emit(event: string, ...args: unknown[]) {
    for (const fn of [...(this.listeners.get(event) ?? [])]) fn(...args);
  }
  count(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }
  move(to: string, reason = 'test') {
    const from = this.state;
    this.state = to;
    this.emit('stateChanged', { from, to, reason });
  }
  #call(name: string, ...args: unknown[]): Promise<void> {
    this.calls.push([name, ...args]);
    if (this.failNext) {
      const code = this.failNext;
      this.failNext = undefined;
      return Promise.reject(Object.assign(new Error('detail CANARY'), { code }));
    }
    return Promise.resolve();
  }
  async join() {
    await this.#call('join');
    this.move('connecting');
  }
  async leave() {
    this.calls.push(['leave']);
    if (this.state === 'ended') return;
    this.move('ended', 'left');
    this.emit('ended', 'left');
  }
  admit = (id: string) => this.#call('admit', id);
  deny = (id: string) => this.#call('deny', id);
  remove = (id: string) => this.#call('remove', id);
  lock = () => this.#call('lock');
  unlock = () => this.#call('unlock');
  end = () => this.#call('end');
  setMicrophoneEnabled = (on: boolean) => this.#call('mic', on);
  setCameraEnabled = (on: boolean) => this.#call('cam', on);
  startScreenShare = () => this.#call('screen', true);
  stopScreenShare = () => this.#call('screen', false);
  switchDevice = (kind: string, id: string) => this.#call('switch', kind, id);
  setAudioOutput = (id: string) => this.#call('speaker', id);
  async listDevices() {
    return [
      { kind: 'videoinput', deviceId: 'cam1', label: 'Front <b>camera</b>', groupId: '' },
      { kind: 'videoinput', deviceId: 'cam2', label: '', groupId: '' },
      { kind: 'audioinput', deviceId: 'mic1', label: 'Mic', groupId: '' },
    ] as MediaDeviceInfo[];
  }
  async sendChat(text: string) {
    await this.#call('chat', text);
    return { id: 'x', from: 'me', seq: 1, at: 1, text };
  }
  async confirmSecurityCode(peer: string) {
    await this.#call('confirm', peer);
    this.emit('e2eeVerified', 'me', peer);
  }
  emergencyInfo(id: string) {
    return this.emergency.get(id);
  }
  attach(_track: unknown, _el: unknown) {
    this.calls.push(['attach']);
    return () => this.calls.push(['detach']);
  }
  addPeer(p: Partial<FakeParticipant> & { id: string }): FakeParticipant {
    const full = { displayName: p.id, role: 'client', connection: 'connected', tracks: [], ...p };
    this.participants.push(full);
    this.emit('participantJoined', full);
    return full;
  }
  removePeer(id: string, reason = 'left') {
    const p = this.participants.find((x) => x.id === id)!;
    this.participants = this.participants.filter((x) => x.id !== id);
    this.remoteTracks = this.remoteTracks.filter((t) => t.participantId !== id);
    this.emit('participantLeft', p, reason);
  }
}

/** Lets pending promise callbacks run. */
export const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
