/**
 * A local HTTPS server for broker tests, on 127.0.0.1 with the test CA of
 * test/fixtures/broker: it answers every request with a JSON echo of what it received
 * (so a test sees what the upstream got, and that the response reaching the agent was
 * scrubbed), `/redirect?to=URL` with a 302 to that URL, `/header-echo` with the
 * request's Authorization header echoed in a response header, and `/gzip-echo` with the
 * echo gzipped whatever the request accepts.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const FIXTURES = join(import.meta.dirname, '../fixtures/broker');
/** The test CA's certificate file, for `--upstream-ca`. */
export const TEST_CA_FILE = join(FIXTURES, 'ca.pem');

/** One request as the upstream received it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class EchoServer {
  readonly seen: SeenRequest[] = [];
  private server: Server | undefined;

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  async start(): Promise<this> {
    this.server = createServer({ key: readFileSync(join(FIXTURES, 'server.key')), cert: readFileSync(join(FIXTURES, 'server.pem')) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const seen: SeenRequest = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.seen.push(seen);
        const url = new URL(req.url!, 'https://x');
        if (url.pathname === '/redirect') {
          res.writeHead(302, { location: url.searchParams.get('to')! }).end();
          return;
        }
        if (url.pathname === '/gzip-echo') {
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(JSON.stringify(seen)));
          return;
        }
        const extra = url.pathname === '/header-echo' ? { 'x-echo-authorization': String(req.headers.authorization ?? '') } : {};
        res.writeHead(200, { 'content-type': 'application/json', ...extra }).end(JSON.stringify(seen));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    if (this.server) await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}
