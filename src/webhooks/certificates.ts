/**
 * The webhook server's TLS: which serving certificate it presents, which CA bundle the webhook
 * configurations carry, and rotation of both without a refused admission.
 *
 * Two sources:
 * - self-signed (default, embedded mode and single-replica installs): at start-up a new CA and a
 *   serving certificate it signs. The serving certificate is renewed from the same CA once two
 *   thirds of its lifetime have passed; the CA likewise, and a CA renewal is done in the only safe
 *   order: publish a bundle holding the old and the new CA, wait for the API server to pick it up,
 *   then switch to a serving certificate from the new CA. The old CA stays in the bundle until the
 *   next CA renewal, so connections set up with either certificate verify throughout.
 * - mounted (cluster installs): `tls.crt`, `tls.key` and `ca.crt` files, as a cert-manager
 *   Certificate's Secret mounts them, polled for changes. A changed CA is published (old and new
 *   together) before the new serving certificate is used.
 *
 * The switch itself is https.Server#setSecureContext: connections being set up keep the context they
 * started with, new ones get the new certificate; nothing is closed.
 */
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { CertificateAuthority } from '../tls/certificates.ts';

/**
 * The certificate library (@peculiar/x509 with its ASN.1 stack, about 10 MiB resident) is loaded
 * only when this process issues certificates itself; mounted (cert-manager) certificates never need it.
 */
const certificates = (): Promise<typeof import('../tls/certificates.ts')> => import('../tls/certificates.ts');
import { realClock, sleep, type Clock } from '../runtime/clock.ts';

/** A serving certificate and its key, PEM. */
export interface ServingCertificate {
  certPem: string;
  keyPem: string;
  notAfter: Date;
}

/** What a certificate source drives: the configurations' caBundle and the server's TLS context. */
export interface CertificateConsumer {
  /** Writes `bundlePem` into the webhook configurations; resolves once the API server has it. */
  publishCaBundle(bundlePem: string): Promise<void>;
  /** Starts presenting `cert` on new connections. */
  useServingCertificate(cert: ServingCertificate): void;
  /** A certificate of kind `serving` or `ca` was replaced. */
  rotated?(which: 'serving' | 'ca', notAfter: Date): void;
}

/** A source of serving certificates. */
export interface CertificateSource {
  /** Creates or loads the first certificate. */
  initialize(): Promise<void>;
  serving(): ServingCertificate;
  /** PEM of every CA the configurations should trust now ('' when unknown: leave caBundle alone). */
  caBundle(): string;
  /** Renews until `signal` aborts. */
  run(signal: AbortSignal, consumer: CertificateConsumer): Promise<void>;
}

/** Options of {@link SelfSignedCertificates}. */
export interface SelfSignedCertificateOptions {
  /** Names and addresses the serving certificate is valid for. */
  hosts: string[];
  /** Lifetime of each CA (default 1 year). */
  caLifetimeMs?: number;
  /** Lifetime of each serving certificate (default 90 days; never beyond its CA). */
  servingLifetimeMs?: number;
  /** How long the API server needs to notice a changed configuration (default 0: the embedded one notices at once). */
  bundlePropagationMs?: number;
  clock?: Clock;
  logger?: Logger;
}

const DAY = 24 * 3600 * 1000;
/** setTimeout cannot wait longer than 2^31-1 ms; longer waits are taken in steps. */
const MAX_WAIT_MS = 3600 * 1000;

/**
 * X.509 validity is written in whole seconds, truncated: a certificate asked to last 900 ms may be
 * stored as already expired. Ask for a second more, and plan from the validity actually written.
 */
const VALIDITY_RESOLUTION_MS = 1000;

/** When a certificate issued at `issuedAt` is due for renewal: two thirds through its written validity. */
function renewalTime(issuedAt: number, certPem: string): number {
  return issuedAt + ((firstNotAfter(certPem).getTime() - issuedAt) * 2) / 3;
}

interface Issued<T> {
  value: T;
  renewAt: number;
}

/** See the module comment: a CA of our own, renewed with its serving certificates. */
export class SelfSignedCertificates implements CertificateSource {
  readonly #o: SelfSignedCertificateOptions;
  readonly #clock: Clock;
  #generation = 0;
  #ca: Issued<CertificateAuthority> | undefined;
  #previousCaPem = '';
  #serving: Issued<ServingCertificate> | undefined;

  constructor(opts: SelfSignedCertificateOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
  }

  async initialize(): Promise<void> {
    this.#ca = await this.#newCa();
    this.#serving = await this.#issue(this.#ca.value);
  }

  serving(): ServingCertificate {
    if (!this.#serving) throw new Error('certificates not initialized');
    return this.#serving.value;
  }

  caBundle(): string {
    return pemBundle(this.#previousCaPem, this.#ca?.value.certPem ?? '');
  }

  async run(signal: AbortSignal, consumer: CertificateConsumer): Promise<void> {
    while (!signal.aborted) {
      const due = Math.min(this.#ca!.renewAt, this.#serving!.renewAt);
      await sleep(this.#clock, Math.min(Math.max(0, due - this.#clock.now()), MAX_WAIT_MS), signal);
      if (signal.aborted) return;
      try {
        await this.#renewDue(signal, consumer);
      } catch (err) {
        this.#o.logger?.error({ err }, 'Failed to renew the webhook certificates, retrying');
        await sleep(this.#clock, this.#retryDelay(), signal);
      }
    }
  }

  async #renewDue(signal: AbortSignal, consumer: CertificateConsumer): Promise<void> {
    const now = this.#clock.now();
    const servingDue = now >= this.#serving!.renewAt;
    if (now < this.#ca!.renewAt) {
      if (servingDue) await this.#renewServing(consumer);
      return;
    }
    try {
      await this.#renewCa(signal, consumer);
    } catch (err) {
      // The bundle could not be published (API server unreachable): keep serving from the current CA meanwhile.
      if (servingDue) await this.#renewServing(consumer);
      throw err;
    }
  }

  async #renewServing(consumer: CertificateConsumer): Promise<void> {
    this.#serving = await this.#issue(this.#ca!.value);
    consumer.useServingCertificate(this.#serving.value);
    consumer.rotated?.('serving', this.#serving.value.notAfter);
  }

  /** New CA: publish old+new, let the API server catch up, then serve a certificate of the new CA. */
  async #renewCa(signal: AbortSignal, consumer: CertificateConsumer): Promise<void> {
    const ca = await this.#newCa();
    const previous = this.#ca!.value.certPem;
    await consumer.publishCaBundle(pemBundle(previous, ca.value.certPem));
    await sleep(this.#clock, this.#o.bundlePropagationMs ?? 0, signal);
    const serving = await this.#issue(ca.value);
    consumer.useServingCertificate(serving.value);
    [this.#ca, this.#previousCaPem, this.#serving] = [ca, previous, serving];
    consumer.rotated?.('ca', ca.value.notAfter);
    consumer.rotated?.('serving', serving.value.notAfter);
  }

  async #newCa(): Promise<Issued<CertificateAuthority>> {
    const issuedAt = this.#clock.now();
    const lifetime = (this.#o.caLifetimeMs ?? 365 * DAY) + VALIDITY_RESOLUTION_MS;
    const value = await (await certificates()).createCertificateAuthority(`streamspace-webhook-ca-${++this.#generation}`, lifetime);
    return { value, renewAt: renewalTime(issuedAt, value.certPem) };
  }

  async #issue(ca: CertificateAuthority): Promise<Issued<ServingCertificate>> {
    const issuedAt = this.#clock.now();
    const validForMs = (this.#o.servingLifetimeMs ?? 90 * DAY) + VALIDITY_RESOLUTION_MS;
    const issued = await (await certificates()).issueServingCertificate(ca, { hosts: this.#o.hosts, validForMs });
    const value = { ...issued, notAfter: firstNotAfter(issued.certPem) };
    return { value, renewAt: renewalTime(issuedAt, value.certPem) };
  }

  #retryDelay(): number {
    return Math.min(1000, (this.#o.servingLifetimeMs ?? 90 * DAY) / 20);
  }
}

/** Options of {@link MountedCertificates}. */
export interface MountedCertificateOptions {
  /** Folder holding tls.crt, tls.key and (optionally) ca.crt, as a kubernetes.io/tls Secret mounts them. */
  dir: string;
  /** How often the files are checked for changes (default 10 s). */
  pollIntervalMs?: number;
  /** How long the API server needs to notice a changed configuration (default 5 s). */
  bundlePropagationMs?: number;
  clock?: Clock;
  logger?: Logger;
}

interface MountedFiles {
  certPem: string;
  keyPem: string;
  caPem: string;
}

/** See the module comment: certificates from mounted files (cert-manager). */
export class MountedCertificates implements CertificateSource {
  readonly #o: MountedCertificateOptions;
  readonly #clock: Clock;
  #files: MountedFiles | undefined;
  #serving: ServingCertificate | undefined;
  #bundle = '';

  constructor(opts: MountedCertificateOptions) {
    this.#o = opts;
    this.#clock = opts.clock ?? realClock;
  }

  async initialize(): Promise<void> {
    const files = this.#read();
    this.#serving = servingOf(files);
    this.#files = files;
    this.#bundle = files.caPem;
  }

  serving(): ServingCertificate {
    if (!this.#serving) throw new Error('certificates not initialized');
    return this.#serving;
  }

  caBundle(): string {
    return this.#bundle;
  }

  async run(signal: AbortSignal, consumer: CertificateConsumer): Promise<void> {
    while (!signal.aborted) {
      await sleep(this.#clock, this.#o.pollIntervalMs ?? 10_000, signal);
      if (signal.aborted) return;
      try {
        await this.#reload(signal, consumer);
      } catch (err) {
        // Typically a Secret update caught half-way (new certificate, old key): the next poll sees it whole.
        this.#o.logger?.warn({ err }, 'Mounted webhook certificate not usable yet, keeping the current one');
      }
    }
  }

  async #reload(signal: AbortSignal, consumer: CertificateConsumer): Promise<void> {
    const files = this.#read();
    const old = this.#files!;
    if (files.certPem === old.certPem && files.keyPem === old.keyPem && files.caPem === old.caPem) return;
    const serving = servingOf(files);
    if (files.caPem && files.caPem !== old.caPem) {
      const bundle = old.caPem && !files.caPem.includes(old.caPem) ? pemBundle(old.caPem, files.caPem) : files.caPem;
      await consumer.publishCaBundle(bundle);
      await sleep(this.#clock, this.#o.bundlePropagationMs ?? 5000, signal);
      this.#bundle = bundle;
      consumer.rotated?.('ca', firstNotAfter(files.caPem));
    }
    consumer.useServingCertificate(serving);
    [this.#files, this.#serving] = [files, serving];
    consumer.rotated?.('serving', serving.notAfter);
  }

  #read(): MountedFiles {
    const read = (name: string, optional = false): string => {
      const file = path.join(this.#o.dir, name);
      if (optional && !fs.existsSync(file)) return '';
      return ensureNewline(fs.readFileSync(file, 'utf8'));
    };
    return { certPem: read('tls.crt'), keyPem: read('tls.key'), caPem: read('ca.crt', true) };
  }
}

function ensureNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}

/** PEM blocks joined into one bundle, each on lines of its own (a block ending without a newline would run into the next). */
export function pemBundle(...pems: string[]): string {
  return pems.filter(Boolean).map(ensureNewline).join('');
}

/** Expiry of the first certificate in `pem`. */
function firstNotAfter(pem: string): Date {
  return new Date(new X509Certificate(pem).validTo);
}

/** Checks that the key matches the certificate (throws otherwise) and reads its expiry. */
function servingOf(files: MountedFiles): ServingCertificate {
  tls.createSecureContext({ cert: files.certPem, key: files.keyPem });
  return { certPem: files.certPem, keyPem: files.keyPem, notAfter: firstNotAfter(files.certPem) };
}
