/**
 * The UI's message catalogue. User-facing text comes only from here (never from an error's
 * `message`). Wording is discreet: nothing names therapy, so a glance at the screen or a tab title
 * reveals nothing.
 */
const en = {
  'status.idle': 'Not connected',
  'status.connecting': 'Connecting…',
  'status.waiting': 'Waiting to be let in',
  'status.joined': 'Connected',
  'status.reconnecting': 'Connection lost. Reconnecting…',
  'status.ended': 'The call has ended',
  'status.failed': 'The call could not be restored',
  'waiting.title': 'Please wait',
  'waiting.body': 'Your host will let you in shortly. Keep this page open.',
  'failed.body': 'We could not reconnect the call.',
  'failed.callback': 'Your host will call you at {number}.',
  'failed.retry': 'Try again',
  'ended.body': 'You have left the call.',
  'ended.denied': 'The host did not let you in.',
  'ended.removed': 'The host removed you from the call.',
  'join': 'Join call',
  'leave': 'Leave call',
  'mic.on': 'Mute microphone',
  'mic.off': 'Unmute microphone',
  'cam.on': 'Turn camera off',
  'cam.off': 'Turn camera on',
  'you': 'You',
  'muted': 'muted',
  'camera.off': 'camera off',
  'participant.reconnecting': 'reconnecting',
  'waitingList.title': 'Waiting to join ({count})',
  'waitingList.empty': 'Nobody is waiting.',
  'waitingList.admit': 'Let {name} in',
  'waitingList.deny': 'Turn {name} away',
  'waitingList.checklist.complete': 'Checklist done',
  'waitingList.checklist.incomplete': 'Checklist not done',
  'participant.joined': '{name} joined',
  'participant.left': '{name} left',
  'participant.waiting': '{name} is waiting to join',
  'muteRequested': 'The host asks you to mute your {kind}.',
  'kind.audio': 'microphone',
  'kind.video': 'camera',
  'sas.title': 'Security code',
  'sas.body': 'Read these out loud with {name}. If they match on both screens, the call is private.',
  'encrypted': 'End-to-end encrypted',
  'sas.match': 'The codes match',
  'sas.confirmed': 'You confirmed the code',
  'sas.peerConfirmed': '{name} confirmed the code',
  'error.generic': 'Something went wrong ({code}).',
  'error.MEDIA_PERMISSION_DENIED': 'Camera or microphone access was blocked. Allow it in the browser settings.',
  'error.MEDIA_DEVICE_NOT_FOUND': 'No camera or microphone was found.',
  'error.MEDIA_DEVICE_IN_USE': 'The camera or microphone is used by another program.',
  'error.INVALID_TOKEN': 'This link is not valid any more. Ask your host for a new one.',
  'error.SESSION_LOCKED': 'The call is locked.',
  'error.SESSION_FULL': 'The call is full.',
  'error.SESSION_ENDED': 'The call has ended.',
  'error.E2EE_UNAVAILABLE': 'This browser cannot protect the call with end-to-end encryption. Use a current browser.',
} as const;

/** A message key. */
export type MessageKey = keyof typeof en;

const es: Record<MessageKey, string> = {
  'status.idle': 'Sin conexión',
  'status.connecting': 'Conectando…',
  'status.waiting': 'Esperando para entrar',
  'status.joined': 'Conectado',
  'status.reconnecting': 'Se perdió la conexión. Reconectando…',
  'status.ended': 'La llamada ha terminado',
  'status.failed': 'No se pudo restablecer la llamada',
  'waiting.title': 'Espere, por favor',
  'waiting.body': 'Su anfitrión le dejará entrar en breve. Mantenga esta página abierta.',
  'failed.body': 'No pudimos reconectar la llamada.',
  'failed.callback': 'Su anfitrión le llamará al {number}.',
  'failed.retry': 'Intentar de nuevo',
  'ended.body': 'Ha salido de la llamada.',
  'ended.denied': 'El anfitrión no le dejó entrar.',
  'ended.removed': 'El anfitrión le retiró de la llamada.',
  'join': 'Unirse a la llamada',
  'leave': 'Salir de la llamada',
  'mic.on': 'Silenciar micrófono',
  'mic.off': 'Activar micrófono',
  'cam.on': 'Apagar cámara',
  'cam.off': 'Encender cámara',
  'you': 'Usted',
  'muted': 'silenciado',
  'camera.off': 'cámara apagada',
  'participant.reconnecting': 'reconectando',
  'waitingList.title': 'Esperando para entrar ({count})',
  'waitingList.empty': 'No hay nadie esperando.',
  'waitingList.admit': 'Dejar entrar a {name}',
  'waitingList.deny': 'No dejar entrar a {name}',
  'waitingList.checklist.complete': 'Lista completada',
  'waitingList.checklist.incomplete': 'Lista sin completar',
  'participant.joined': '{name} se unió',
  'participant.left': '{name} salió',
  'participant.waiting': '{name} espera para entrar',
  'muteRequested': 'El anfitrión le pide que silencie su {kind}.',
  'kind.audio': 'micrófono',
  'kind.video': 'cámara',
  'sas.title': 'Código de seguridad',
  'sas.body': 'Léanlos en voz alta con {name}. Si coinciden en ambas pantallas, la llamada es privada.',
  'encrypted': 'Cifrado de extremo a extremo',
  'sas.match': 'Los códigos coinciden',
  'sas.confirmed': 'Usted confirmó el código',
  'sas.peerConfirmed': '{name} confirmó el código',
  'error.generic': 'Algo salió mal ({code}).',
  'error.MEDIA_PERMISSION_DENIED': 'Se bloqueó el acceso a la cámara o al micrófono. Permítalo en la configuración del navegador.',
  'error.MEDIA_DEVICE_NOT_FOUND': 'No se encontró cámara ni micrófono.',
  'error.MEDIA_DEVICE_IN_USE': 'Otro programa está usando la cámara o el micrófono.',
  'error.INVALID_TOKEN': 'Este enlace ya no es válido. Pida uno nuevo a su anfitrión.',
  'error.SESSION_LOCKED': 'La llamada está cerrada.',
  'error.SESSION_FULL': 'La llamada está completa.',
  'error.SESSION_ENDED': 'La llamada ha terminado.',
  'error.E2EE_UNAVAILABLE': 'Este navegador no puede proteger la llamada con cifrado de extremo a extremo. Use un navegador actual.',
};

/** The catalogues by language. */
export const MESSAGES: Readonly<Record<string, Readonly<Record<MessageKey, string>>>> = { en, es };

/** Languages with a complete catalogue. */
export const LANGUAGES = Object.keys(MESSAGES);

/**
 * Looks up `key` in the catalogue of `lang` (its primary subtag; English when unknown) and fills
 * `{placeholders}`. Parameters are inserted as text; callers put the result in `textContent`.
 */
export function t(lang: string, key: MessageKey, params: Record<string, string | number> = {}): string {
  const primary = lang.toLowerCase().split('-')[0] ?? 'en';
  const table = MESSAGES[primary] ?? en;
  const template = table[key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}

/** The message key for an error code, or the generic one. */
export function errorKey(code: string): MessageKey {
  const k = `error.${code}`;
  return k in en ? (k as MessageKey) : 'error.generic';
}
