import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { CancelledError, UsageError } from '../../core/errors.js';
import { DEFAULT_KDF, KDF_BOUNDS, SALT_LENGTH, checkKdfBounds, type KdfParams } from '../../format/kdf.js';
import { checkStoreAbsent, initStore } from '../../app/store-admin.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { printJson, notice } from '../render.js';
import { wholeNumber } from '../numbers.js';

/** Argon2id's cost as the `--kdf-*` flags give it (MiB, passes, lanes). */
export interface KdfOptions {
  kdfMemory: string;
  kdfIterations: string;
  kdfParallelism: string;
}

export function registerInit(program: Command, { io }: Deps): void {
  const command = program
    .command('init')
    .description('create the store and set the owner passphrase')
    .option('--kdf-memory <MiB>', 'Argon2id memory in MiB', String(DEFAULT_KDF.memoryKiB / 1024))
    .option('--kdf-iterations <n>', 'Argon2id passes', String(DEFAULT_KDF.iterations))
    .option('--kdf-parallelism <n>', 'Argon2id lanes', String(DEFAULT_KDF.parallelism))
    .action((options: KdfOptions, cmd: Command) => runInit(Context.of(io, cmd), options));
  examples(command, [
    'agent-vault init                                  # asks for the passphrase twice',
    'agent-vault init --passphrase-file ~/.av-pass     # non-interactive',
    'agent-vault --store ./vault init --kdf-memory 256 --kdf-iterations 4',
  ]);
}

/** The parameters the `--kdf-*` flags name, checked against their bounds (exit 2), with a new salt. */
export function kdfFromOptions(options: KdfOptions): KdfParams {
  const params = {
    memoryKiB: wholeNumber(options.kdfMemory, '--kdf-memory', 1) * 1024,
    iterations: wholeNumber(options.kdfIterations, '--kdf-iterations', 1),
    parallelism: wholeNumber(options.kdfParallelism, '--kdf-parallelism', 1),
  };
  try {
    checkKdfBounds(params);
  } catch (err) {
    const { memoryKiB, iterations, parallelism } = KDF_BOUNDS;
    throw new UsageError(
      (err as Error).message,
      `memory ${memoryKiB.min / 1024}..${memoryKiB.max / 1024} MiB, iterations ${iterations.min}..${iterations.max}, parallelism ${parallelism.min}..${parallelism.max}`,
    );
  }
  return { ...params, salt: randomBytes(SALT_LENGTH) };
}

/** A new passphrase: from a file, stdin or the environment, or typed twice on a TTY. */
async function newPassphrase(ctx: Context): Promise<{ passphrase: string; prompted: boolean }> {
  const { io } = ctx;
  let passphrase = await ctx.givenPassphrase();
  const prompted = passphrase === undefined && io.canPrompt();
  if (prompted) {
    const prompter = await io.prompter();
    passphrase = await prompter.password('New owner passphrase');
    if (passphrase === '') throw new UsageError('the passphrase is empty');
    const { estimateStrength } = await import('../../core/strength.js');
    const { bits, rating, warning } = estimateStrength(passphrase);
    io.err(`strength: ${rating} (about ${bits} bits)${warning === undefined ? '' : `: ${warning}`}\n`);
    if (rating === 'weak' && !(await prompter.confirm('That passphrase is weak. Use it anyway?'))) {
      throw new CancelledError('cancelled, nothing was created', 'choose a longer passphrase, e.g. six random words');
    }
    if ((await prompter.password('Repeat the passphrase')) !== passphrase) throw new UsageError('the passphrases do not match, nothing was created');
  } else if (passphrase === undefined) {
    throw new UsageError('a new owner passphrase is needed and there is no terminal to ask on', 'pass --passphrase-file F or --passphrase-stdin, or set AGENT_VAULT_PASSPHRASE_FILE');
  }
  if (passphrase === undefined || passphrase === '') throw new UsageError('the passphrase is empty');
  return { passphrase, prompted };
}

/**
 * A passphrase given by file, stdin or the environment is not refused, as before (a
 * script may have its reasons), but a weak one is said on stderr: off a terminal
 * nobody was asked whether to use it anyway.
 */
async function warnIfWeak(ctx: Context, passphrase: string): Promise<void> {
  const { estimateStrength } = await import('../../core/strength.js');
  const { bits, rating, warning } = estimateStrength(passphrase);
  if (rating === 'weak') {
    ctx.warn(`the owner passphrase is weak (about ${bits} bits${warning === undefined ? '' : `: ${warning}`}); change it with agent-vault passwd (six random words: agent-vault generate --words 6)`);
  }
}

export async function runInit(ctx: Context, options: KdfOptions): Promise<void> {
  const kdf = kdfFromOptions(options);
  const store = ctx.store();
  await checkStoreAbsent(store);
  const { passphrase, prompted } = await newPassphrase(ctx);
  if (!prompted) await warnIfWeak(ctx, passphrase);
  await initStore(store, passphrase, kdf, () => ctx.io.now());
  if (ctx.mode.json) {
    printJson(ctx.io, { store: store.location, kdf: { memory_mib: kdf.memoryKiB / 1024, iterations: kdf.iterations, parallelism: kdf.parallelism } });
  } else {
    notice(ctx.io, ctx.mode, `initialised a store at ${store.location}\nnext: agent-vault provision <agent>`);
  }
}
