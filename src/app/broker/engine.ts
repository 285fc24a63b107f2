/**
 * The one broker engine: every entry point (`http`, and later `exec --broker` and
 * `proxy`) hands it a request, and it decides, attaches, sends, scrubs and records by
 * the same rules. The agent's vault is unlocked once, when the broker opens; the values
 * stay in this process and are never handed back to the caller.
 */
import { readField } from '../../core/credential.js';
import { AccessDeniedError, NotFoundError } from '../../core/errors.js';
import {
  attachCredential,
  attachedValue,
  coversHost,
  matchService,
  parseTarget,
  scrub,
  scrubText,
  substitutePlaceholders,
  type BrokerRequest,
  type ServiceSecret,
} from '../../core/broker/rules.js';
import type { Service } from '../../core/broker/service.js';
import { findCredential } from '../../core/vault.js';
import type { Session } from '../session.js';
import { sendUpstream, type UpstreamResponse } from './upstream.js';

/** The largest response the broker reads (after decoding), so a hostile upstream cannot exhaust memory. */
export const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
const TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 5;
/** Headers that describe one connection, not the request: never forwarded. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host', 'content-length', 'accept-encoding'];

/** How a broker is opened. */
export interface BrokerOptions {
  /** PEM text of a CA trusted for upstreams besides Node's roots. */
  upstreamCa?: string;
  /** Each service's placeholder, by service name, that `--substitute` may replace. */
  placeholders?: ReadonlyMap<string, string>;
  maxResponseBytes?: number;
}

/** A request as an entry point received it. */
export interface IncomingRequest {
  method: string;
  url: string;
  headers: Array<[string, string]>;
  body: Buffer;
}

/** What the broker made of a request. */
export type BrokerOutcome =
  /** Sent (with or without the credential); the response is scrubbed. */
  | { kind: 'sent'; service: string; credentialed: boolean; response: UpstreamResponse }
  /** No service's host: the entry point decides (`http` refuses, the proxy tunnels). */
  | { kind: 'unmatched'; url: URL }
  /** A service host, but a method no service there allows: 403. */
  | { kind: 'refused'; service: string; reason: string };

/** The placeholder of service NAME in `http` requests: `{{av:NAME}}`. */
export const httpPlaceholder = (name: string): string => `{{av:${name}}}`;

export class Broker {
  private constructor(
    private readonly session: Session,
    private readonly agent: string,
    private readonly services: Service[],
    private readonly secrets: Map<string, ServiceSecret>,
    private readonly options: BrokerOptions,
  ) {}

  /**
   * Unlocks `agent`'s vault and resolves each service's credential. A service whose
   * credential is gone is kept, and refused (exit 3) when a request matches it.
   */
  static async open(session: Session, agent: string, options: BrokerOptions = {}): Promise<Broker> {
    const { payload } = await session.unlock(agent);
    const secrets = new Map<string, ServiceSecret>();
    for (const service of payload.services ?? []) {
      const credential = findCredential(payload, service.credential);
      if (!credential) continue;
      try {
        const value = readField(credential, service.field);
        const username = service.field !== 'username' ? credential.fields.username : undefined;
        secrets.set(service.name, { value, ...(username !== undefined ? { username } : {}) });
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    return new Broker(session, agent, payload.services ?? [], secrets, options);
  }

  /** The vault's services. */
  get serviceList(): readonly Service[] {
    return this.services;
  }

  /** Whether some service covers `host:port`: the forward proxy intercepts those and tunnels the rest. */
  covers(host: string, port: number): boolean {
    return coversHost(this.services, host, port);
  }

  /** Every text a response must not carry: each value and each attached form of it (a Basic pair's base64). */
  private secretTexts(): string[] {
    const texts: string[] = [];
    for (const service of this.services) {
      const secret = this.secrets.get(service.name);
      if (!secret) continue;
      texts.push(secret.value, attachedValue(service, secret).value);
    }
    return texts;
  }

  /** Scrubs a text (an error message, a header) of every value this broker holds. */
  scrubText(text: string): string {
    return scrubText(text, this.secretTexts());
  }

  /**
   * Handles one request by the broker's rules. With `follow`, redirects are followed
   * (at most 5); a hop to another origin carries neither the credential nor substitutions.
   */
  async handle(incoming: IncomingRequest, options: { follow?: boolean } = {}): Promise<BrokerOutcome> {
    let url = parseTarget(incoming.url);
    const origin = url.origin;
    let method = incoming.method.toUpperCase();
    let body = incoming.body;
    let allowPrivate = false;
    for (let hop = 0; ; hop += 1) {
      const sameOrigin = url.origin === origin;
      const match = sameOrigin ? matchService(this.services, method, url) : { kind: 'none' as const };
      if (match.kind === 'none') {
        if (hop === 0) return { kind: 'unmatched', url };
        // A redirect elsewhere: followed as any client would, with nothing of ours attached,
        // and to a private address only if the service it came from may reach one.
        const response = await this.send({ method, url, headers: this.forwardable(incoming.headers), body }, allowPrivate);
        return { kind: 'sent', service: '', credentialed: false, response: this.scrubbed(response) };
      }
      const { service } = match;
      allowPrivate = service.allowPrivate === true;
      if (match.kind === 'method') {
        await this.record(service, method, url, 0, 0, 'denied', `method ${method} not allowed`);
        return { kind: 'refused', service: service.name, reason: `service ${service.name} does not allow ${method}` };
      }
      const request: BrokerRequest = { method, url: new URL(url.href), headers: this.forwardable(incoming.headers), body };
      const credentialed = match.kind === 'match';
      if (credentialed) {
        const secret = this.secrets.get(service.name);
        if (!secret) {
          await this.record(service, method, url, 0, 0, 'not_found', 'credential missing');
          throw new NotFoundError(`service ${service.name} uses ${service.credential}${service.field ? `/${service.field}` : ''}, which is not in the vault of agent ${this.agent}`);
        }
        const placeholder = this.options.placeholders?.get(service.name) ?? httpPlaceholder(service.name);
        substitutePlaceholders(request, service.substitute ?? [], [{ placeholder, value: secret.value }]);
        attachCredential(request, service, secret);
      }
      let response: UpstreamResponse;
      try {
        response = await this.send(request, service.allowPrivate === true);
      } catch (err) {
        await this.record(service, method, url, 0, 0, err instanceof AccessDeniedError ? 'denied' : 'error', err instanceof Error ? this.scrubText(err.message) : undefined);
        throw err;
      }
      const scrubbed = this.scrubbed(response);
      await this.record(service, method, url, response.status, response.body.length, 'ok', credentialed ? undefined : 'path outside the service: sent without the credential');
      const location = response.headers.find(([n]) => n === 'location')?.[1];
      if (!options.follow || location === undefined || ![301, 302, 303, 307, 308].includes(response.status) || hop >= MAX_REDIRECTS) {
        return { kind: 'sent', service: service.name, credentialed, response: scrubbed };
      }
      url = parseTarget(new URL(location, url).href);
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = Buffer.alloc(0);
      }
    }
  }

  private forwardable(headers: Array<[string, string]>): Array<[string, string]> {
    return headers.map(([n, v]): [string, string] => [n.toLowerCase(), v]).filter(([n]) => !HOP_BY_HOP.includes(n));
  }

  private send(request: BrokerRequest, allowPrivate: boolean): Promise<UpstreamResponse> {
    return sendUpstream(request, {
      ...(this.options.upstreamCa ? { ca: this.options.upstreamCa } : {}),
      allowPrivate,
      maxBytes: this.options.maxResponseBytes ?? MAX_RESPONSE_BYTES,
      timeoutMs: TIMEOUT_MS,
    });
  }

  /** The response with every form of every value removed from its body and headers. */
  private scrubbed(response: UpstreamResponse): UpstreamResponse {
    const secrets = this.secretTexts();
    return { status: response.status, headers: response.headers.map(([n, v]) => [n, scrubText(v, secrets)]), body: scrub(response.body, secrets) };
  }

  /** One `broker.request` line in the agent's log: never a value, and the path without its query. */
  private record(service: Service, method: string, url: URL, status: number, bytes: number, result: 'ok' | 'denied' | 'error' | 'not_found', reason?: string): Promise<void> {
    return this.session.audit.record(this.agent, {
      action: 'broker.request',
      key: service.credential,
      service: service.name,
      request: { method, host: url.host, path: url.pathname, status, bytes },
      result,
      ...(reason === undefined ? {} : { reason }),
    });
  }

  /** Records a request no service matched, refused by an entry point that needs a match. */
  recordUnmatched(method: string, url: URL): Promise<void> {
    return this.session.audit.record(this.agent, {
      action: 'broker.request',
      request: { method: method.toUpperCase(), host: url.host, path: url.pathname, status: 0, bytes: 0 },
      result: 'denied',
      reason: 'no service matches',
    });
  }
}
