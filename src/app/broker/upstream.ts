/**
 * One request to an upstream over https, for the broker: no connection pooling, a
 * check of every address the host resolves to and of the address actually connected to
 * (a DNS answer can change between the two: checking only the lookup would let a
 * rebinding host reach 127.0.0.1), a whole-response size cap, and a decoded body so the
 * broker can scrub it.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { AccessDeniedError, VaultError } from '../../core/errors.js';
import { isIpLiteral, isPrivateAddress } from '../../core/broker/address.js';
import { portOf } from '../../core/broker/rules.js';

/** An upstream that could not be reached or answered badly (exit 1). */
export class UpstreamError extends VaultError {
  override readonly code = 'upstream';
}

/** How one upstream request is made. */
export interface UpstreamOptions {
  /** PEM certificates trusted besides Node's own roots (`--upstream-ca`). */
  ca?: string;
  allowPrivate: boolean;
  maxBytes: number;
  timeoutMs: number;
}

/** An upstream's answer: lower-case header names, the body decoded and whole. */
export interface UpstreamResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

function privateRefusal(host: string, address: string): AccessDeniedError {
  return new AccessDeniedError(
    `refusing ${host}: it resolves to the private, loopback or link-local address ${address}`,
    'if the service really lives there, add it again with --allow-private',
  );
}

/** A `lookup` for node:https that fails when any address of the host is private (unless allowed). */
function checkedLookup(allowPrivate: boolean) {
  return (hostname: string, options: object, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const bad = allowPrivate ? undefined : addresses.find((a) => isPrivateAddress(a.address));
      if (bad) return callback(privateRefusal(hostname, bad.address), '');
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

function decode(body: Buffer, encoding: string | undefined, maxBytes: number): Buffer {
  const options = { maxOutputLength: maxBytes };
  switch ((encoding ?? 'identity').trim().toLowerCase()) {
    case 'identity':
    case '':
      return body;
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body, options);
    case 'deflate':
      return inflateSync(body, options);
    case 'br':
      return brotliDecompressSync(body, options);
    default:
      throw new UpstreamError(`the upstream answered with the content encoding ${JSON.stringify(encoding)}, which the broker cannot scrub`);
  }
}

/** Sends one request over https and reads the whole response (at most `maxBytes`, decoded). */
export function sendUpstream(
  request: { method: string; url: URL; headers: Array<[string, string]>; body: Buffer },
  options: UpstreamOptions,
): Promise<UpstreamResponse> {
  const { url } = request;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol !== 'https:') return Promise.reject(new AccessDeniedError(`refusing ${url.protocol}// to ${host}: the broker sends credentials over https only`));
  if (isIpLiteral(host) && !options.allowPrivate && isPrivateAddress(host)) return Promise.reject(privateRefusal(host, host));
  const headers: Record<string, string[]> = {};
  for (const [name, value] of request.headers) (headers[name] ??= []).push(value);
  // Identity only, so the body can be scrubbed; a server that compresses anyway is decoded.
  headers['accept-encoding'] = ['identity'];
  if (request.body.length > 0 || !['GET', 'HEAD', 'OPTIONS', 'DELETE'].includes(request.method)) headers['content-length'] = [String(request.body.length)];
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      host,
      port: portOf(url),
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers,
      agent: false,
      ...(isIpLiteral(host) ? {} : { servername: host }),
      ...(options.ca ? { ca: [...rootCertificates, options.ca] } : {}),
      lookup: checkedLookup(options.allowPrivate),
      timeout: options.timeoutMs,
    });
    req.on('socket', (socket) => {
      socket.once('connect', () => {
        const address = socket.remoteAddress ?? '';
        if (!options.allowPrivate && isPrivateAddress(address)) req.destroy(privateRefusal(host, address));
      });
    });
    req.on('timeout', () => req.destroy(new UpstreamError(`${host} did not answer within ${Math.round(options.timeoutMs / 1000)} s`)));
    req.on('error', (err) => reject(err instanceof VaultError ? err : new UpstreamError(`could not reach ${host}: ${(err as NodeJS.ErrnoException).code ?? err.message}`)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          req.destroy(new UpstreamError(`the response of ${host} is larger than ${options.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', (err) => reject(err instanceof VaultError ? err : new UpstreamError(`the response of ${host} broke off: ${err.message}`)));
      res.on('end', () => {
        try {
          const body = decode(Buffer.concat(chunks), res.headers['content-encoding'] as string | undefined, options.maxBytes);
          const out: Array<[string, string]> = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            const name = res.rawHeaders[i]!.toLowerCase();
            if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(name)) out.push([name, res.rawHeaders[i + 1]!]);
          }
          resolve({ status: res.statusCode ?? 0, headers: out, body });
        } catch (err) {
          reject(err instanceof VaultError ? err : new UpstreamError(`the response of ${host} could not be decoded`));
        }
      });
    });
    req.end(request.body);
  });
}
