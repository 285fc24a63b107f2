/**
 * `agent-vault mcp`: the vault as Model Context Protocol tools over stdio, for an AI
 * agent, as the agent whose token the MCP client put in the server's environment.
 *
 * Who it serves is decided before anything is served: only AGENT_VAULT_TOKEN or
 * AGENT_VAULT_TOKEN_FILE (an MCP client copies a server's `args` into places the
 * model reads, so a token never comes from the command line), proved by opening the
 * agent's vault. The owner cannot start it: a passphrase or owner session in its
 * environment is refused, so a model can never act as the owner, or be asked for the
 * passphrase. Until the transport starts nothing is written to stdout; after, only
 * the SDK writes there (JSON-RPC), and warnings go to stderr.
 */
import { Option, type Command } from 'commander';
import * as credentials from '../../app/credentials.js';
import * as proposals from '../../app/proposals.js';
import { listServices } from '../../app/services.js';
import * as storeAdmin from '../../app/store-admin.js';
import * as totp from '../../app/totp.js';
import * as credential from '../../core/credential.js';
import * as errors from '../../core/errors.js';
import { AuthError, UsageError } from '../../core/errors.js';
import { DEFAULT_LENGTH, DEFAULT_WORDS, MAX_LENGTH, MAX_WORDS, MIN_LENGTH, MIN_WORDS } from '../../core/generator.js';
import { checkCredentialKey } from '../../core/ids.js';
import type { McpApp } from '../mcp/tools.js';
import { generatorSettings } from '../generator-options.js';
import { generateValue } from './generate-value.js';
import { proposalJson } from './proposal.js';
import { parseHeader } from './http.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { readTextFile } from '../secret-input.js';

interface McpOptions {
  version?: string;
  allowReveal?: string;
  readOnly?: boolean;
  upstreamCa?: string;
}

/** The longest client name written to an audit line. */
const MAX_CLIENT_NAME = 100;

export function registerMcp(program: Command, { io }: Deps): void {
  const command = program
    .command('mcp')
    .description("serve the vault as MCP tools over stdio for an AI agent (the agent of AGENT_VAULT_TOKEN in the client's env); values stay out of the model's context")
    .option('--allow-reveal <KEY,…>', 'offer credential_get for these keys only (never a brokered one); without it no tool returns a stored value')
    .option('--read-only', 'hide every tool that writes to the vault (credential_request, password_generate save_as); http_request only GET, HEAD, OPTIONS')
    .addOption(new Option('--upstream-ca <file>', "also trust this PEM CA for http_request's upstream (a private CA)"))
    .action((options: McpOptions, cmd: Command) => runMcp(Context.of(io, cmd), { ...options, version: program.version() ?? '0' }));
  examples(command, [
    'claude mcp add --transport stdio --env AGENT_VAULT_TOKEN_FILE=$HOME/.config/agent-vault/bot.token agent-vault -- agent-vault mcp',
    'AGENT_VAULT_TOKEN_FILE=bot.token agent-vault mcp --read-only',
    'AGENT_VAULT_TOKEN_FILE=bot.token agent-vault mcp --allow-reveal DB_URL,SENTRY_DSN',
  ]);
}

/** `--allow-reveal A,B`: checked keys, each once. */
function parseKeys(list: string | undefined): string[] {
  if (list === undefined) return [];
  const keys = list.split(',').map((k) => k.trim()).filter((k) => k !== '');
  if (keys.length === 0) throw new UsageError('--allow-reveal names no key', 'give it as --allow-reveal KEY,KEY');
  return [...new Set(keys.map((k) => checkCredentialKey(k)))];
}

/** Refuses every way of being the owner, and a token given other than in the environment. */
function checkIdentitySources(ctx: Context): void {
  const { io, options } = ctx;
  if (options.tokenFile !== undefined) {
    throw new UsageError('agent-vault mcp takes its token only from the environment, not --token-file', "set AGENT_VAULT_TOKEN_FILE in the MCP client's env for the server");
  }
  const owner = [
    options.passphraseFile !== undefined || io.env.AGENT_VAULT_PASSPHRASE_FILE ? 'a passphrase file' : '',
    options.passphraseStdin ? '--passphrase-stdin' : '',
    io.passphraseFromEnv !== undefined ? 'AGENT_VAULT_PASSPHRASE' : '',
    io.sessionFromEnv !== undefined ? 'AGENT_VAULT_SESSION' : '',
  ].filter((s) => s !== '');
  if (owner.length > 0) {
    throw new UsageError(
      `agent-vault mcp serves an agent, never the owner: remove ${owner.join(', ')} from its environment`,
      "give the server an agent token in the MCP client's env (AGENT_VAULT_TOKEN_FILE), from: agent-vault provision NAME --token-file FILE",
    );
  }
  if (!io.env.AGENT_VAULT_TOKEN_FILE && !io.env.AGENT_VAULT_TOKEN) {
    throw new AuthError('agent-vault mcp needs an agent token: no AGENT_VAULT_TOKEN or AGENT_VAULT_TOKEN_FILE in its environment', "set AGENT_VAULT_TOKEN_FILE in the MCP client's env for the server");
  }
}

export async function runMcp(ctx: Context, options: McpOptions): Promise<void> {
  checkIdentitySources(ctx);
  const allowed = parseKeys(options.allowReveal);
  const upstreamCa = options.upstreamCa === undefined ? undefined : readTextFile(options.upstreamCa, 'upstream CA file');
  const session = await ctx.session();
  const agent = session.tokenAgent!;
  if (ctx.options.agent !== undefined && ctx.options.agent !== agent) throw new UsageError(`agent-vault mcp serves the token's agent, ${agent}, not ${ctx.options.agent}`, 'leave --agent out');
  // Opening the vault proves the token (exit 4 otherwise) before a single tool is listed.
  const services = await listServices(session, agent);
  const { payload } = await session.unlock(agent);
  const revealable: string[] = [];
  for (const key of allowed) {
    const credential = payload.credentials.find((c) => c.key === key);
    if (credential === undefined) ctx.warn(`--allow-reveal ${key}: no such credential in the vault of ${agent}; not offered`);
    // The broker's rule, that a brokered value never reaches the agent, holds here too: credential_get refuses it anyway (checkRevealable).
    else if (credential.revealPolicy === 'brokered') ctx.warn(`--allow-reveal ${key}: a brokered credential is never revealed; not offered`);
    else revealable.push(key);
  }

  const sdk = await import('../mcp/sdk.js');
  const server = new sdk.McpServer({ name: 'agent-vault', version: options.version ?? '0' }, { capabilities: { tools: {} } });
  session.audit.setChannel({ via: 'mcp' });
  let client: string | undefined;
  const onCall = (requestContext: unknown): void => {
    const named = clientName(requestContext) ?? server.server.getClientVersion()?.name;
    if (named === undefined || named === client) return;
    client = named.slice(0, MAX_CLIENT_NAME);
    session.audit.setChannel({ via: 'mcp', client });
  };
  sdk.registerTools(MCP_APP, sdk.z, server, {
    session,
    agent,
    revealable,
    readOnly: options.readOnly === true,
    hasServices: services.length > 0,
    ...(upstreamCa === undefined ? {} : { upstreamCa }),
    onUnexpected: (err: unknown) => ctx.io.err(`agent-vault mcp: unexpected ${err instanceof Error ? err.name : 'error'} in a tool call\n`),
  }, onCall);
  const transport = new sdk.StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
  });
  await server.connect(transport);
  ctx.io.err(`agent-vault mcp: serving agent ${agent} on stdio${options.readOnly ? ' (read-only)' : ''}\n`);
  await closed;
}

/** What the tools call: the CLI bundle's own app/ and core/ functions (see McpApp). */
const MCP_APP: McpApp = {
  credentials,
  proposals,
  storeAdmin,
  totp,
  credential,
  errors,
  generator: { DEFAULT_LENGTH, DEFAULT_WORDS, MAX_LENGTH, MAX_WORDS, MIN_LENGTH, MIN_WORDS, generatorSettings, generateValue },
  ids: { checkCredentialKey },
  proposalJson,
  parseHeader,
  // The broker's code loads only when http_request is called, as for `http`.
  openBroker: async (session, agent, upstreamCa) => (await import('../../app/broker/engine.js')).Broker.open(session, agent, upstreamCa === undefined ? {} : { upstreamCa }),
};

/** The client's name as a 2026-07-28 request carries it in its `_meta` envelope. */
function clientName(requestContext: unknown): string | undefined {
  const envelope = (requestContext as { mcpReq?: { envelope?: Record<string, unknown> } } | undefined)?.mcpReq?.envelope;
  const info = envelope?.['io.modelcontextprotocol/clientInfo'] as { name?: unknown } | undefined;
  return typeof info?.name === 'string' ? info.name : undefined;
}
