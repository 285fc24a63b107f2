/**
 * The tools of `agent-vault mcp`, each a thin call of the same app/ function the
 * matching command calls, so every rule (grants, the `brokered` policy, proposal
 * limits, the broker's matching and scrubbing) and every audit event is the command's.
 *
 * What reaches the model is decided here: metadata never carries a secret field
 * (`toPublicJson` without secrets), `totp_code` returns the code and never the seed,
 * `password_generate` with `save_as` returns no value, and only `credential_get`, for
 * the keys the user named with `--allow-reveal`, returns a stored value. No tool takes
 * a secret as an argument: a proposal's slots have no value field.
 */
import type { McpServer } from '@modelcontextprotocol/server';
import type { z as Zod } from 'zod';
import type * as Credentials from '../../app/credentials.js';
import type * as Proposals from '../../app/proposals.js';
import type * as StoreAdmin from '../../app/store-admin.js';
import type * as Totp from '../../app/totp.js';
import type { Broker } from '../../app/broker/engine.js';
import type { Session } from '../../app/session.js';
import type { ListedCredential } from '../../app/credentials.js';
import type * as CoreCredential from '../../core/credential.js';
import type * as Errors from '../../core/errors.js';
import type * as Generator from '../../core/generator.js';
import type * as Ids from '../../core/ids.js';
import type { ProposalSlot } from '../../core/proposal.js';
import type { generateValue } from '../commands/generate-value.js';
import type { proposalJson } from '../commands/proposal.js';
import type { parseHeader } from '../commands/http.js';
import type { GeneratorFlagNames, generatorSettings } from '../generator-options.js';

/**
 * The app/ and core/ functions the tools call, handed in by `agent-vault mcp`. This
 * file is bundled with the SDK in dist/mcp-sdk.cjs, apart from the CLI bundle; it
 * imports only types, so the chunk holds no second copy of a rule, a session or an
 * error class (an `instanceof` across two copies would fail).
 */
export interface McpApp {
  credentials: Pick<typeof Credentials, 'listVault' | 'readCredential' | 'setSecrets'>;
  proposals: Pick<typeof Proposals, 'createProposal' | 'listProposals' | 'showProposal'>;
  storeAdmin: Pick<typeof StoreAdmin, 'storeStatus'>;
  totp: Pick<typeof Totp, 'totpCode'>;
  credential: Pick<typeof CoreCredential, 'checkCredentialType' | 'hasValue' | 'readField' | 'toPublicJson'>;
  errors: Pick<typeof Errors, 'AccessDeniedError' | 'NotFoundError' | 'VaultError'>;
  /** The bounds and defaults the input schema states; the rules and the generating are `generate`'s own. */
  generator: Pick<typeof Generator, 'DEFAULT_LENGTH' | 'DEFAULT_WORDS' | 'MAX_LENGTH' | 'MAX_WORDS' | 'MIN_LENGTH' | 'MIN_WORDS'> & {
    generatorSettings: typeof generatorSettings;
    generateValue: typeof generateValue;
  };
  ids: Pick<typeof Ids, 'checkCredentialKey'>;
  proposalJson: typeof proposalJson;
  parseHeader: typeof parseHeader;
  openBroker(session: Session, agent: string, upstreamCa: string | undefined): Promise<Broker>;
}

/** What the server was started with. */
export interface McpToolOptions {
  session: Session;
  /** The token's agent: the only vault the tools act on. */
  agent: string;
  /** Keys `credential_get` may return, already checked to exist and not to be brokered. */
  revealable: string[];
  readOnly: boolean;
  /** Whether the agent has services (`http_request` is listed only then). */
  hasServices: boolean;
  /** `--upstream-ca`: a PEM CA the broker also trusts. */
  upstreamCa?: string;
  /** Told of an error no rule expected (for stderr: its message may quote input, so never its text). */
  onUnexpected?: (err: unknown) => void;
}

/** The stable error codes of a tool result (SPEC.md, MCP server). */
export type ToolErrorCode = 'not_found' | 'access_denied' | 'expired' | 'host_not_allowed' | 'pending' | 'busy' | 'invalid_argument' | 'integrity' | 'internal';

/** A refusal a tool reports with its own code (not one an exit code maps to). */
class ToolError extends Error {
  constructor(
    readonly code: ToolErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The largest response body `http_request` hands to the model, in characters. */
export const MAX_HTTP_BODY_CHARS = 100_000;

type ToolResult = { content: Array<{ type: 'text'; text: string }>; structuredContent: Record<string, unknown>; isError?: boolean };

function ok(data: Record<string, unknown>): ToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data };
}

/** The code of an error, from its exit code (SPEC.md's table). */
export function toolErrorCode(app: McpApp, err: unknown): ToolErrorCode {
  if (err instanceof ToolError) return err.code;
  if (!(err instanceof app.errors.VaultError)) return 'internal';
  switch (err.exitCode) {
    case 2:
      return 'invalid_argument';
    case 3:
      return 'not_found';
    case 4:
    case 5:
      return /\bexpired\b/.test(err.message) ? 'expired' : 'access_denied';
    case 6:
      return 'integrity';
    case 7:
      return 'busy';
    default:
      return 'internal';
  }
}

/**
 * An error as a tool result. A VaultError's message holds no value (a rule of every
 * error of the product); anything else is reported without its text, which nothing
 * vouches for.
 */
function failed(app: McpApp, err: unknown): ToolResult {
  const code = toolErrorCode(app, err);
  const vault = err instanceof app.errors.VaultError ? err : undefined;
  const message = vault !== undefined || err instanceof ToolError ? (err as Error).message : "unexpected error (the server's stderr names it)";
  const hint = vault?.hint !== undefined ? { hint: vault.hint } : {};
  const data = { error: { code, message, ...hint } };
  return { content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data, isError: true };
}

/** A credential as the model may see it: metadata, never a secret field. */
function metadata(app: McpApp, credential: ListedCredential, revealable: readonly string[]): Record<string, unknown> {
  return {
    ...app.credential.toPublicJson(credential, { secrets: false, revealTotp: false }),
    has_totp: app.credential.hasValue(credential, 'totp'),
    revealable: revealable.includes(credential.key),
    ...(credential.grantedBy ? { granted_by: credential.grantedBy } : {}),
  };
}

/** A key not found that a pending proposal of the agent asks for: `pending`, so the model waits rather than asks again. */
async function pendingOr(app: McpApp, session: Session, key: string, err: unknown): Promise<never> {
  if (err instanceof app.errors.NotFoundError) {
    const pending = await app.proposals.listProposals(session, { status: 'pending' }).catch(() => []);
    const asked = pending.find((v) => v.proposal.slots.some((s) => s.key === key && s.action === 'set'));
    if (asked) throw new ToolError('pending', `${key} is not in the vault yet: proposal ${asked.proposal.id} asking for it waits for the owner`);
  }
  throw err;
}

/** How `password_generate`'s arguments are named in its errors (it takes no separator, capitalize or number). */
const ARGUMENT_NAMES: GeneratorFlagNames = {
  length: 'length',
  words: 'words',
  passphrase: 'passphrase',
  excludeAmbiguous: 'exclude_ambiguous',
  separator: 'separator',
  capitalize: 'capitalize',
  number: 'number',
  dropped: (name) => `${name}: false`,
};

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

/**
 * Registers the tools on `server`, in a fixed order (the `tools/list` snapshot's).
 * `onCall` runs before each call, with the request's context: it names the client in
 * the audit lines.
 */
export function registerTools(app: McpApp, z: typeof Zod, server: McpServer, options: McpToolOptions, onCall: (ctx: unknown) => void): void {
  const { session, agent, revealable, readOnly } = options;
  const { listVault, readCredential, setSecrets } = app.credentials;
  const { createProposal, showProposal } = app.proposals;
  const { checkCredentialType, readField } = app.credential;
  const { AccessDeniedError, VaultError } = app.errors;
  const { DEFAULT_LENGTH, DEFAULT_WORDS, MAX_LENGTH, MAX_WORDS, MIN_LENGTH, MIN_WORDS, generatorSettings, generateValue } = app.generator;
  const { proposalJson, parseHeader } = app;
  const key = z.string().min(1).max(128).describe('the credential key, e.g. GITHUB_TOKEN');
  const wrap =
    <A>(fn: (args: A) => Promise<Record<string, unknown>>) =>
    async (args: A, ctx: unknown): Promise<ToolResult> => {
      onCall(ctx);
      try {
        return ok(await fn(args));
      } catch (err) {
        if (!(err instanceof VaultError) && !(err instanceof ToolError)) options.onUnexpected?.(err);
        return failed(app, err);
      }
    };

  server.registerTool(
    'vault_status',
    {
      title: 'Vault status',
      description: 'The agent this server acts as, how many credentials its vault holds (and how many are due for rotation), its services and which keys credential_get may reveal. No values.',
      inputSchema: z.object({}),
      annotations: READ,
    },
    // `status` writes no line, but every MCP tool call is an audit event (SPEC, MCP server).
    wrap(() => session.audit.audited(agent, 'vault.status', undefined, async () => {
      const [row] = await app.storeAdmin.storeStatus(session, agent, (a) => a === agent);
      const { payload } = await session.unlock(agent);
      return {
        agent,
        credentials: row?.credentials ?? 0,
        credentials_due: row?.credentials_due ?? 0,
        services: (payload.services ?? []).map((s) => s.name),
        revealable,
        read_only: readOnly,
      };
    })),
  );

  server.registerTool(
    'credential_list',
    {
      title: 'List credentials',
      description: 'The credentials of the vault and those granted to it: key, name, type, tags, URIs, non-secret fields, dates. Never a secret value.',
      inputSchema: z.object({ type: z.string().max(32).optional().describe('only credentials of this type, e.g. login or api_key') }),
      annotations: READ,
    },
    wrap(async ({ type }: { type?: string | undefined }) => {
      // From the vault's listing: the tool shows no value, so it decrypts none.
      const listed = await listVault(session, agent, { ...(type === undefined ? {} : { type: checkCredentialType(type) }), values: false });
      return { credentials: listed.map((c) => metadata(app, c, revealable)) };
    }),
  );

  server.registerTool(
    'credential_search',
    {
      title: 'Search credentials',
      description: 'Credentials whose key, name, username, URIs or tags contain the query (case-insensitive). Metadata only, never a secret value.',
      inputSchema: z.object({ query: z.string().min(1).max(256).describe('text to look for') }),
      annotations: READ,
    },
    wrap(async ({ query }: { query: string }) => {
      const found = await listVault(session, agent, { query, values: false });
      return { credentials: found.map((c) => metadata(app, c, revealable)) };
    }),
  );

  server.registerTool(
    'totp_code',
    {
      title: 'TOTP code',
      description: 'The current one-time code of a credential with a TOTP secret, and the seconds it stays valid. Never the TOTP secret itself.',
      inputSchema: z.object({ key, granted_by: z.string().min(1).max(64).optional().describe('for a credential granted to this agent: the agent that granted it (credential_list shows it)') }),
      annotations: { ...READ, idempotentHint: false },
    },
    wrap(async ({ key: k, granted_by: granter }: { key: string; granted_by?: string | undefined }) => {
      // A granted credential is read from its granter's vault through the grant, as `totp KEY --agent GRANTER` does.
      const code = await app.totp.totpCode(session, granter ?? agent, k).catch((err: unknown) => pendingOr(app, session, k, err));
      return { key: k, code: code.code, expires_in: code.expiresIn, period: code.period, digits: code.digits };
    }),
  );

  const generateShape = {
    length: z.number().int().min(MIN_LENGTH).max(MAX_LENGTH).optional().describe(`password length (default ${DEFAULT_LENGTH})`),
    words: z.number().int().min(MIN_WORDS).max(MAX_WORDS).optional().describe(`make a passphrase of this many words instead (default ${DEFAULT_WORDS} when passphrase is true)`),
    passphrase: z.boolean().optional().describe('make a passphrase of words rather than a password'),
    symbols: z.boolean().optional().describe('include symbols (default true)'),
    exclude_ambiguous: z.boolean().optional().describe('leave out characters that look alike (Il1|O0o)'),
  };
  type GenerateArgs = { length?: number | undefined; words?: number | undefined; passphrase?: boolean | undefined; symbols?: boolean | undefined; exclude_ambiguous?: boolean | undefined; save_as?: string | undefined };
  server.registerTool(
    'password_generate',
    readOnly
      ? {
          title: 'Generate a password',
          description: 'A new random password or passphrase, returned (read-only server: it cannot be saved).',
          inputSchema: z.object(generateShape),
          annotations: { ...READ, idempotentHint: false },
        }
      : {
          title: 'Generate a password',
          description: 'A new random password or passphrase. With save_as it is stored in the vault under that key (replacing its value) and NOT returned: use that to create a secret the model never sees.',
          inputSchema: z.object({ ...generateShape, save_as: key.optional().describe('store it under this key instead of returning it') }),
          annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
        },
    wrap(async (args: GenerateArgs) => {
      // The arguments as `generate`'s flags, so the tool and the command share every rule and bound.
      const settings = generatorSettings(
        {
          length: args.length?.toString(),
          words: args.words?.toString(),
          passphrase: args.passphrase,
          symbols: args.symbols,
          excludeAmbiguous: args.exclude_ambiguous,
        },
        ARGUMENT_NAMES,
      );
      if (args.save_as !== undefined) app.ids.checkCredentialKey(args.save_as);
      const { value, bits } = await generateValue(settings);
      const entropy_bits = Math.round(bits * 100) / 100;
      if (args.save_as === undefined) return { password: value, entropy_bits };
      // Saved, the value goes straight into the vault: the result names the key, never the value.
      const [saved] = await setSecrets(session, agent, [[args.save_as, value]]);
      return { key: args.save_as, saved: true, created: saved?.created ?? true, entropy_bits };
    }),
  );

  if (!readOnly) {
    const slot = z.object({
      key,
      action: z.enum(['set', 'delete']).optional().describe('set (default): the owner fills in the value; delete: ask for the credential to be removed'),
      type: z.string().max(32).optional().describe('the credential type for a new credential (default api_key)'),
      description: z.string().max(2000).optional().describe('what it is for, shown to the owner'),
      obtain: z.string().max(2000).optional().describe('an http(s) URL where the owner can obtain the value'),
      obtain_instructions: z.string().max(2000).optional().describe('how to obtain it, for the owner'),
    });
    type SlotArgs = { key: string; action?: 'set' | 'delete' | undefined; type?: string | undefined; description?: string | undefined; obtain?: string | undefined; obtain_instructions?: string | undefined };
    server.registerTool(
      'credential_request',
      {
        title: 'Request credentials',
        description: 'Asks the owner for credentials (a proposal): the owner fills in the values with `agent-vault proposal approve`. Takes no value: never put a secret in it. Returns the proposal id for proposal_status.',
        inputSchema: z.object({ credentials: z.array(slot).min(1).max(20), message: z.string().max(2000).optional().describe('why the agent needs them, shown to the owner') }),
        annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
      },
      wrap(async ({ credentials, message }: { credentials: SlotArgs[]; message?: string | undefined }) => {
        const slots = credentials.map(
          (s): ProposalSlot => ({
            action: s.action ?? 'set',
            key: s.key,
            ...(s.type === undefined ? {} : { type: checkCredentialType(s.type) }),
            ...(s.description === undefined ? {} : { description: s.description }),
            ...(s.obtain === undefined ? {} : { obtain: s.obtain }),
            ...(s.obtain_instructions === undefined ? {} : { obtainInstructions: s.obtain_instructions }),
          }),
        );
        const proposal = await createProposal(session, agent, { slots, ...(message === undefined ? {} : { message }) });
        return proposalJson({ proposal, status: 'pending' });
      }),
    );
  }

  server.registerTool(
    'proposal_status',
    {
      title: 'Proposal status',
      description: 'The status of a proposal made with credential_request: pending, applied, rejected or expired, and the owner\'s decision. No values.',
      inputSchema: z.object({ id: z.string().min(1).max(64).describe('the proposal id credential_request returned') }),
      annotations: READ,
    },
    wrap(({ id }: { id: string }) => session.audit.audited(agent, 'proposal.status', undefined, async () => proposalJson(await showProposal(session, agent, id)), { proposal: id })),
  );

  if (options.hasServices) {
    const methods = readOnly ? ['GET', 'HEAD', 'OPTIONS'] : undefined;
    server.registerTool(
      'http_request',
      {
        title: 'HTTP request through the broker',
        description:
          "One HTTPS request to a host of one of the vault's services: the broker attaches the service's credential, and the response comes back scrubbed of it. The credential is never shown; {{av:NAME}} placeholders are substituted only where the service allows." +
          (readOnly ? ' Read-only server: GET, HEAD and OPTIONS only.' : ''),
        inputSchema: z.object({
          method: (methods ? z.enum(methods as [string, ...string[]]) : z.string().regex(/^[A-Za-z]{1,16}$/)).optional().describe('the method (default GET)'),
          url: z.string().min(1).max(8192).describe('an https:// URL on a service host'),
          headers: z.array(z.string().max(8192)).max(64).optional().describe("request headers, each 'Name: value'"),
          body: z.string().max(1024 * 1024).optional().describe('the request body, as text'),
          follow_redirects: z.boolean().optional().describe('follow redirects (a redirect to another origin gets no credential)'),
        }),
        annotations: readOnly ? { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } : { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
      },
      wrap(async (args: { method?: string | undefined; url: string; headers?: string[] | undefined; body?: string | undefined; follow_redirects?: boolean | undefined }) => {
        const method = (args.method ?? 'GET').toUpperCase();
        const headers = (args.headers ?? []).map(parseHeader);
        // Opened for each call, so a service removed or a credential changed takes effect on the next one.
        const broker = await app.openBroker(session, agent, options.upstreamCa);
        const outcome = await broker.handle({ method, url: args.url, headers, body: Buffer.from(args.body ?? '', 'utf8') }, { follow: args.follow_redirects === true });
        if (outcome.kind === 'unmatched') {
          await broker.recordUnmatched(method, outcome.url);
          throw new ToolError('host_not_allowed', `no service of agent ${agent} covers ${outcome.url.protocol}//${outcome.url.host}`);
        }
        if (outcome.kind === 'refused') throw new AccessDeniedError(outcome.reason);
        const { response } = outcome;
        const text = response.body.toString('utf8');
        const headerMap = response.headers.reduce((m, [n, v]) => m.set(n, m.has(n) ? `${m.get(n)}, ${v}` : v), new Map<string, string>());
        return {
          status: response.status,
          service: outcome.service || null,
          credentialed: outcome.credentialed,
          headers: Object.fromEntries(headerMap),
          body: text.length > MAX_HTTP_BODY_CHARS ? text.slice(0, MAX_HTTP_BODY_CHARS) : text,
          truncated: text.length > MAX_HTTP_BODY_CHARS,
        };
      }),
    );
  }

  if (revealable.length > 0) {
    server.registerTool(
      'credential_get',
      {
        title: 'Reveal a credential',
        description: `The value of one of the credentials the user allowed this server to reveal (${revealable.join(', ')}). The value enters the model's context: prefer http_request or totp_code where they do the job.`,
        inputSchema: z.object({
          key: z.enum(revealable as [string, ...string[]]).describe('one of the keys the user allowed'),
          field: z.string().max(32).optional().describe('a field other than the main one, e.g. username'),
        }),
        annotations: READ,
      },
      wrap(async ({ key: k, field }: { key: string; field?: string | undefined }) => {
        // The enum already refuses other keys; checked again because the list is the user's promise.
        if (!revealable.includes(k)) throw new AccessDeniedError(`${k} is not one of the keys this server may reveal`);
        const credential = await readCredential(session, agent, k).catch((err: unknown) => pendingOr(app, session, k, err));
        return { key: credential.key, field: field ?? null, value: readField(credential, field) };
      }),
    );
  }
}
