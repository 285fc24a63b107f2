import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import {
  checkPathGlob,
  checkServiceName,
  normaliseHostPattern,
  parseAuthStyle,
  parseCredentialRef,
  parseMethods,
  parseSubstitution,
  type Service,
} from '../../core/broker/service.js';
import { addService, listServices, removeService } from '../../app/services.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson, printTable } from '../render.js';

interface AddOptions {
  host?: string[];
  credential?: string;
  auth?: string;
  methods?: string;
  path?: string[];
  substitute?: string;
  allowPrivate?: boolean;
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function registerService(program: Command, { io }: Deps): void {
  const service = program
    .command('service')
    .description('services: how the broker attaches a credential to an agent\'s requests to some hosts (owner only)');

  const add = service
    .command('add')
    .description('add (or replace) a service in the vault of --agent')
    .argument('<NAME>', 'lowercase name; also names AGENT_VAULT_URL_<NAME>')
    .option('--host <pattern>', 'a host the service covers: api.example.com, *.example.com (one label) or host:port (repeatable; required)', collect)
    .option('--credential <KEY[/field]>', 'the credential whose value is attached (its main secret, or one field) (required)')
    .option('--auth <style>', 'bearer, basic, header:NAME[:PREFIX] or query:NAME (required)')
    .option('--methods <list>', 'only these methods, comma-separated (default: every method); others are refused with 403')
    .option('--path <glob>', 'only paths matching this glob get the credential: * within a segment, ** across (repeatable; default: every path)', collect)
    .option('--substitute <places>', 'also replace the placeholder {{av:NAME}} in header, query and/or body (comma-separated; default: nowhere)')
    .option('--allow-private', 'let the host resolve to a loopback, private or link-local address')
    .action((name: string, options: AddOptions, cmd: Command) => runServiceAdd(Context.of(io, cmd), name, options));
  examples(add, [
    'agent-vault service add openai --agent bot --host api.openai.com --credential OPENAI_API_KEY --auth bearer',
    'agent-vault service add github --agent bot --host api.github.com --credential GITHUB --auth header:Authorization:token\\  --methods GET --path "/repos/acme/**"',
    'agent-vault service add maps --agent bot --host maps.example.com --credential MAPS_KEY --auth query:key',
  ]);

  const list = service
    .command('list')
    .alias('ls')
    .description('list the services of a vault (the owner, or the agent itself)')
    .action((_options: unknown, cmd: Command) => runServiceList(Context.of(io, cmd)));
  examples(list, ['agent-vault service list --agent bot', 'AGENT_VAULT_TOKEN_FILE=bot.token agent-vault service list --json']);

  const remove = service
    .command('remove')
    .alias('rm')
    .description('remove a service from the vault of --agent')
    .argument('<NAME>', 'the service')
    .action((name: string, _options: unknown, cmd: Command) => runServiceRemove(Context.of(io, cmd), name));
  examples(remove, ['agent-vault service remove openai --agent bot', 'agent-vault service remove openai --agent bot --json']);
}

/** The service as `--json` shows it. */
function serviceJson(agent: string, s: Service): Record<string, unknown> {
  return {
    agent,
    name: s.name,
    hosts: s.hosts,
    credential: s.credential,
    field: s.field ?? null,
    auth: s.auth,
    methods: s.methods ?? null,
    paths: s.paths ?? null,
    substitute: s.substitute ?? [],
    allow_private: s.allowPrivate === true,
    created: s.created,
  };
}

export async function runServiceAdd(ctx: Context, name: string, options: AddOptions): Promise<void> {
  checkServiceName(name);
  if (!options.host?.length) throw new UsageError('no host given', 'name the hosts with --host (repeatable)');
  if (options.credential === undefined) throw new UsageError('no credential given', 'name it with --credential KEY[/field]');
  if (options.auth === undefined) throw new UsageError('no auth style given', 'pass --auth bearer, basic, header:NAME[:PREFIX] or query:NAME');
  parseAuthStyle(options.auth);
  const input = {
    name,
    hosts: [...new Set(options.host.map(normaliseHostPattern))],
    ...parseCredentialRef(options.credential),
    auth: options.auth,
    ...(options.methods === undefined ? {} : { methods: parseMethods(options.methods) }),
    ...(options.path === undefined ? {} : { paths: options.path.map(checkPathGlob) }),
    ...(options.substitute === undefined ? {} : { substitute: parseSubstitution(options.substitute) }),
    ...(options.allowPrivate ? { allowPrivate: true } : {}),
  };
  const session = await ctx.session({ owner: 'adding a service' });
  const agent = ctx.agent(session);
  const { service, replaced } = await addService(session, agent, input);
  if (ctx.mode.json) printJson(ctx.io, serviceJson(agent, service));
  else notice(ctx.io, ctx.mode, `${replaced ? 'replaced' : 'added'} service ${name} of agent ${agent}: ${service.credential} for ${service.hosts.join(', ')}`);
}

export async function runServiceList(ctx: Context): Promise<void> {
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const services = await listServices(session, agent);
  if (ctx.mode.json) return printJson(ctx.io, services.map((s) => serviceJson(agent, s)));
  if (services.length === 0 && ctx.io.isStdoutTTY) return ctx.io.err(`no services in the vault of ${agent}\n`);
  await printTable(ctx.io, ctx.mode, services, [
    { header: 'NAME', value: (s) => s.name },
    { header: 'HOSTS', value: (s) => s.hosts.join(',') },
    { header: 'CREDENTIAL', value: (s) => (s.field ? `${s.credential}/${s.field}` : s.credential) },
    { header: 'AUTH', value: (s) => s.auth },
    { header: 'METHODS', value: (s) => s.methods?.join(',') ?? '*' },
    { header: 'PATHS', value: (s) => s.paths?.join(',') ?? '/**' },
  ]);
}

export async function runServiceRemove(ctx: Context, name: string): Promise<void> {
  checkServiceName(name);
  const session = await ctx.session({ owner: 'removing a service' });
  const agent = ctx.agent(session);
  const removed = await removeService(session, agent, name);
  if (ctx.mode.json) printJson(ctx.io, serviceJson(agent, removed));
  else notice(ctx.io, ctx.mode, `removed service ${name} of agent ${agent}`);
}
