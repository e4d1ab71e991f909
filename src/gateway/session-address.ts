/**
 * Which session a request is for, and what path the session sees. Two schemes:
 * - path mode (inside `streamspace up` and the API's port): `/s/{session}/{rest}`; the session
 *   sees `/{rest}` and an `X-Forwarded-Prefix: /s/{session}` header;
 * - host mode (clusters): `{session-host-label}.{domain}/{rest}`; the session sees `/{rest}`.
 * Anything else is not a session address: the gateway never forwards to a host or address a
 * request names (absolute-form request targets are refused), only to session Services.
 *
 * Paths are checked, not rewritten: a segment that decodes to `.` or `..`, or that hides a `/`,
 * `\` or NUL behind percent-encoding, is refused, so no path the session sees climbs out of
 * the prefix, and the raw path is forwarded as sent.
 */
import type { IncomingMessage } from 'node:http';
import { Refusal } from './refusal.ts';

/** The prefix of session addresses in path mode. */
export const PATH_PREFIX = '/s/';

/** The gateway's own paths inside every session address (progress stream, noVNC, VNC bridge). */
export const RESERVED_PREFIX = '/.streamspace/';

import type { AddressMode } from '../api/session-router.ts';

export type { AddressMode };

/** A request's session and the path (with query) the session sees. */
export interface SessionAddress {
  /** The session name (path mode) or host label (host mode). */
  key: string;
  by: 'name' | 'host-label';
  /** The path the session sees, starting with `/`, with the query string. */
  path: string;
  /** What the browser's URL has in front of `path` (`/s/{session}` in path mode, empty in host mode). */
  prefix: string;
}

/** What the request is, as far as addressing goes. */
export type AddressVerdict =
  | { kind: 'session'; address: SessionAddress }
  | { kind: 'redirect'; location: string }
  | { kind: 'other' };

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function badPath(why: string): Refusal {
  return new Refusal(400, 'bad-path', 'Bad address', `The address is not a valid session path: ${why}.`);
}

/** Refuses path segments that could step outside the session's prefix once decoded. */
export function checkPath(path: string): void {
  const pathOnly = path.split('?', 1)[0];
  for (const raw of pathOnly.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      throw badPath('it has a malformed percent-encoding');
    }
    if (segment === '.' || segment === '..') throw badPath('it contains a "." or ".." segment');
    if (segment !== raw && /[/\\\0]/.test(segment)) throw badPath('it hides a slash, backslash or NUL in percent-encoding');
    if (raw.includes('\\')) throw badPath('it contains a backslash');
  }
}

function hostOf(req: IncomingMessage): string {
  return (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
}

/** Reads the session address of `req` under `mode`. Throws a 400 Refusal for a malformed one. */
export function readAddress(req: IncomingMessage, mode: AddressMode): AddressVerdict {
  const url = req.url ?? '';
  // Absolute-form targets ("GET http://10.0.0.1/ HTTP/1.1") ask for a forward proxy: never.
  if (!url.startsWith('/')) return { kind: 'other' };
  if (mode.kind === 'host') {
    const host = hostOf(req);
    const suffix = `.${mode.domain.toLowerCase()}`;
    if (!host.endsWith(suffix)) return { kind: 'other' };
    const label = host.slice(0, -suffix.length);
    if (!LABEL.test(label)) return { kind: 'other' };
    checkPath(url);
    return { kind: 'session', address: { key: label, by: 'host-label', path: url, prefix: '' } };
  }
  if (!url.startsWith(PATH_PREFIX)) return { kind: 'other' };
  const rest = url.slice(PATH_PREFIX.length);
  const end = rest.search(/[/?]/);
  const name = end < 0 ? rest : rest.slice(0, end);
  if (!NAME.test(name) || name.length > 253) throw badPath('the session name is not a valid name');
  const tail = end < 0 ? '' : rest.slice(end);
  // `/s/name` and `/s/name?x`: the session's relative links only resolve under `/s/name/`.
  if (!tail.startsWith('/')) return { kind: 'redirect', location: `${PATH_PREFIX}${name}/${tail}` };
  checkPath(tail);
  return { kind: 'session', address: { key: name, by: 'name', path: tail, prefix: `${PATH_PREFIX}${name}` } };
}

/** True when `req` is addressed to the gateway in `mode` (used to route before the API sees it). */
export function isGatewayRequest(req: IncomingMessage, mode: AddressMode): boolean {
  const url = req.url ?? '';
  if (mode.kind === 'host') return url.startsWith('/') && hostOf(req).endsWith(`.${mode.domain.toLowerCase()}`);
  return url.startsWith(PATH_PREFIX) || url === '/s';
}
