/**
 * The broker as a local server, for `exec --broker` (and `proxy`): on 127.0.0.1 only,
 *
 * - a forward proxy, for clients that honour HTTPS_PROXY: every use needs the run's
 *   proxy password (407 otherwise), so no other local process can borrow it; a CONNECT
 *   to a service host is answered with a certificate of the run's CA and its requests go
 *   through the engine; a CONNECT elsewhere is tunnelled untouched (or refused with 403
 *   with `denyUnmatched`); plain-http requests are forwarded, but never to a service
 *   host, whose credential goes over https only;
 * - a base-URL route per service, `http://127.0.0.1:PORT/<service>/…`, for clients that
 *   take a base URL instead (most SDKs, Node 20's fetch): it forwards over https to the
 *   service's host, and accepts only requests that carry the run's placeholder for the
 *   service (as the client's own API key) and no browser `Origin`, so neither another
 *   process nor a web page the user visits can use it.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { AccessDeniedError, NotFoundError, UsageError, VaultError } from '../../core/errors.js';
import type { Broker, BrokerOutcome } from './engine.js';
import type { RunAuthority } from './certificates.js';

const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
/** The user name of the proxy's credentials; the password is the run's. */
export const PROXY_USER = 'agent-vault';

export interface ProxyOptions {
  broker: Broker;
  authority: RunAuthority;
  /** The run's proxy password. */
  password: string;
  /** Each service's placeholder, by service name, for the base-URL routes. */
  placeholders: ReadonlyMap<string, string>;
  /** Each routed service's upstream origin (`https://host[:port]`), by service name. */
  routes: ReadonlyMap<string, string>;
  denyUnmatched: boolean;
  port?: number;
}

/** A running broker server. */
export interface RunningProxy {
  port: number;
  close(): Promise<void>;
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether a request carries `Proxy-Authorization: Basic agent-vault:<password>`. */
function proxyAuthorised(req: IncomingMessage, password: string): boolean {
  const header = req.headers['proxy-authorization'];
  const match = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim()) : null;
  return match !== null && sameText(Buffer.from(match[1]!, 'base64').toString('utf8'), `${PROXY_USER}:${password}`);
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new UsageError(`the request body is larger than ${MAX_REQUEST_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function headerPairs(req: IncomingMessage): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
  return pairs;
}

function answer(res: ServerResponse, status: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) + 1 }).end(`${text}\n`);
}

/** `host:port` of a CONNECT target, or undefined. */
function splitAuthority(text: string): { host: string; port: number } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]/\s]+):(\d{1,5})$/.exec(text);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) return undefined;
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port: Number(match[2]) };
}

/** Starts the broker's server on 127.0.0.1. */
export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const { broker } = options;
  const origins = new WeakMap<Socket, string>();
  const sockets = new Set<Socket>();

  /** Sends a request through the engine and writes what it made of it. */
  const viaEngine = async (res: ServerResponse, method: string, url: string, headers: Array<[string, string]>, body: Buffer): Promise<void> => {
    let outcome: BrokerOutcome;
    try {
      outcome = await broker.handle({ method, url, headers, body });
    } catch (err) {
      const status = err instanceof UsageError ? 400 : err instanceof AccessDeniedError ? 403 : err instanceof NotFoundError ? 404 : 502;
      answer(res, status, `agent-vault broker: ${err instanceof VaultError ? broker.scrubText(err.message) : 'the request failed'}`);
      return;
    }
    if (outcome.kind === 'refused') return answer(res, 403, `agent-vault broker: ${outcome.reason}`);
    if (outcome.kind === 'unmatched') return answer(res, 403, 'agent-vault broker: no service covers this URL');
    const { response } = outcome;
    const out: Record<string, string[]> = {};
    for (const [name, value] of response.headers) (out[name] ??= []).push(value);
    out['content-length'] = [String(response.body.length)];
    res.writeHead(response.status, out).end(response.body);
  };

  /** Requests decrypted from an intercepted CONNECT: their origin is the CONNECT's target. */
  const intercepted = createServer((req, res) => {
    const origin = origins.get(req.socket);
    if (origin === undefined) return answer(res, 400, 'agent-vault broker: no target');
    void readBody(req).then(
      (body) => viaEngine(res, req.method ?? 'GET', `${origin}${req.url ?? '/'}`, headerPairs(req), body),
      () => answer(res, 413, 'agent-vault broker: request too large'),
    );
  });

  /** A base-URL route: `/<service>/rest…` to the service's origin. */
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.headers.origin !== undefined) return answer(res, 403, 'agent-vault broker: requests from a browser page (with an Origin header) are refused');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, name = '', ...rest] = url.pathname.split('/');
    const upstream = options.routes.get(name);
    const placeholder = options.placeholders.get(name);
    if (upstream === undefined || placeholder === undefined) return answer(res, 404, `agent-vault broker: no route ${JSON.stringify(name.slice(0, 40))}`);
    const headers = headerPairs(req);
    // The placeholder is what proves the caller is the run's child: no other process knows it.
    const carries = headers.some(([, v]) => v.includes(placeholder)) || [...url.searchParams.values()].some((v) => v.includes(placeholder));
    if (!carries) return answer(res, 401, `agent-vault broker: the route ${name} needs the run's placeholder as the API key`);
    const body = await readBody(req).catch(() => undefined);
    if (body === undefined) return answer(res, 413, 'agent-vault broker: request too large');
    await viaEngine(res, req.method ?? 'GET', `${upstream}/${rest.join('/')}${url.search}`, headers, body);
  };

  /** A plain-http proxy request (`GET http://host/…`): forwarded, but never to a service host. */
  const forwardPlain = (req: IncomingMessage, res: ServerResponse): void => {
    let url: URL;
    try {
      url = new URL(req.url!);
    } catch {
      return answer(res, 400, 'agent-vault broker: bad request target');
    }
    if (url.protocol !== 'http:') return answer(res, 400, 'agent-vault broker: only http:// is proxied this way; https goes through CONNECT');
    if (broker.covers(url.hostname, Number(url.port || 80)) || broker.covers(url.hostname, 443)) {
      return answer(res, 403, 'agent-vault broker: a service host is reached over https only');
    }
    if (options.denyUnmatched) return answer(res, 403, 'agent-vault broker: no service covers this host (--deny-unmatched)');
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([n]) => !['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive'].includes(n)));
    const upstream = httpRequest({ host: url.hostname, port: Number(url.port || 80), path: `${url.pathname}${url.search}`, method: req.method, headers, agent: false }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => answer(res, 502, `agent-vault broker: could not reach ${url.host}`));
    req.pipe(upstream);
  };

  const server: Server = createServer((req, res) => {
    if ((req.url ?? '').startsWith('/')) {
      void route(req, res);
      return;
    }
    if (!proxyAuthorised(req, options.password)) {
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="agent-vault"', 'content-length': 0 }).end();
      return;
    }
    forwardPlain(req, res);
  });

  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (!proxyAuthorised(req, options.password)) {
      socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="agent-vault"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const target = splitAuthority(req.url ?? '');
    if (!target) return refuse('400 Bad Request');
    if (broker.covers(target.host, target.port)) {
      void options.authority.identityFor(target.host).then((identity) => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) socket.unshift(head);
        const tls = new TLSSocket(socket, { isServer: true, cert: identity.cert, key: identity.key, ALPNProtocols: ['http/1.1'] });
        tls.on('error', () => tls.destroy());
        origins.set(tls, `https://${target.host.includes(':') ? `[${target.host}]` : target.host}${target.port === 443 ? '' : `:${target.port}`}`);
        intercepted.emit('connection', tls);
      }, () => refuse('502 Bad Gateway'));
      return;
    }
    if (options.denyUnmatched) return refuse('403 Forbidden');
    let established = false;
    const upstream = connect(target.port, target.host, () => {
      established = true;
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => (established ? socket.destroy() : refuse('502 Bad Gateway')));
    socket.on('close', () => upstream.destroy());
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Loopback only: nothing off this machine can reach the broker.
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        intercepted.close();
      }),
  };
}
