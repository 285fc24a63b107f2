import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AccessDeniedError, UsageError } from '../../core/errors.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { printJson } from '../render.js';
import { readTextFile } from '../secret-input.js';

interface HttpOptions {
  header?: string[];
  data?: string;
  include?: boolean;
  location?: boolean;
  upstreamCa?: string;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];
const METHOD = /^[A-Z]+$/;

export function registerHttp(program: Command, { io }: Deps): void {
  const command = program
    .command('http')
    .description('one request through the broker: the service\'s credential is attached, the response scrubbed of it; the agent never sees the value')
    // `http [METHOD] URL`: commander takes no optional argument before a required one.
    .argument('<METHOD|URL>', 'the method (GET, POST, …; default: GET, or POST with --data), or the URL')
    .argument('[URL]', 'an https:// URL of a service host, when the method comes first')
    .option('-H, --header <line>', "a request header, 'Name: value' (repeatable)", collect)
    .option('-d, --data <data>', 'the request body: @FILE, - for stdin, or the text itself')
    .option('-i, --include', 'print the status line and response headers before the body')
    .option('-L, --location', 'follow redirects (a redirect to another origin gets no credential)')
    .option('--upstream-ca <file>', 'also trust this PEM CA for the upstream (a private CA)')
    .action((first: string, second: string | undefined, options: HttpOptions, cmd: Command) => runHttp(Context.of(io, cmd), first, second, options));
  examples(command, [
    'agent-vault http https://api.openai.com/v1/models',
    "agent-vault http POST https://api.openai.com/v1/chat/completions -H 'Content-Type: application/json' --data @request.json",
    'agent-vault http https://api.github.com/user --include --json',
  ]);
}

/** One `-H` line, `Name: value`, checked: the name lower-cased, the value trimmed. */
export function parseHeader(line: string): [string, string] {
  const at = line.indexOf(':');
  const name = at > 0 ? line.slice(0, at).trim() : '';
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(line)) throw new UsageError(`invalid header ${JSON.stringify(line.slice(0, 60))}`, "give it as 'Name: value'");
  return [name.toLowerCase(), line.slice(at + 1).trim()];
}

async function readBody(ctx: Context, data: string | undefined): Promise<Buffer> {
  if (data === undefined) return Buffer.alloc(0);
  if (data === '-') return ctx.io.readStdin('the request body');
  if (data.startsWith('@')) {
    try {
      return readFileSync(data.slice(1));
    } catch (err) {
      throw new UsageError(`cannot read the request body from ${data.slice(1)}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  }
  return Buffer.from(data, 'utf8');
}

export async function runHttp(ctx: Context, first: string, second: string | undefined, options: HttpOptions): Promise<void> {
  const [method, url] = second === undefined ? [options.data === undefined ? 'GET' : 'POST', first] : [first.toUpperCase(), second];
  if (!METHOD.test(method)) throw new UsageError(`invalid method ${JSON.stringify(method.slice(0, 20))}`);
  const headers = (options.header ?? []).map(parseHeader);
  const upstreamCa = options.upstreamCa === undefined ? undefined : readTextFile(options.upstreamCa, 'upstream CA file');
  const body = await readBody(ctx, options.data);
  const session = await ctx.session();
  const agent = ctx.agent(session);
  // The broker's code (and later its certificate code) loads only for the commands that use it.
  const { Broker } = await import('../../app/broker/engine.js');
  const broker = await Broker.open(session, agent, upstreamCa === undefined ? {} : { upstreamCa });
  const outcome = await broker.handle({ method, url, headers, body }, { follow: options.location === true });
  if (outcome.kind === 'unmatched') {
    await broker.recordUnmatched(method, outcome.url);
    throw new AccessDeniedError(`no service of agent ${agent} covers ${outcome.url.protocol}//${outcome.url.host}`, `the owner adds one with: agent-vault service add NAME --agent ${agent} --host ${outcome.url.host} …`);
  }
  if (outcome.kind === 'refused') throw new AccessDeniedError(`${outcome.reason} (403)`, 'see its methods with: agent-vault service list');
  const { response } = outcome;
  if (ctx.mode.json) {
    printJson(ctx.io, {
      status_code: response.status,
      service: outcome.service || null,
      credentialed: outcome.credentialed,
      headers: Object.fromEntries(response.headers.reduce((m, [n, v]) => m.set(n, m.has(n) ? `${m.get(n)}, ${v}` : v), new Map<string, string>())),
      body: response.body.toString('utf8'),
    });
    return;
  }
  if (options.include) ctx.io.out(`HTTP ${response.status}\r\n${response.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`);
  ctx.io.stdout.write(response.body);
}
