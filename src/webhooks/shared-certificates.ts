/**
 * Platform-managed webhook certificates for several replicas behind one Service: one CA kept in a
 * Secret (`<service>-ca` in the Service's namespace, keys `ca.crt` and `ca.key`), created by the
 * first replica that finds none, and a serving certificate per replica issued from it for the
 * Service's DNS names. Every replica then agrees on the caBundle (the Secret's `ca.crt`), so none
 * overwrites another's, and a replica that restarts keeps the bundle the configurations carry.
 *
 * Serving certificates are renewed from the same CA two thirds through their life. The CA lasts
 * ten years by default and is not renewed automatically: to replace it, write the new CA's key to
 * `ca.key` and the old and new certificates together to `ca.crt` (the new one last); replicas
 * read the Secret every `pollIntervalMs`, publish the bundle, wait for the API server to pick it
 * up, then serve certificates of the new CA. Drop the old certificate from `ca.crt` later.
 */
import { X509Certificate } from 'node:crypto';
import type { Logger } from 'pino';
import { PART_OF_LABEL } from '../apis/crd.ts';
import type { KubeObject } from '../apimachinery/object.ts';
import { isAlreadyExists, isNotFound, type KubeClient } from '../runtime/client.ts';
import { realClock, sleep, type Clock } from '../runtime/clock.ts';
import type { CertificateAuthority } from '../tls/certificates.ts';
import type { CertificateConsumer, CertificateSource, ServingCertificate } from './certificates.ts';

const certificates = (): Promise<typeof import('../tls/certificates.ts')> => import('../tls/certificates.ts');

const DAY = 24 * 3600 * 1000;
const MAX_WAIT_MS = 3600 * 1000;

/** Options of {@link SharedCertificates}. */
export interface SharedCertificateOptions {
  client: KubeClient;
  namespace: string;
  /** Name of the Secret holding the CA. */
  secretName: string;
  /** Names and addresses each serving certificate is valid for. */
  hosts: string[];
  /** Lifetime of a CA this source creates (default 10 years). */
  caLifetimeMs?: number;
  /** Lifetime of each serving certificate (default 90 days). */
  servingLifetimeMs?: number;
  /** How often the Secret is read for a replaced CA (default 30 s). */
  pollIntervalMs?: number;
  /** How long the API server needs to notice a changed caBundle (default 5 s). */
  bundlePropagationMs?: number;
  clock?: Clock;
  logger?: Logger;
}

interface StoredCa {
  bundlePem: string;
  keyPem: string;
}

const decode = (b64: string | undefined): string => Buffer.from(b64 ?? '', 'base64').toString('utf8');
const encode = (text: string): string => Buffer.from(text).toString('base64');

/** The last certificate of a PEM bundle: the signing CA (older ones stay in the bundle for trust only). */
function lastCertificate(bundlePem: string): string {
  const blocks = bundlePem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  if (!blocks.length) throw new Error('ca.crt holds no certificate');
  return blocks[blocks.length - 1];
}

/** See the module comment. */
export class SharedCertificates implements CertificateSource {
  readonly #o: SharedCertificateOptions;
  readonly #clock: Clock;
  #stored: StoredCa | undefined;
  #ca: CertificateAuthority | undefined;
  #serving: ServingCertificate | undefined;
  #renewAt = 0;

  constructor(opts: SharedCertificateOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
  }

  async initialize(): Promise<void> {
    const stored = await this.#readOrCreate();
    await this.#use(stored);
  }

  serving(): ServingCertificate {
    if (!this.#serving) throw new Error('certificates not initialized');
    return this.#serving;
  }

  caBundle(): string {
    return this.#stored?.bundlePem ?? '';
  }

  async run(signal: AbortSignal, consumer: CertificateConsumer): Promise<void> {
    const poll = this.#o.pollIntervalMs ?? 30_000;
    while (!signal.aborted) {
      await sleep(this.#clock, Math.min(poll, Math.max(0, this.#renewAt - this.#clock.now()), MAX_WAIT_MS), signal);
      if (signal.aborted) return;
      try {
        await this.#refresh(signal, consumer);
      } catch (err) {
        this.#o.logger?.warn({ err }, 'Failed to refresh the shared webhook certificates, retrying');
      }
    }
  }

  async #refresh(signal: AbortSignal, consumer: CertificateConsumer): Promise<void> {
    const stored = await this.#read();
    if (stored && (stored.bundlePem !== this.#stored!.bundlePem || stored.keyPem !== this.#stored!.keyPem)) {
      await consumer.publishCaBundle(stored.bundlePem);
      await sleep(this.#clock, this.#o.bundlePropagationMs ?? 5000, signal);
      await this.#use(stored);
      consumer.useServingCertificate(this.#serving!);
      consumer.rotated?.('ca', this.#ca!.notAfter);
      consumer.rotated?.('serving', this.#serving!.notAfter);
      return;
    }
    if (this.#clock.now() < this.#renewAt) return;
    await this.#issue();
    consumer.useServingCertificate(this.#serving!);
    consumer.rotated?.('serving', this.#serving!.notAfter);
  }

  async #use(stored: StoredCa): Promise<void> {
    this.#ca = await (await certificates()).loadCertificateAuthority(lastCertificate(stored.bundlePem), stored.keyPem);
    this.#stored = stored;
    await this.#issue();
  }

  async #issue(): Promise<void> {
    const issuedAt = this.#clock.now();
    const validForMs = (this.#o.servingLifetimeMs ?? 90 * DAY) + 1000;
    const issued = await (await certificates()).issueServingCertificate(this.#ca!, { hosts: this.#o.hosts, validForMs });
    const notAfter = new Date(new X509Certificate(issued.certPem).validTo);
    this.#serving = { certPem: issued.certPem, keyPem: issued.keyPem, notAfter };
    this.#renewAt = issuedAt + ((notAfter.getTime() - issuedAt) * 2) / 3;
  }

  #ref(): KubeObject {
    return { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: this.#o.namespace, name: this.#o.secretName } };
  }

  async #read(): Promise<StoredCa | undefined> {
    try {
      const secret = await this.#o.client.get(this.#ref(), { namespace: this.#o.namespace, name: this.#o.secretName });
      return { bundlePem: decode(secret.data?.['ca.crt']), keyPem: decode(secret.data?.['ca.key']) };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The stored CA, or a new one stored now; a replica that loses the race to create it reads the winner's. */
  async #readOrCreate(): Promise<StoredCa> {
    const existing = await this.#read();
    if (existing) return existing;
    const ca = await (await certificates()).createCertificateAuthority(`${this.#o.secretName}`, this.#o.caLifetimeMs ?? 3650 * DAY);
    const secret = {
      ...this.#ref(), type: 'Opaque',
      metadata: { ...this.#ref().metadata, labels: { ...PART_OF_LABEL } },
      data: { 'ca.crt': encode(ca.certPem), 'ca.key': encode(ca.keyPem) },
    };
    try {
      await this.#o.client.create(secret);
      this.#o.logger?.info({ secret: `${this.#o.namespace}/${this.#o.secretName}` }, 'Created the webhook CA');
      return { bundlePem: ca.certPem, keyPem: ca.keyPem };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const winner = await this.#read();
      if (!winner) throw err;
      return winner;
    }
  }
}
