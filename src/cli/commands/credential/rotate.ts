/**
 * `credential rotate KEY [-- CMD ARGS…]`: a new main secret, generated with the
 * credential's remembered `generate` options (or those given now, then remembered) or
 * read from stdin. With a command, the command applies the new value first; only if it
 * exits 0 is the value kept.
 */
import { basename } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../../../core/errors.js';
import { DEFAULT_LENGTH } from '../../../core/generator.js';
import { currentMainSecret, recordFailedRotation, rotateCredential } from '../../../app/lifecycle.js';
import { Context } from '../../context.js';
import { examples, type Deps } from '../../command-kit.js';
import { addGeneratorOptions, generatorSettings, type GeneratorFlags } from '../../generator-options.js';
import { generateValue } from '../generate-value.js';
import { withoutCallerSecrets } from '../../../core/env-vars.js';
import { notice, printJson } from '../../render.js';
import { readSecretFromStdin } from '../../secret-input.js';

interface RotateOptions extends GeneratorFlags {
  valueStdin?: boolean;
}

/** The variables CMD gets the values in: never its command line, where every process of the machine could read them. */
const OLD_VALUE_VARIABLE = 'AGENT_VAULT_OLD_VALUE';
const NEW_VALUE_VARIABLE = 'AGENT_VAULT_NEW_VALUE';

export function registerRotate(credential: Command, deps: Deps): void {
  const command = credential
    .command('rotate')
    .description('replace the main secret with a generated one (or --value-stdin); with -- CMD, CMD applies it first and it is kept only if CMD exits 0')
    .argument('<KEY|id>', 'the credential key or id')
    .argument('[command...]', 'a command that applies the new value, after --; it gets AGENT_VAULT_OLD_VALUE and AGENT_VAULT_NEW_VALUE in its environment')
    .option('--value-stdin', 'read the new value from stdin instead of generating one');
  addGeneratorOptions(command, `the remembered one, else ${DEFAULT_LENGTH}`)
    .action((key: string, words: string[], options: RotateOptions, cmd: Command) => runRotate(Context.of(deps.io, cmd), key, words, options, deps));
  examples(command, [
    'agent-vault credential rotate API_KEY --agent ci-bot                # generated, with the remembered options',
    'agent-vault credential rotate DB_PASSWORD -l 32 --no-symbols        # these options are remembered for next time',
    'printf %s "$NEW" | agent-vault credential rotate API_KEY --value-stdin',
    'agent-vault credential rotate DB_PASSWORD -- ./set-db-password.sh   # reads $AGENT_VAULT_NEW_VALUE from its environment (README)',
  ]);
}

export async function runRotate(ctx: Context, keyOrId: string, command: string[], options: RotateOptions, deps: Deps): Promise<void> {
  // Before stdin or the store is touched, as exec does: it may start this process again without the token or passphrase in its environ.
  if (command.length > 0) await ctx.io.dropSecretsFromEnviron();
  // Given settings replace the remembered ones whole, and are remembered in their place.
  const given = generatorSettings(options);
  if (options.valueStdin && given !== undefined) throw new UsageError('--value-stdin takes the value as given: generator options do not apply');
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const { credential, value: oldValue } = await currentMainSecret(session, agent, keyOrId, command.length > 0);
  const settings = given ?? credential.policy?.generator;
  const value = options.valueStdin ? await readSecretFromStdin(ctx.io, 'the new value') : (await generateValue(settings)).value;
  if (value === '') throw new UsageError('the new value on stdin is empty', `pipe the new value of ${credential.key} into --value-stdin`);
  if (command.length > 0) {
    const [program, ...args] = command as [string, ...string[]];
    const env = withoutCallerSecrets(ctx.io.env);
    env[OLD_VALUE_VARIABLE] = oldValue ?? '';
    env[NEW_VALUE_VARIABLE] = value;
    const { runChild } = await import('../../child-process.js');
    // Piped through the masker, so a command that echoes either value does not print it;
    // with --json its output goes to stderr, leaving stdout to the JSON document.
    const outcome = await runChild(program, args, {
      env,
      mask: [value, oldValue ?? ''].filter((v) => v !== ''),
      stdout: ctx.mode.json ? ctx.io.stderr : ctx.io.stdout,
      stderr: ctx.io.stderr,
      interactive: ctx.io.isStdinTTY,
    });
    const status = 'status' in outcome ? outcome.status : outcome.failed === 'not_found' ? 127 : 126;
    if (status !== 0) {
      const why = 'status' in outcome ? `${basename(program)} exited ${status}` : outcome.failed === 'not_found' ? `command not found: ${basename(program)}` : `cannot run ${basename(program)}`;
      await recordFailedRotation(session, agent, credential.key, `${why}; nothing changed`);
      ctx.warn(`${why}: ${credential.key} was not rotated, nothing changed`);
      deps.setExitCode(status);
      return;
    }
  }
  const rotated = await rotateCredential(session, agent, credential.key, value, options.valueStdin ? undefined : given);
  if (ctx.mode.json) printJson(ctx.io, { agent, id: rotated.id, key: rotated.key, rotated: true, updated: rotated.updated });
  else notice(ctx.io, ctx.mode, `rotated ${rotated.key} in the vault of ${agent}${command.length > 0 ? ` (applied by ${basename(command[0]!)})` : ''}`);
}
