/**
 * The webhook transport: a minimal `fetch` over `node:http`/`node:https` that resolves the host
 * once, refuses non-public addresses (unless allowed), and connects to exactly the address it
 * checked — so a DNS answer that changes between the check and the connection (rebinding) cannot
 * send a delivery to a private or metadata address.
 * @packageDocumentation
 */
import { lookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isBlockedAddress, isBlockedHostname } from './address-policy.js';

/** A delivery refused because its destination address is not allowed. */
export class RefusedAddressError extends Error {
  constructor() {
    super('The webhook destination resolves to an address that is not allowed.');
    this.name = 'RefusedAddressError';
  }
}

/** Resolves a host name to its addresses (`dns.lookup` with `all`). */
export const defaultResolveHost = async (hostname: string): Promise<readonly string[]> =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/**
 * A `fetch` for webhook deliveries (POST with a string body; the answer's body is discarded). With
 * `allowPrivateNetworks` false, a destination whose name is blocked or resolves to any blocked
 * address rejects with {@link RefusedAddressError} before any connection is made.
 */
export function createGuardedFetch(options: {
  readonly allowPrivateNetworks: boolean;
  readonly resolveHost?: (hostname: string) => Promise<readonly string[]>;
}): typeof fetch {
  const resolveHost = options.resolveHost ?? defaultResolveHost;
  return (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (!options.allowPrivateNetworks && isBlockedHostname(url.hostname)) throw new RefusedAddressError();
    const addresses = isIP(host) !== 0 ? [host] : await resolveHost(host);
    const address = addresses[0];
    if (address === undefined) throw new Error('The webhook destination has no address.');
    if (!options.allowPrivateNetworks && addresses.some((a) => isBlockedAddress(a))) throw new RefusedAddressError();
    const family = isIP(address);
    // Connect to the address checked above, whatever the resolver would answer now.
    const pinned: LookupFunction = (_hostname, opts, callback) => {
      if ((opts as { all?: boolean }).all)
        (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address, family }]);
      else callback(null, address, family);
    };
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const body = typeof init?.body === 'string' ? init.body : undefined;
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise<Response>((resolve, reject) => {
      const onResponse = (res: IncomingMessage): void => {
        res.resume();
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 200 || status > 599) reject(new Error(`Unexpected HTTP status ${status}.`));
          else resolve(new Response(null, { status }));
        });
      };
      const common = {
        method: init?.method ?? 'GET',
        headers,
        lookup: pinned,
        ...(init?.signal ? { signal: init.signal } : {}),
      };
      const req =
        url.protocol === 'https:'
          ? httpsRequest(url, { ...common, ...(isIP(host) === 0 ? { servername: host } : {}) }, onResponse)
          : httpRequest(url, common, onResponse);
      req.on('error', (error) => reject(init?.signal?.aborted ? (init.signal.reason ?? error) : error));
      req.end(body);
    });
  }) as typeof fetch;
}
