/**
 * The RS256 key the API signs its own access tokens with. Kept where every replica can find
 * it: in the database's settings when the database is shared (PostgreSQL), else in a 0600 file
 * in the data folder, else (no data folder) only in memory, so tokens die with the process.
 */
import fs from 'node:fs';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';
import type { SettingStore } from '../db/repository.ts';
import { newId } from './secret-token.ts';

/** A loaded signing key. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** The public half as published in the JWKS. */
  publicJwk: JWK;
}

/** Where the key is kept. */
export interface SigningKeyStorage {
  /** Shared settings (used when set). */
  settings?: SettingStore;
  /** A file path (used when there are no shared settings). */
  file?: string;
}

const SETTING_KEY = 'api.signing-key';

async function generateJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: newId(), alg: 'RS256', use: 'sig' };
}

async function storedJwk(storage: SigningKeyStorage): Promise<JWK> {
  if (storage.settings) {
    const fresh = JSON.stringify(await generateJwk());
    return JSON.parse(await storage.settings.getOrCreate(SETTING_KEY, () => fresh)) as JWK;
  }
  if (storage.file) {
    if (fs.existsSync(storage.file)) return JSON.parse(fs.readFileSync(storage.file, 'utf8')) as JWK;
    const jwk = await generateJwk();
    fs.mkdirSync(path.dirname(storage.file), { recursive: true, mode: 0o700 });
    fs.writeFileSync(storage.file, JSON.stringify(jwk), { mode: 0o600, flag: 'wx' });
    return jwk;
  }
  return generateJwk();
}

/** Loads the key, creating and storing it on first use. */
export async function loadSigningKey(storage: SigningKeyStorage): Promise<SigningKey> {
  const jwk = await storedJwk(storage);
  const privateKey = (await importJWK(jwk, 'RS256')) as CryptoKey;
  const { kty, n, e } = jwk;
  return { kid: String(jwk.kid), privateKey, publicJwk: { kty, n, e, kid: jwk.kid, alg: 'RS256', use: 'sig' } };
}
