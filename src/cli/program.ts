/**
 * The commander program: global options, and one registration per command file.
 * Subcommands are made with `.command()` so they inherit `exitOverride` and output settings.
 */
import { Command, Option } from 'commander';
import { escapeControls } from '../core/terminal-text.js';
import type { Deps } from './command-kit.js';
import { SuggestingCommand } from './command-suggestions.js';
import { registerInit } from './commands/init.js';
import { registerProvision } from './commands/provision.js';
import { registerStatus } from './commands/status.js';
import { registerDeprovision } from './commands/deprovision.js';
import { registerToken } from './commands/token.js';
import { registerCredential } from './commands/credential/index.js';
import { registerConfig } from './commands/config.js';
import { registerTotp } from './commands/totp.js';
import { registerGenerate } from './commands/generate.js';
import { registerAudit } from './commands/audit.js';
import { registerGrant } from './commands/grant.js';
import { registerProposal } from './commands/proposal.js';
import { registerExec } from './commands/exec.js';
import { registerImport } from './commands/import.js';
import { registerExport } from './commands/export.js';
import { registerBackup } from './commands/backup.js';
import { registerStore } from './commands/store.js';
import { registerCompletion } from './commands/completion.js';
import { registerComplete } from './commands/complete.js';
import { registerService } from './commands/service.js';
import { registerHttp } from './commands/http.js';
import { registerProxy } from './commands/proxy.js';
import { registerHook } from './commands/hook.js';
import { registerUnlock } from './commands/unlock.js';
import { registerPasswd } from './commands/passwd.js';
import { registerRekey } from './commands/rekey.js';
import { registerMcp } from './commands/mcp.js';
import { registerRead } from './commands/read.js';
import { registerInject } from './commands/inject.js';
import { registerHelp } from './help-topics.js';

/**
 * Every top-level command word, and the function that registers it
 * (test/unit/cli/program-table.test.ts checks that each registers exactly these words).
 * `completion` and `help` are not here: they read the whole tree.
 */
export const COMMANDS: ReadonlyArray<readonly [words: readonly string[], register: (program: Command, deps: Deps) => void]> = [
  [['init'], registerInit],
  [['provision'], registerProvision],
  [['status'], registerStatus],
  [['deprovision'], registerDeprovision],
  [['token'], registerToken],
  [['credential', 'cred'], registerCredential],
  [['totp'], registerTotp],
  [['generate'], registerGenerate],
  [['audit'], registerAudit],
  [['grant'], registerGrant],
  [['proposal'], registerProposal],
  [['exec'], registerExec],
  [['import'], registerImport],
  [['export'], registerExport],
  [['backup', 'restore'], registerBackup],
  [['service'], registerService],
  [['http'], registerHttp],
  [['proxy'], registerProxy],
  [['hook'], registerHook],
  [['unlock', 'lock'], registerUnlock],
  [['passwd'], registerPasswd],
  [['rekey'], registerRekey],
  [['store'], registerStore],
  [['mcp'], registerMcp],
  [['config'], registerConfig],
  [['read'], registerRead],
  [['inject'], registerInject],
  [['__complete'], registerComplete],
];

/**
 * The table entry of the command `argv` invokes, found by the first word that is neither
 * an option nor the value of one of `globals` (the program's options as commander
 * defines them, so a new one that takes a value is skipped with no list to keep); none
 * for no word, `help`, `completion` or a word that is not a command. Only that command's
 * subtree is then built: building all of them is a cost every `credential get` would
 * pay. Without an entry the whole tree is built, so help, completion and "did you mean"
 * see every command.
 */
export function invokedCommand(argv: readonly string[], globals: readonly Option[]): (typeof COMMANDS)[number] | undefined {
  const taking = globals.filter((option) => option.required || option.optional);
  const valueWords = new Set(taking.flatMap((option) => [option.long, option.short].filter((word) => word !== undefined)));
  const valueLetters = new Set(taking.flatMap((option) => (option.short === undefined ? [] : [option.short.slice(1)])));
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return undefined;
    if (arg.startsWith('-')) {
      // `-a bot`, `--store DIR`, and a cluster of short flags ending in one that takes a value (`-qa bot`).
      if (valueWords.has(arg) || (/^-[A-Za-z]{2,}$/.test(arg) && valueLetters.has(arg.at(-1)!))) i++;
      continue;
    }
    return COMMANDS.find(([words]) => words.includes(arg));
  }
  return undefined;
}

export function buildProgram(deps: Deps, options: { json: boolean; version: string }): Command {
  const program = new SuggestingCommand('agent-vault')
    .description('An encrypted credential vault for AI agents: one vault per agent, grants, TOTP and an audit log.')
    .version(options.version, '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .option('--store <dir>', 'the store: a directory or a postgres:// URL (default: $AGENT_VAULT_HOME, else the configured default-store, else $XDG_DATA_HOME/agent-vault)')
    .option('-a, --agent <id>', 'the agent whose vault is meant (default: $AGENT_VAULT_AGENT, the token\'s agent, or the configured default)')
    .option('--json', 'machine-readable output on stdout')
    .option('--no-color', 'no colour (also: NO_COLOR)')
    .option('-q, --quiet', 'no messages on stderr, only data and errors')
    .option('-y, --yes', 'do not ask for confirmation (required off a terminal for destructive commands)')
    .addOption(new Option('--passphrase-file <file>', 'read the owner passphrase from a file (also: AGENT_VAULT_PASSPHRASE_FILE)'))
    .addOption(new Option('--passphrase-stdin', 'read the owner passphrase from stdin'))
    .addOption(new Option('--token-file <file>', 'read the agent token from a file (also: AGENT_VAULT_TOKEN_FILE, or AGENT_VAULT_TOKEN); provision and token rotate write the new token to it'))
    .exitOverride()
    // In --json mode stderr carries only the JSON error, so no help hint after it.
    .showHelpAfterError(options.json ? false : '(run with --help for usage)')
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .configureOutput({
      writeOut: (text) => deps.io.out(text),
      // Commander's errors quote the command line's words: show their control characters escaped.
      writeErr: (text) => deps.io.err(escapeControls(text, { keepNewlines: true })),
      // In --json mode main.ts prints the error as JSON instead.
      outputError: (text, write) => {
        if (!options.json) write(text);
      },
    });

  const only = invokedCommand(deps.argv, program.options);
  if (only) only[1](program, deps);
  else {
    for (const [, register] of COMMANDS) register(program, deps);
    registerCompletion(program, deps);
    registerHelp(program, deps.io);
  }
  return program;
}
