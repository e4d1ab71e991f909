/**
 * Identity from headers set by an authenticating reverse proxy (oauth2-proxy, Istio, ...):
 * `X-Forwarded-User`, `X-Forwarded-Email` and an optional groups header. The headers are
 * believed only when the TCP peer is one of the configured proxy addresses; anyone else who
 * sends them is refused outright rather than silently treated as anonymous.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Identity } from './identity.ts';
import { roleFrom } from './claims.ts';

/** Trusted-header settings. */
export interface TrustedProxySettings {
  /** Proxy addresses as CIDRs (`10.0.0.0/8`, `::1/128`) or single addresses. */
  trustedProxies: string[];
  userHeader?: string;
  emailHeader?: string;
  /** Comma-separated group list; unset ignores groups. */
  groupsHeader?: string;
  /** Groups that make a caller an admin (default `streamspace-admin`, `admin`). */
  adminGroups?: string[];
}

/** What the headers of one request say. */
export type ProxyVerdict =
  | { kind: 'none' }
  | { kind: 'untrusted'; peer: string }
  | { kind: 'identity'; identity: Identity };

function addRange(list: BlockList, cidr: string): void {
  const [address, prefix] = cidr.split('/');
  const type = isIPv6(address) ? 'ipv6' : 'ipv4';
  if (!isIPv4(address) && !isIPv6(address)) throw new Error(`trusted proxy ${JSON.stringify(cidr)} is not an address or CIDR`);
  if (prefix === undefined) list.addAddress(address, type);
  else list.addSubnet(address, Number(prefix), type);
}

function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  return first?.trim() || undefined;
}

/** Reads identities from trusted proxies' headers. */
export class TrustedProxyAuthenticator {
  readonly #s: TrustedProxySettings;
  readonly #trusted = new BlockList();

  constructor(settings: TrustedProxySettings) {
    this.#s = settings;
    for (const cidr of settings.trustedProxies) addRange(this.#trusted, cidr);
  }

  /** True when `peer` is a configured proxy address. */
  isTrusted(peer: string): boolean {
    const plain = peer.startsWith('::ffff:') && isIPv4(peer.slice(7)) ? peer.slice(7) : peer;
    return this.#trusted.check(plain, isIPv6(plain) ? 'ipv6' : 'ipv4');
  }

  /** The verdict on a request from `peer` with `headers` (lower-cased names, as Node gives them). */
  read(peer: string, headers: Record<string, string | string[] | undefined>): ProxyVerdict {
    const username = headerValue(headers, this.#s.userHeader ?? 'x-forwarded-user');
    if (username === undefined) return { kind: 'none' };
    if (!this.isTrusted(peer)) return { kind: 'untrusted', peer };
    const groupsRaw = this.#s.groupsHeader ? headerValue(headers, this.#s.groupsHeader) : undefined;
    const groups = groupsRaw ? groupsRaw.split(',').map((g) => g.trim()).filter(Boolean) : [];
    const identity: Identity = { username, role: roleFrom(groups, this.#s.adminGroups ?? ['streamspace-admin', 'admin']), groups, method: 'proxy' };
    const email = headerValue(headers, this.#s.emailHeader ?? 'x-forwarded-email');
    if (email) identity.email = email;
    return { kind: 'identity', identity };
  }
}
