/**
 * Certificate authority and serving certificates, used by the embedded control plane (its HTTPS
 * endpoint) and by the webhook server (its caBundle). ECDSA P-256 keys through WebCrypto: fast to
 * generate (milliseconds, so a test control plane starts in well under a second) and accepted by
 * kubectl, client-go and Node's TLS stack.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A PEM certificate with its PEM private key. */
export interface KeyPair {
  certPem: string;
  keyPem: string;
  /** When the certificate stops being valid. */
  notAfter: Date;
}

/** A certificate authority that can sign serving certificates. */
export interface CertificateAuthority extends KeyPair {
  keys: CryptoKeyPair;
  cert: x509.X509Certificate;
}

/** Options for a serving certificate. */
export interface ServingCertOptions {
  /** DNS names; IP addresses are recognised and put in IP SANs. */
  hosts: string[];
  validForMs: number;
  commonName?: string;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

function randomSerial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

/** Creates a new self-signed certificate authority valid for `validForMs`. */
export async function createCertificateAuthority(commonName: string, validForMs: number): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + validForMs);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(), name: `CN=${commonName}`, notBefore, notAfter, keys,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { keys, cert, certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey), notAfter };
}

function subjectAltNames(hosts: string[]): x509.SubjectAlternativeNameExtension {
  const isIp = (h: string) => /^[\d.]+$/.test(h) || h.includes(':');
  return new x509.SubjectAlternativeNameExtension(hosts.map((h) => ({ type: isIp(h) ? 'ip' : 'dns', value: h })));
}

/** Issues a TLS serving certificate for `hosts`, signed by `ca`. */
export async function issueServingCertificate(ca: CertificateAuthority, opts: ServingCertOptions): Promise<KeyPair> {
  const keys = await generateKeys();
  const notAfter = new Date(Math.min(Date.now() + opts.validForMs, ca.notAfter.getTime()));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(), subject: `CN=${opts.commonName ?? opts.hosts[0]}`, issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - 60_000), notAfter, signingKey: ca.keys.privateKey, publicKey: keys.publicKey,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false),
      subjectAltNames(opts.hosts),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyPem(keys.privateKey), notAfter };
}

/** Re-creates a CertificateAuthority from PEM files kept on disk, so a restart keeps the same CA. */
export async function loadCertificateAuthority(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  const cert = new x509.X509Certificate(certPem);
  const der = x509.PemConverter.decodeFirst(keyPem);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, true, ['sign']);
  const publicKey = await cert.publicKey.export(KEY_ALGORITHM, ['verify']);
  return { keys: { privateKey, publicKey } as CryptoKeyPair, cert, certPem, keyPem, notAfter: cert.notAfter };
}
