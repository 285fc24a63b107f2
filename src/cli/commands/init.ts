import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { CancelledError, UsageError } from '../../core/errors.js';
import { estimateStrength } from '../../core/strength.js';
import { DEFAULT_KDF, SALT_LENGTH, checkKdfBounds, type KdfParams } from '../../format/kdf.js';
import { createStoreFile } from '../../format/store-file.js';
import { deriveOwnerKey } from '../../app/owner-key.js';
import { StoreFiles } from '../../store/store-files.js';
import { appendAuditEvent } from '../../store/audit-log.js';
import { storeAuditKeyring } from '../../format/audit-line.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../program.js';
import { printJson, notice } from '../render.js';
import { readSecretFromFile, readSecretFromStdin } from '../secret-input.js';

interface InitOptions {
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
    .action((options: InitOptions, cmd: Command) => runInit(Context.of(io, cmd), options));
  examples(command, [
    'agent-vault init                                  # asks for the passphrase twice',
    'agent-vault init --passphrase-file ~/.av-pass     # non-interactive',
    'agent-vault --store ./vault init --kdf-memory 256 --kdf-iterations 4',
  ]);
}

function integer(text: string, flag: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) throw new UsageError(`${flag} must be a positive whole number, not ${JSON.stringify(text)}`);
  return Number(text);
}

function kdfFromOptions(options: InitOptions): KdfParams {
  const params = {
    memoryKiB: integer(options.kdfMemory, '--kdf-memory') * 1024,
    iterations: integer(options.kdfIterations, '--kdf-iterations'),
    parallelism: integer(options.kdfParallelism, '--kdf-parallelism'),
  };
  try {
    checkKdfBounds(params);
  } catch (err) {
    throw new UsageError((err as Error).message, 'memory 1..4096 MiB, iterations 1..16, parallelism 1..16');
  }
  return { ...params, salt: randomBytes(SALT_LENGTH) };
}

/** A new passphrase: from a file, stdin or the environment, or typed twice on a TTY. */
async function newPassphrase(ctx: Context): Promise<string> {
  const { io, options } = ctx;
  const file = options.passphraseFile ?? io.env.AGENT_VAULT_PASSPHRASE_FILE;
  let passphrase: string;
  if (file) passphrase = readSecretFromFile(file, 'passphrase');
  else if (options.passphraseStdin) passphrase = await readSecretFromStdin(io, 'the passphrase');
  else if (io.passphraseFromEnv !== undefined) passphrase = io.passphraseFromEnv;
  else if (io.canPrompt()) {
    const prompter = await io.prompter();
    passphrase = await prompter.password('New owner passphrase');
    if (passphrase === '') throw new UsageError('the passphrase is empty');
    const { bits, rating } = estimateStrength(passphrase);
    io.err(`strength: ${rating} (about ${bits} bits)\n`);
    if (rating === 'weak' && !(await prompter.confirm('That passphrase is weak. Use it anyway?'))) {
      throw new CancelledError('cancelled, nothing was created', 'choose a longer passphrase, e.g. six random words');
    }
    if ((await prompter.password('Repeat the passphrase')) !== passphrase) throw new UsageError('the passphrases do not match, nothing was created');
  } else {
    throw new UsageError('a new owner passphrase is needed and there is no terminal to ask on', 'pass --passphrase-file F or --passphrase-stdin, or set AGENT_VAULT_PASSPHRASE_FILE');
  }
  if (passphrase === '') throw new UsageError('the passphrase is empty');
  return passphrase;
}

export async function runInit(ctx: Context, options: InitOptions): Promise<void> {
  const kdf = kdfFromOptions(options);
  const files = new StoreFiles(ctx.storeDir, ctx.io.env);
  if (files.isInitialised()) throw new UsageError(`a store already exists at ${files.root}`, 'use it, or pass --store DIR for a new one');
  const passphrase = await newPassphrase(ctx);
  const ownerKey = await deriveOwnerKey(passphrase, kdf);
  files.createStore(createStoreFile(ownerKey, kdf));
  appendAuditEvent(
    files.paths.storeAuditLog,
    { actor: 'owner', agent: '', action: 'store.init', result: 'ok' },
    { now: new Date(), keyring: storeAuditKeyring(ownerKey), lockTimeoutMs: files.lockTimeout },
  );
  if (ctx.mode.json) {
    printJson(ctx.io, { store: files.root, kdf: { memory_mib: kdf.memoryKiB / 1024, iterations: kdf.iterations, parallelism: kdf.parallelism } });
  } else {
    notice(ctx.io, ctx.mode, `initialised a store at ${files.root}\nnext: agent-vault provision <agent>`);
  }
}
