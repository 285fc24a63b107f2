/**
 * The broker's rules on one request, pure: which service a URL matches, how the
 * credential is attached, where placeholders may be replaced, and how a response is
 * scrubbed of the value. The I/O around them is app/broker/.
 */
import { UsageError } from '../errors.js';
import { parseAuthStyle, type Service, type SubstitutionPlace } from './service.js';

/** A request as the broker sees it: header names lower-case, the body whole. */
export interface BrokerRequest {
  method: string;
  url: URL;
  headers: Array<[string, string]>;
  body: Buffer;
}

/** What a service's credential is, resolved for one run. */
export interface ServiceSecret {
  value: string;
  /** For `basic`: the credential's `username` field, if it has one. */
  username?: string;
}

/** How a URL stands with a vault's services. */
export type ServiceMatch =
  | { kind: 'none' }
  /** A service host, but no service there allows the method: refused with 403. */
  | { kind: 'method'; service: Service }
  /** A service host and method, but a path outside every glob: sent without the credential. */
  | { kind: 'path'; service: Service }
  | { kind: 'match'; service: Service };

/**
 * Parses a request target strictly. The ambiguities that let a URL mean one host to a
 * checker and another to a client are refused rather than resolved: a backslash,
 * whitespace or control character, userinfo (`https://api.x.com@evil.com/`), and a
 * trailing dot. An IDN is compared in its punycode form, as the URL parser gives it.
 */
export function parseTarget(raw: string): URL {
  const bad = (why: string): never => {
    throw new UsageError(`refusing the URL: ${why}`, 'give a plain https://host/path URL');
  };
  if (/[\\\s\x00-\x1f\x7f]/.test(raw)) bad('it holds a backslash, whitespace or control character');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return bad('it is not a valid URL');
  }
  if (url.username !== '' || url.password !== '' || /^[a-z]+:\/\/[^/?#]*@/i.test(raw)) bad('it holds a user name or password');
  if (url.protocol !== 'https:' && url.protocol !== 'http:') bad(`the scheme ${url.protocol} is not http or https`);
  // The parser drops a trailing dot of an IPv4 host, so the text given is checked too.
  if (url.hostname.endsWith('.') || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*\.(?::\d*)?(?:[/?#]|$)/i.test(raw)) bad('its host ends with a dot');
  return url;
}

/** The URL's port, with the scheme's default. */
export function portOf(url: URL): number {
  return url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

function hostMatches(pattern: string, host: string, port: number): boolean {
  const [name, patternPort] = pattern.split(':') as [string, string | undefined];
  if (port !== (patternPort === undefined ? 443 : Number(patternPort))) return false;
  if (!name.startsWith('*.')) return host === name;
  const suffix = name.slice(1);
  // One label only, as a TLS wildcard certificate covers it.
  return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.') && host.length > suffix.length;
}

/** Whether any service covers `host:port` (whatever the method and path): the forward proxy intercepts only those. */
export function coversHost(services: readonly Service[], host: string, port: number): boolean {
  const name = host.toLowerCase();
  return services.some((s) => s.hosts.some((h) => hostMatches(h, name, port)));
}

/** A path glob as a regular expression: `*` within one segment, `**` across segments. */
function globPattern(glob: string): RegExp {
  const source = glob
    .split('**')
    .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
    .join('.*');
  return new RegExp(`^${source}$`);
}

/**
 * Whether a path is inside a service's globs. A path with an encoded slash, backslash,
 * dot or NUL is never inside one: a server may decode `/v1/..%2fadmin` to a path the
 * glob did not mean.
 */
export function pathAllowed(service: Service, path: string): boolean {
  if (service.paths === undefined) return true;
  if (/%(?:2f|5c|2e|00)/i.test(path)) return false;
  return service.paths.some((glob) => globPattern(glob).test(path));
}

/** The service a request goes to. Only https is ever credentialed; exact host patterns win over wildcards. */
export function matchService(services: readonly Service[], method: string, url: URL): ServiceMatch {
  if (url.protocol !== 'https:') return { kind: 'none' };
  const host = url.hostname.toLowerCase();
  const port = portOf(url);
  const exact = services.filter((s) => s.hosts.some((h) => !h.startsWith('*.') && hostMatches(h, host, port)));
  const wildcard = services.filter((s) => !exact.includes(s) && s.hosts.some((h) => hostMatches(h, host, port)));
  const candidates = [...exact, ...wildcard];
  if (candidates.length === 0) return { kind: 'none' };
  const methodOk = candidates.filter((s) => s.methods === undefined || s.methods.includes(method.toUpperCase()));
  if (methodOk.length === 0) return { kind: 'method', service: candidates[0]! };
  const full = methodOk.find((s) => pathAllowed(s, url.pathname));
  return full ? { kind: 'match', service: full } : { kind: 'path', service: methodOk[0]! };
}

/** The header value (or query value) a service sends, e.g. `Bearer sk-…`. */
export function attachedValue(service: Service, secret: ServiceSecret): { header?: string; query?: string; value: string } {
  const style = parseAuthStyle(service.auth);
  switch (style.kind) {
    case 'bearer':
      return { header: 'authorization', value: `Bearer ${secret.value}` };
    case 'basic': {
      // With a username field (a login) the pair is user:secret; without one the value
      // is the user name and the password empty, as Stripe-style APIs take an API key.
      const pair = secret.username !== undefined ? `${secret.username}:${secret.value}` : `${secret.value}:`;
      return { header: 'authorization', value: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}` };
    }
    case 'header':
      return { header: style.name.toLowerCase(), value: `${style.prefix}${secret.value}` };
    case 'query':
      return { query: style.name, value: secret.value };
  }
}

/** Sets the credential where the service says, replacing whatever the client sent there. */
export function attachCredential(request: BrokerRequest, service: Service, secret: ServiceSecret): void {
  const attached = attachedValue(service, secret);
  if (attached.header !== undefined) {
    request.headers = request.headers.filter(([name]) => name !== attached.header);
    request.headers.push([attached.header, attached.value]);
  } else {
    request.url.searchParams.set(attached.query!, attached.value);
  }
}

/**
 * Replaces each placeholder by its value in the places `allowed` names, and nowhere
 * else. In the query it works on the decoded parameter values, so the value goes out
 * URL-encoded.
 */
export function substitutePlaceholders(request: BrokerRequest, allowed: readonly SubstitutionPlace[], pairs: ReadonlyArray<{ placeholder: string; value: string }>): void {
  for (const { placeholder, value } of pairs) {
    if (allowed.includes('header')) request.headers = request.headers.map(([n, v]) => [n, v.replaceAll(placeholder, value)]);
    const params = request.url.searchParams;
    if (allowed.includes('query') && [...params.values()].some((v) => v.includes(placeholder))) {
      request.url.search = new URLSearchParams([...params.entries()].map(([name, text]): [string, string] => [name, text.replaceAll(placeholder, value)])).toString();
    }
    if (allowed.includes('body')) request.body = replaceBytes(request.body, placeholder, value);
  }
}

function replaceBytes(bytes: Buffer, from: string, to: string): Buffer {
  const text = bytes.toString('latin1');
  const needle = Buffer.from(from, 'utf8').toString('latin1');
  return text.includes(needle) ? Buffer.from(text.replaceAll(needle, Buffer.from(to, 'utf8').toString('latin1')), 'latin1') : bytes;
}

/** What a scrubbed value is replaced by. */
export const REDACTED = '[redacted by agent-vault]';

/**
 * Every form of a secret a response could carry it in: raw, URL-encoded, and base64
 * and base64url at each of the three byte alignments (the whole groups of it, so a
 * value inside a longer base64 text is found too). Forms shorter than 4 characters are
 * left out: scrubbing them would redact ordinary text.
 */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Set([secret, encodeURIComponent(secret)]);
  for (let start = 0; start < 3; start += 1) {
    const whole = bytes.subarray(start, start + Math.floor((bytes.length - start) / 3) * 3);
    if (whole.length === 0) continue;
    forms.add(whole.toString('base64'));
    forms.add(whole.toString('base64url'));
  }
  return [...forms].filter((f) => f.length >= 4);
}

/** The bytes with every form of every secret replaced by {@link REDACTED}. */
export function scrub(bytes: Buffer, secrets: readonly string[]): Buffer {
  let text = bytes.toString('latin1');
  let changed = false;
  // Longest first across every secret, so a whole `Basic <pair>` goes before the value inside it.
  for (const form of [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length)) {
    const needle = Buffer.from(form, 'utf8').toString('latin1');
    if (text.includes(needle)) {
      text = text.replaceAll(needle, REDACTED);
      changed = true;
    }
  }
  return changed ? Buffer.from(text, 'latin1') : bytes;
}

/** A text (a header value) with every form of every secret replaced. */
export function scrubText(text: string, secrets: readonly string[]): string {
  return scrub(Buffer.from(text, 'utf8'), secrets).toString('utf8');
}
