/**
 * The gateway's sign-in cookie. The API's login (and refresh) sets it next to the JSON token pair,
 * holding the access token, so a browser that opens a session URL is authenticated without
 * JavaScript putting a token in the URL. HttpOnly (scripts, including the session's own pages,
 * cannot read it) and SameSite=Lax (sent on top-level navigations to a session link, not on
 * cross-site subrequests). The gateway removes it from every request before the session sees it.
 */

/** The cookie's name. */
export const SESSION_COOKIE = 'streamspace_session';

/** Where and how the cookie is set. */
export interface CookieSettings {
  /** Send only over HTTPS (set behind TLS; browsers drop Secure cookies on plain http to other hosts than localhost). */
  secure?: boolean;
  /** Domain attribute, for host mode (`example.com` covers `{session}.example.com`); host-only when unset. */
  domain?: string;
}

/** The Set-Cookie value holding `token` for `maxAgeSeconds`. */
export function sessionCookie(token: string, maxAgeSeconds: number, settings: CookieSettings = {}): string {
  const parts = [`${SESSION_COOKIE}=${token}`, 'Path=/', `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`, 'HttpOnly', 'SameSite=Lax'];
  if (settings.secure) parts.push('Secure');
  if (settings.domain) parts.push(`Domain=${settings.domain}`);
  return parts.join('; ');
}

/** The Set-Cookie value that removes the cookie (logout). */
export function clearedSessionCookie(settings: CookieSettings = {}): string {
  return sessionCookie('', 0, settings);
}

/** Splits a Cookie header into name=value pairs, in order. */
function pairs(header: string): Array<[string, string]> {
  return header.split(';').map((p) => p.trim()).filter(Boolean).map((p) => {
    const eq = p.indexOf('=');
    return eq < 0 ? [p, ''] : [p.slice(0, eq).trim(), p.slice(eq + 1).trim()];
  });
}

/** The value of cookie `name` in a Cookie header (the first one when sent twice). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  return pairs(header).find(([n]) => n === name)?.[1];
}

/** The Cookie header without any cookie called `name`; undefined when nothing is left. */
export function withoutCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const kept = pairs(header).filter(([n]) => n !== name).map(([n, v]) => (v === '' && !header.includes(`${n}=`) ? n : `${n}=${v}`));
  return kept.length ? kept.join('; ') : undefined;
}
