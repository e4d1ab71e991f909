/**
 * Random bearer secrets that are stored only as hashes: refresh tokens and API keys. They are
 * 256-bit random values, so a plain SHA-256 (not a slow password hash) is enough to make the
 * stored form useless to whoever reads the database.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A new random secret with a recognisable prefix (`ssk_` for API keys, `ssr_` for refresh tokens). */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** The stored form of a secret. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

/** A short random id for database rows. */
export function newId(): string {
  return randomBytes(12).toString('base64url');
}
