/**
 * The credentials a request carries, from a RestConfig: an Authorization header and, for exec
 * plugins that hand out certificates, a client certificate. Tokens that can change (a mounted
 * service-account token file, an exec plugin's short-lived token) are re-read when due and after
 * a 401, as client-go does; a fixed token or password is never refreshed.
 */
import fs from 'node:fs/promises';
import type { RestConfig } from '../rest-config.ts';
import { ExecCredentialSource, type IssuedCredential } from './exec-credentials.ts';

/** What one request presents. */
export interface RequestCredentials {
  authorization?: string;
  /** Client certificate and key from an exec plugin (PEM); the RestConfig's own are in its tls. */
  cert?: string;
  key?: string;
  /** The exec plugin's credential these came from (so a burst of 401s causes one new plugin run). */
  issued?: IssuedCredential;
}

/** client-go re-reads a token file once a minute; kubelet rotates bound tokens well before expiry. */
const TOKEN_FILE_TTL_MS = 60_000;

/** See the module comment. */
export class CredentialProvider {
  readonly #config: RestConfig;
  readonly #exec: ExecCredentialSource | undefined;
  #fileToken: { value: string; readAt: number } | undefined;

  constructor(config: RestConfig) {
    this.#config = config;
    const { credentials } = config;
    if (credentials.type === 'exec') {
      const { ca, insecureSkipVerify, serverName } = config.tls;
      this.#exec = new ExecCredentialSource(credentials.plugin, { server: config.server, ca, insecureSkipVerify, serverName });
    }
  }

  /** The credentials for the next request. */
  async current(): Promise<RequestCredentials> {
    const c = this.#config.credentials;
    switch (c.type) {
      case 'none':
        return {};
      case 'token':
        return { authorization: `Bearer ${c.token}` };
      case 'basic':
        return { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}` };
      case 'tokenFile':
        return { authorization: `Bearer ${await this.#readTokenFile(c.path)}` };
      case 'exec': {
        const got = await this.#exec!.get();
        return { authorization: got.token ? `Bearer ${got.token}` : undefined, cert: got.cert, key: got.key, issued: got };
      }
    }
  }

  /** After a 401 with `used`: drops cached credentials; true when a retry may present different ones. */
  invalidate(used: RequestCredentials): boolean {
    const type = this.#config.credentials.type;
    if (type === 'tokenFile') this.#fileToken = undefined;
    if (type === 'exec') this.#exec!.invalidate(used.issued);
    return type === 'tokenFile' || type === 'exec';
  }

  async #readTokenFile(path: string): Promise<string> {
    const now = Date.now();
    if (this.#fileToken && now - this.#fileToken.readAt < TOKEN_FILE_TTL_MS) return this.#fileToken.value;
    const value = (await fs.readFile(path, 'utf8')).trim();
    this.#fileToken = { value, readAt: now };
    return value;
  }
}
