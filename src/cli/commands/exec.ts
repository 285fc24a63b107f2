import { basename } from 'node:path';
import type { Command } from 'commander';
import { parseEnvFile, type EnvFile } from '../../core/env-file.js';
import { checkEnvName, checkEnvPrefix, PROTECTED_ENV_NAMES, PROTECTED_ENV_PREFIXES, withoutCallerSecrets } from '../../core/env-vars.js';
import { UsageError, VaultError } from '../../core/errors.js';
import { checkAgentId, checkCredentialKey } from '../../core/ids.js';
import { resolveExecEnv, type ExecRequest } from '../../app/exec.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { readTextFile } from '../secret-input.js';
import { notice } from '../render.js';
import type { ChildOutcome } from '../child-process.js';

interface ExecOptions {
  only?: string;
  prefix?: string;
  pristine?: boolean;
  mask?: boolean;
  envFile?: string;
  allowEnv?: string[];
  broker?: boolean;
  denyUnmatched?: boolean;
  upstreamCa?: string;
}

/**
 * The program could not be started: exit 127 when it was not found, 126 when it is not
 * executable, as shells report it.
 */
class ProgramStartError extends VaultError {
  override readonly code: 'not_found' | 'not_executable';
  override readonly exitCode: 126 | 127;

  constructor(reason: 'not_found' | 'not_executable', message: string, hint: string) {
    super(message, hint);
    this.code = reason;
    this.exitCode = reason === 'not_found' ? 127 : 126;
  }
}

export function registerExec(program: Command, deps: Deps): void {
  const command = program
    .command('exec')
    .description("run a command with the vault's credentials in its environment (never on its command line)")
    .argument('[command...]', 'the program and its arguments, after --')
    .option('--only <keys>', 'only these credentials (comma-separated keys)')
    .option('--prefix <prefix>', 'put this before every variable name')
    .option('--pristine', 'start from an empty environment apart from PATH and HOME')
    .option('--mask', "replace every injected value in the command's output with ****")
    .option('--env-file <file>', 'a dotenv file: plain NAME=value lines (quotes, export, comments) and references NAME=av://<agent>/<KEY>[/<field>]')
    .option('--allow-env <name>', "let the caller's own credentials set this protected variable (PATH, LD_PRELOAD, …); repeatable", (name: string, previous: string[] | undefined) => [...(previous ?? []), name])
    .option('--broker', "run the broker for the command's lifetime: placeholders instead of the services' values, a local proxy (HTTPS_PROXY) and AGENT_VAULT_URL_<SERVICE> base URLs")
    .option('--deny-unmatched', 'with --broker: refuse (403) requests to hosts no service covers, instead of passing them through')
    .option('--upstream-ca <file>', 'with --broker: also trust this PEM CA for upstreams (a private CA)')
    .allowUnknownOption()
    .action((words: string[], options: ExecOptions, cmd: Command) => runExec(Context.of(deps.io, cmd), childCommand(deps.argv, words), options, deps));
  examples(command, [
    'agent-vault exec -- ./deploy.sh --prod',
    'agent-vault exec --only OPENAI_API_KEY --pristine -- python agent.py',
    "AGENT_VAULT_TOKEN_FILE=bot.token agent-vault exec --agent researcher -- sh -c 'curl -H \"Authorization: Bearer $OPENAI_API_KEY\" …'",
    'agent-vault exec --env-file .env.av --mask -- npm test     # .env.av: DB_PASSWORD=av://ci-bot/DATABASE/password',
    'agent-vault exec --env-file .env -- node server.js        # .env: PORT=8080 and export API_KEY=av://web/STRIPE_KEY',
    'agent-vault exec --only HTTPS_PROXY --allow-env HTTPS_PROXY -- curl https://example.com',
    "agent-vault exec --broker -- sh -c 'curl -H \"Authorization: Bearer $OPENAI_API_KEY\" https://api.openai.com/v1/models'",
    'agent-vault exec --broker --deny-unmatched -- python agent.py   # OpenAI(base_url=os.environ["AGENT_VAULT_URL_OPENAI"])',
  ]);
  command.addHelpText('after', protectedNamesHelp());
}

/** The protected variables, for `exec --help`; man 1 lists the same. */
function protectedNamesHelp(): string {
  const words = [...PROTECTED_ENV_NAMES, ...PROTECTED_ENV_PREFIXES.map((p) => `${p}*`)];
  const lines: string[] = [];
  for (const word of words) {
    if (lines.length > 0 && lines.at(-1)!.length + word.length < 86) lines[lines.length - 1] += ` ${word}`;
    else lines.push(`  ${word}`);
  }
  return [
    'Protected variables change how programs are found, loaded or started, or where they',
    'connect. exec refuses to set them (exit 2) unless --allow-env names them, and never',
    'from a granted credential, even then:',
    ...lines,
    '',
  ].join('\n');
}

/**
 * The child's program and arguments: everything after the first `--` of the original
 * command line, untouched (commander would parse options in them). Anything else
 * commander left over came before `--` and is a mistake.
 */
function childCommand(raw: readonly string[], words: string[]): string[] {
  const dashes = raw.indexOf('--');
  const child = dashes < 0 ? [] : raw.slice(dashes + 1);
  if (child.length === 0) throw new UsageError('no command to run', 'put it after --: agent-vault exec -- <command> [args…]');
  const before = words.slice(0, words.length - child.length).filter((w) => w !== '--');
  if (before.length > 0) {
    const option = before.find((w) => /^--?[A-Za-z][A-Za-z-]*$/.test(w));
    throw new UsageError(option ? `unknown option ${option}` : 'unexpected argument before --', 'put the command and its arguments after --');
  }
  return child;
}

/** Reads `--env-file` with dotenv's parser, which comes with the import parsers and is loaded only now. */
async function readEnvFile(path: string): Promise<EnvFile> {
  const text = readTextFile(path, 'env file');
  const { readDotenvAssignments } = await import('../../core/import/parsers.js');
  return parseEnvFile(readDotenvAssignments(text, (where, problem) => new UsageError(`${where} of ${path} ${problem}`, 'write NAME=value, NAME="value" or NAME=av://<agent>/<KEY>[/<field>]')), path);
}

function childEnv(base: NodeJS.ProcessEnv, pristine: boolean, injected: Map<string, string>): NodeJS.ProcessEnv {
  const env = withoutCallerSecrets(pristine ? { ...(base.PATH === undefined ? {} : { PATH: base.PATH }), ...(base.HOME === undefined ? {} : { HOME: base.HOME }) } : base);
  for (const [name, value] of injected) env[name] = value;
  return env;
}

export async function runExec(ctx: Context, command: string[], options: ExecOptions, deps: Deps): Promise<void> {
  // First of all, before stdin or the store is touched: it may start this process again.
  await ctx.io.dropSecretsFromEnviron();
  const [program, ...args] = command as [string, ...string[]];
  const only = options.only?.split(',').map((k) => checkCredentialKey(k.trim()));
  const prefix = checkEnvPrefix(options.prefix ?? '');
  const envFile = options.envFile === undefined ? { references: [], plain: [] } : await readEnvFile(options.envFile);
  const { references } = envFile;
  const session = await ctx.session();
  const caller = session.tokenAgent;
  const named = ctx.options.agent ?? ctx.io.env.AGENT_VAULT_AGENT;
  const allowEnv = (options.allowEnv ?? []).map(checkEnvName);
  const request: ExecRequest = { prefix, references, plain: envFile.plain, allowEnv, ...(only === undefined ? {} : { only }) };
  if (caller !== undefined) {
    request.vault = caller;
    if (named !== undefined && checkAgentId(named) !== caller) request.grantsFrom = named;
  } else if ((references.length === 0 && envFile.plain.length === 0) || only !== undefined) {
    request.vault = ctx.agent(session);
  }
  if (!options.broker && (options.denyUnmatched || options.upstreamCa !== undefined)) throw new UsageError('--deny-unmatched and --upstream-ca go with --broker');
  const upstreamCa = options.upstreamCa === undefined ? undefined : readTextFile(options.upstreamCa, 'upstream CA file');
  const brokering = options.broker
    ? await (await import('../broker-run.js')).startBrokerRun(session, request.vault ?? ctx.agent(session), { denyUnmatched: options.denyUnmatched === true, ...(upstreamCa === undefined ? {} : { upstreamCa }) })
    : undefined;
  try {
    if (brokering) request.brokered = brokering.run.placeholders;
    const { env: injected, secrets, recordRun, readFromGrants } = await resolveExecEnv(session, request, basename(program));
    for (const { key, granter } of readFromGrants) notice(ctx.io, ctx.mode, `read ${key} from the grant of agent ${granter}`);
    const env = childEnv(ctx.io.env, options.pristine === true, injected);
    if (brokering) {
      for (const name of brokering.run.unset) delete env[name];
      for (const [name, value] of brokering.run.env) env[name] = value;
    }
    // Loaded here: node:child_process costs start-up time every other command need not pay.
    const { runChild } = await import('../child-process.js');
    const outcome = await runChild(program, args, {
      env,
      ...(options.mask ? { mask: secrets } : {}),
      stdout: ctx.io.stdout,
      stderr: ctx.io.stderr,
      interactive: ctx.io.isStdinTTY,
    });
    await finishRun(outcome, program, injected, recordRun, deps);
  } finally {
    await brokering?.stop();
  }
}

/** Records how the child's run went and passes its status on, or names why it could not start. */
async function finishRun(
  outcome: ChildOutcome,
  program: string,
  injected: Map<string, string>,
  recordRun: (failure?: string) => Promise<void>,
  deps: Deps,
): Promise<void> {
  if ('status' in outcome) {
    await recordRun();
    deps.setExitCode(outcome.status);
    return;
  }
  if (outcome.failed === 'too_big') {
    await recordRun('environment too large');
    throw tooBigError(program, injected);
  }
  const notFound = outcome.failed === 'not_found';
  await recordRun(notFound ? 'command not found' : 'not an executable file');
  throw new ProgramStartError(outcome.failed, notFound ? `command not found: ${program}` : `cannot run ${program}: not an executable file`, 'check the name, its permissions and PATH');
}

/** The kernel refused the environment as a whole (E2BIG): name the largest injected variables, which are what can be left out. */
function tooBigError(program: string, injected: Map<string, string>): UsageError {
  const sizes = [...injected].map(([name, value]) => ({ name, bytes: Buffer.byteLength(name) + Buffer.byteLength(value) + 2 }));
  const total = sizes.reduce((sum, s) => sum + s.bytes, 0);
  const largest = sizes.sort((a, b) => b.bytes - a.bytes).slice(0, 3).map((s) => `${s.name} (${Math.ceil(s.bytes / 1024)} KiB)`);
  return new UsageError(
    `the environment is too large to start ${program}: the injected variables take ${Math.ceil(total / 1024)} KiB, the largest ${largest.join(', ')}`,
    'leave some out with --only, or start from a smaller environment with --pristine',
  );
}
