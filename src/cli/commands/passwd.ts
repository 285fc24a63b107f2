import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { KdfParams } from '../../format/kdf.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson } from '../render.js';
import { readSecretFromFile, readSecretFromStdin } from '../secret-input.js';
import { kdfFromOptions } from './init.js';

interface PasswdOptions {
  newPassphraseFile?: string;
  newPassphraseStdin?: boolean;
  force?: boolean;
  kdfMemory?: string;
  kdfIterations?: string;
  kdfParallelism?: string;
}

export function registerPasswd(program: Command, { io }: Deps): void {
  const command = program
    .command('passwd')
    .description('change the owner passphrase; tokens, grants and logs are untouched, and every owner session ends')
    .option('--new-passphrase-file <file>', 'read the new passphrase from a file')
    .option('--new-passphrase-stdin', 'read the new passphrase from stdin')
    .option('--force', 'accept a new passphrase the strength check rates weak')
    .option('--kdf-memory <MiB>', 'Argon2id memory in MiB for the new passphrase (default: as now)')
    .option('--kdf-iterations <n>', 'Argon2id passes (default: as now)')
    .option('--kdf-parallelism <n>', 'Argon2id lanes (default: as now)')
    .action((options: PasswdOptions, cmd: Command) => runPasswd(Context.of(io, cmd), options));
  examples(command, [
    'agent-vault passwd                                               # asks for the current one, then the new one twice',
    'agent-vault passwd --passphrase-file old.txt --new-passphrase-file new.txt',
    'agent-vault passwd --kdf-memory 256 --kdf-iterations 4           # a new passphrase at a higher cost',
  ]);
}

/** The new passphrase: a file, stdin, or typed twice at a masked prompt. */
async function newPassphrase(ctx: Context, options: PasswdOptions): Promise<string> {
  const { io } = ctx;
  if (options.newPassphraseFile !== undefined && options.newPassphraseStdin) throw new UsageError('--new-passphrase-file and --new-passphrase-stdin exclude each other');
  if (options.newPassphraseFile !== undefined) return readSecretFromFile(options.newPassphraseFile, 'new passphrase');
  if (options.newPassphraseStdin) return readSecretFromStdin(io, 'the new passphrase');
  if (!io.canPrompt()) throw new UsageError('a new passphrase is needed and there is no terminal to ask on', 'pass --new-passphrase-file F or --new-passphrase-stdin');
  const prompter = await io.prompter();
  const typed = await prompter.password('New owner passphrase');
  if ((await prompter.password('Repeat the new passphrase')) !== typed) throw new UsageError('the passphrases do not match, nothing was changed');
  return typed;
}

export async function runPasswd(ctx: Context, options: PasswdOptions): Promise<void> {
  // The current passphrase itself, proved before the new one is asked for.
  const session = await ctx.session({ owner: 'changing the passphrase', passphrase: true });
  await session.rootKey();
  const passphrase = await newPassphrase(ctx, options);
  if (passphrase === '') throw new UsageError('the new passphrase is empty, nothing was changed');
  const { estimateStrength } = await import('../../core/strength.js');
  const { bits, rating, warning } = estimateStrength(passphrase);
  if (rating === 'weak' && !options.force) {
    throw new UsageError(`the new passphrase is weak (about ${bits} bits${warning === undefined ? '' : `: ${warning}`}), nothing was changed`, 'choose a longer one (six random words: agent-vault generate --words 6), or pass --force');
  }
  const kdf = (current: KdfParams): KdfParams =>
    kdfFromOptions({
      kdfMemory: options.kdfMemory ?? String(current.memoryKiB / 1024),
      kdfIterations: options.kdfIterations ?? String(current.iterations),
      kdfParallelism: options.kdfParallelism ?? String(current.parallelism),
    });
  const { changePassphrase } = await import('../../app/owner-lifecycle.js');
  const { lockOwnerSessions } = await import('../owner-session.js');
  const params = await changePassphrase(session, passphrase, kdf);
  // The sessions already no longer open the store (they hold the old passphrase key); their files go too.
  let removed = 0;
  try {
    removed = lockOwnerSessions(ctx.io, ctx.storeLocation, undefined);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
  }
  if (ctx.mode.json) {
    printJson(ctx.io, { changed: true, kdf: { memory_mib: params.memoryKiB / 1024, iterations: params.iterations, parallelism: params.parallelism }, sessions_ended: removed });
  } else {
    notice(ctx.io, ctx.mode, `changed the owner passphrase (strength: ${rating}); every owner session has ended`);
  }
}
