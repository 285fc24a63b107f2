/**
 * Services: how the broker attaches one credential of an agent's vault to that agent's
 * requests to some hosts. Stored in the vault payload (`services`), so they are as
 * encrypted and authenticated as the credentials, and changed only by the owner.
 */
import { IntegrityError, UsageError } from '../errors.js';
import { checkCredentialKey } from '../ids.js';

/** How the value travels: an `Authorization` scheme, a header of its own, or a query parameter. */
export type AuthStyle =
  | { kind: 'bearer' }
  | { kind: 'basic' }
  | { kind: 'header'; name: string; prefix: string }
  | { kind: 'query'; name: string };

/** Where `--substitute` lets the broker replace a placeholder the client sent. */
export const SUBSTITUTION_PLACES = ['header', 'query', 'body'] as const;
export type SubstitutionPlace = (typeof SUBSTITUTION_PLACES)[number];

/** One stored service, as it lives in the decrypted payload. */
export interface Service {
  name: string;
  /** Host patterns, lower-case ASCII: `api.x.com`, `*.x.com` (one label), either with `:port` (default 443). */
  hosts: string[];
  /** The credential's key in the same vault. */
  credential: string;
  /** One field of it; absent for the main secret. */
  field?: string;
  /** `bearer`, `basic`, `header:NAME[:PREFIX]` or `query:NAME`, as given. */
  auth: string;
  /** Upper-case methods; absent for every method. */
  methods?: string[];
  /** Path globs (`*` within a segment, `**` across segments); absent for every path. */
  paths?: string[];
  substitute?: SubstitutionPlace[];
  allowPrivate?: boolean;
  created: string;
}

const SERVICE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const METHOD = /^[A-Z]+$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Throws a usage error unless `text` is a service name (lower-case, it also names an environment variable). */
export function checkServiceName(text: string): string {
  if (!SERVICE_NAME.test(text)) {
    throw new UsageError(`invalid service name ${JSON.stringify(text.slice(0, 40))}`, 'service names are 1 to 32 characters: lowercase letters, digits, - and _, starting with a letter');
  }
  return text;
}

/** The variable of a service's base URL: `AGENT_VAULT_URL_<NAME>`, upper-case with `_` for `-`. */
export function serviceUrlVariable(name: string): string {
  return `AGENT_VAULT_URL_${name.toUpperCase().replaceAll('-', '_')}`;
}

/** Parses `--auth`. A header name must be an HTTP token; `Host` and framing headers are refused. */
export function parseAuthStyle(text: string): AuthStyle {
  if (text === 'bearer' || text === 'basic') return { kind: text };
  const [kind, name, ...rest] = text.split(':');
  if (kind === 'header' && name && TOKEN.test(name) && !['host', 'content-length', 'transfer-encoding', 'connection'].includes(name.toLowerCase())) {
    return { kind: 'header', name, prefix: rest.join(':') };
  }
  if (kind === 'query' && name && rest.length === 0 && /^[A-Za-z0-9_.~-]+$/.test(name)) return { kind: 'query', name };
  throw new UsageError(`invalid --auth ${JSON.stringify(text.slice(0, 60))}`, 'use bearer, basic, header:NAME[:PREFIX] or query:NAME');
}

/** A host pattern in its one stored form, or a usage error: no scheme, path, userinfo, trailing dot or non-ASCII. */
export function normaliseHostPattern(text: string): string {
  const bad = (why: string): never => {
    throw new UsageError(`invalid --host ${JSON.stringify(text.slice(0, 80))}: ${why}`, 'give a host such as api.example.com, *.example.com or host:8443');
  };
  const lower = text.toLowerCase();
  const match = /^(\*\.)?([^:]+)(?::(\d{1,5}))?$/.exec(lower);
  if (!match) return bad('expected HOST, *.HOST or HOST:PORT');
  const [, wildcard, host, port] = match as unknown as [string, string | undefined, string, string | undefined];
  if (host.endsWith('.')) return bad('a trailing dot');
  const labels = host.split('.');
  const ipv4 = /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host);
  if (!ipv4 && (!labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels.at(-1)!))) return bad('not a DNS name of ASCII labels (give an IDN in its xn-- form)');
  if (wildcard && labels.length < 2) return bad('a wildcard needs a domain of at least two labels');
  if (ipv4 && (wildcard || !labels.every((l) => Number(l) <= 255 && String(Number(l)) === l))) return bad('not a valid IPv4 address');
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535 || String(Number(port)) !== port)) return bad('not a valid port');
  return `${wildcard ?? ''}${host}${port !== undefined && port !== '443' ? `:${port}` : ''}`;
}

/** Parses `--methods GET,POST`. */
export function parseMethods(text: string): string[] {
  const methods = [...new Set(text.split(',').map((m) => m.trim().toUpperCase()))];
  if (methods.length === 0 || !methods.every((m) => METHOD.test(m))) throw new UsageError(`invalid --methods ${JSON.stringify(text.slice(0, 60))}`, 'e.g. --methods GET,POST');
  return methods;
}

/** Checks a path glob: absolute, without a query, backslash or percent sign. */
export function checkPathGlob(text: string): string {
  if (!text.startsWith('/') || /[?#\\%\s]/.test(text)) throw new UsageError(`invalid --path ${JSON.stringify(text.slice(0, 80))}`, 'a glob starting with /, e.g. /v1/** (* within a segment, ** across segments)');
  return text;
}

/** Parses `--substitute header,query,body`. */
export function parseSubstitution(text: string): SubstitutionPlace[] {
  const places = [...new Set(text.split(',').map((p) => p.trim()))];
  if (!places.every((p): p is SubstitutionPlace => (SUBSTITUTION_PLACES as readonly string[]).includes(p))) {
    throw new UsageError(`invalid --substitute ${JSON.stringify(text.slice(0, 60))}`, `use a comma-separated list of ${SUBSTITUTION_PLACES.join(', ')}`);
  }
  return places;
}

/** `KEY` or `KEY/field`. */
export function parseCredentialRef(text: string): { credential: string; field?: string } {
  const [key, field, ...rest] = text.split('/');
  if (rest.length > 0 || field === '') throw new UsageError(`invalid --credential ${JSON.stringify(text.slice(0, 80))}`, 'give KEY or KEY/field');
  return { credential: checkCredentialKey(key!), ...(field === undefined ? {} : { field }) };
}

/** Adds or replaces the service of the same name; returns whether it replaced one. */
export function upsertService(services: Service[], service: Service): boolean {
  const at = services.findIndex((s) => s.name === service.name);
  if (at >= 0) services[at] = service;
  else services.push(service);
  return at >= 0;
}

/** Checks the payload's `services` as read, so a bug or an old writer cannot widen what a service allows. */
export function checkServices(value: unknown, agent: string): void {
  const fail = (): never => {
    throw new IntegrityError(`the services in the vault of agent ${agent} have an unsupported shape`);
  };
  if (!Array.isArray(value)) fail();
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');
  for (const s of value as Array<Record<string, unknown>>) {
    if (!s || typeof s !== 'object' || typeof s.name !== 'string' || !SERVICE_NAME.test(s.name) || !strings(s.hosts) || typeof s.credential !== 'string' ||
      typeof s.auth !== 'string' || typeof s.created !== 'string' || (s.field !== undefined && typeof s.field !== 'string') ||
      (s.methods !== undefined && !strings(s.methods)) || (s.paths !== undefined && !strings(s.paths)) || (s.substitute !== undefined && !strings(s.substitute)) ||
      (s.allowPrivate !== undefined && typeof s.allowPrivate !== 'boolean')) fail();
    try {
      parseAuthStyle(s.auth as string);
    } catch {
      fail();
    }
  }
}
