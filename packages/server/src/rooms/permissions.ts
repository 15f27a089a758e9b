/**
 * The role × action matrix: which roles may call each request method, and whether the caller must
 * be admitted (out of the waiting room). Checked on every request before its handler runs.
 * @packageDocumentation
 */
import type { RequestMethod, Role } from '@alcove/protocol';
import { ROLES } from '@alcove/protocol';

/** Who may call a method. */
export interface MethodRule {
  /** Roles allowed to call it. */
  readonly roles: readonly Role[];
  /** `admitted`: only out of the waiting room; `any`: waiting participants too. */
  readonly state: 'admitted' | 'any';
}

const ALL: readonly Role[] = ROLES;
const HOST: readonly Role[] = ['host'];
const PRODUCERS: readonly Role[] = ROLES.filter((r) => r !== 'observer');
const GUESTS: readonly Role[] = ROLES.filter((r) => r !== 'host');

const admitted = (roles: readonly Role[]): MethodRule => ({ roles, state: 'admitted' });
const any = (roles: readonly Role[]): MethodRule => ({ roles, state: 'any' });

/**
 * The matrix for every method after `session.join` / `session.resume` (those two are only valid on a
 * connection that has not joined yet).
 */
export const METHOD_RULES: { readonly [M in Exclude<RequestMethod, 'session.join' | 'session.resume'>]: MethodRule } = {
  'session.leave': any(ALL),
  'session.ping': any(ALL),
  // Capabilities say nothing about the room; a waiting client may load its Device early.
  'media.getRouterRtpCapabilities': any(ALL),
  'media.createTransport': admitted(ALL),
  'media.connectTransport': admitted(ALL),
  'media.restartIce': admitted(ALL),
  'media.closeTransport': admitted(ALL),
  'media.produce': admitted(PRODUCERS),
  'media.closeProducer': admitted(PRODUCERS),
  'media.pauseProducer': admitted(PRODUCERS),
  'media.resumeProducer': admitted(PRODUCERS),
  'media.consume': admitted(ALL),
  'media.resumeConsumer': admitted(ALL),
  'media.pauseConsumer': admitted(ALL),
  'media.closeConsumer': admitted(ALL),
  'media.setPreferredLayers': admitted(ALL),
  'media.requestKeyFrame': admitted(ALL),
  'media.getTransportStats': admitted(ALL),
  'e2ee.publishKey': admitted(ALL),
  'e2ee.relay': admitted(ALL),
  'e2ee.verified': admitted(ALL),
  // The checklist is filled in while waiting; its status goes to the host.
  'checklist.submit': any(GUESTS),
  // The sealed channel: a guest (waiting too) to a host, a host to a guest; the room checks the pair.
  'checklist.relay': any(ALL),
  // The network test runs on a router of its own, before admission too.
  'network.testStart': any(ALL),
  'network.testConnect': any(ALL),
  'network.testProduce': any(ALL),
  'network.testStats': any(ALL),
  'network.testEnd': any(ALL),
  'chat.send': admitted(ALL),
  'chat.relay': admitted(ALL),
  'host.admit': admitted(HOST),
  'host.deny': admitted(HOST),
  'host.remove': admitted(HOST),
  'host.lock': admitted(HOST),
  'host.unlock': admitted(HOST),
  'host.requestMute': admitted(HOST),
  'host.setScreenShare': admitted(HOST),
  'host.end': admitted(HOST),
};

/** Methods only a host may call. */
export const HOST_METHODS = (Object.keys(METHOD_RULES) as (keyof typeof METHOD_RULES)[]).filter((m) => m.startsWith('host.'));

/**
 * Checks a call against the matrix: `undefined` when allowed, else the wire code (`NOT_ALLOWED` for
 * the role, `NOT_ADMITTED` for a waiting participant).
 */
export function checkPermission(
  method: keyof typeof METHOD_RULES,
  role: Role,
  admittedNow: boolean,
): 'NOT_ALLOWED' | 'NOT_ADMITTED' | undefined {
  const rule = METHOD_RULES[method];
  if (!rule.roles.includes(role)) return 'NOT_ALLOWED';
  if (rule.state === 'admitted' && !admittedNow) return 'NOT_ADMITTED';
  return undefined;
}

/** Whether a role may publish from a source under a screen-share policy. */
export function mayPublishSource(
  role: Role,
  source: 'mic' | 'cam' | 'screen' | 'screen-audio',
  screenShare: 'host' | 'everyone' | 'nobody',
): boolean {
  if (role === 'observer') return false;
  if (source === 'mic' || source === 'cam') return true;
  if (screenShare === 'nobody') return false;
  return screenShare === 'everyone' || role === 'host';
}
