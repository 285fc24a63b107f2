/**
 * The per-run certificate authority of `exec --broker`: a fresh ECDSA P-256 key pair
 * whose private key is a non-extractable WebCrypto key, so it exists only in this
 * process's memory and is never written anywhere; a self-signed CA certificate (the
 * only thing the child is given, as a file); and a leaf certificate per service host,
 * made on first use, with one leaf key pair for the run. Loaded (with @peculiar/x509)
 * only by the broker's commands: scripts/bundle.mjs bundles it apart.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { isIpLiteral } from '../../core/broker/address.js';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

x509.cryptoProvider.set(webcrypto as never);

/** A TLS identity for one host: PEM certificate and PEM private key, for node:tls. */
export interface HostIdentity {
  cert: string;
  key: string;
}

/** One run's CA. */
export interface RunAuthority {
  /** The CA certificate, PEM: the one file the child gets. */
  certificatePem: string;
  /** The identity for `host` (a DNS name or an IP address), signed by this CA. */
  identityFor(host: string): Promise<HostIdentity>;
}

function serial(): string {
  // Positive, 16 random bytes.
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f;
  return Buffer.from(bytes).toString('hex');
}

function pemKey(der: ArrayBuffer): string {
  const body = Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN PRIVATE KEY-----\n${body}\n-----END PRIVATE KEY-----\n`;
}

/** Makes a CA for one run. Its certificate is valid from a minute ago for one day, and names only itself. */
export async function createRunAuthority(now: Date): Promise<RunAuthority> {
  const notBefore = new Date(now.getTime() - 60_000);
  const notAfter = new Date(now.getTime() + DAY_MS);
  // Not extractable: nothing, not even this process, can export the CA's private key.
  const caKeys = await webcrypto.subtle.generateKey(ALGORITHM, false, ['sign', 'verify']);
  const name = `CN=agent-vault broker run CA ${serial().slice(0, 8)}`;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    notBefore,
    notAfter,
    keys: caKeys as never,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey as never),
    ],
  });
  // The leaves' key must be handed to node:tls, so it is extractable; it is worth nothing without the CA's signature on a leaf.
  const leafKeys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const leafKeyPem = pemKey(await webcrypto.subtle.exportKey('pkcs8', leafKeys.privateKey));
  const issued = new Map<string, Promise<HostIdentity>>();
  const issue = async (host: string): Promise<HostIdentity> => {
    const san = isIpLiteral(host) ? { type: 'ip' as const, value: host.replace(/^\[|\]$/g, '') } : { type: 'dns' as const, value: host };
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: `CN=${isIpLiteral(host) ? 'agent-vault broker' : host}`,
      issuer: ca.subject,
      notBefore,
      notAfter,
      publicKey: leafKeys.publicKey as never,
      signingKey: caKeys.privateKey as never,
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([san]),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey as never),
      ],
    });
    return { cert: leaf.toString('pem'), key: leafKeyPem };
  };
  return {
    certificatePem: ca.toString('pem'),
    identityFor(host) {
      const key = host.toLowerCase();
      if (!issued.has(key)) issued.set(key, issue(key));
      return issued.get(key)!;
    },
  };
}
