import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { createFileWhole } from '../../store/atomic.js';
import { openSession } from '../../app/open-session.js';
import type { BackupKey, BackupLock } from '../../app/backup.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson } from '../render.js';
import { readSecretFromFile, readTextFile } from '../secret-input.js';

interface LockOptions {
  recipient?: string[];
  backupPassphraseFile?: string;
}

interface KeyOptions {
  identity?: string;
  backupPassphraseFile?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerBackup(program: Command, { io }: Deps): void {
  const backup = program
    .command('backup')
    .description('write the whole store, age-encrypted, to a new 0600 file (owner only)')
    .argument('<file>', 'the backup file to create (never overwritten)')
    .option('--recipient <age1…>', 'encrypt to this age X25519 recipient (repeatable) instead of a backup passphrase', collect)
    .option('--backup-passphrase-file <file>', 'read the backup passphrase from a file (else asked twice on a terminal)')
    .action((file: string, options: LockOptions, cmd: Command) => runBackup(Context.of(io, cmd), file, options));
  examples(backup, [
    'agent-vault backup ~/vault-2026-12-01.age                                  # asks for a backup passphrase twice',
    'agent-vault backup vault.age --recipient age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p',
  ]);
  const verify = backup
    .command('verify')
    .description('decrypt a backup and check it end to end (archive, store and vault files, audit chains) without restoring')
    .argument('<file>', 'the backup file')
    .option('--identity <file>', 'a file with the AGE-SECRET-KEY-1… identity of a recipient backup')
    .option('--backup-passphrase-file <file>', 'read the backup passphrase from a file (else asked on a terminal)')
    // backup's own --backup-passphrase-file is parsed by backup wherever it stands: read it from there too.
    .action((file: string, options: KeyOptions, cmd: Command) => runBackupVerify(Context.of(io, cmd), file, { ...cmd.parent?.opts<KeyOptions>(), ...options }));
  examples(verify, ['agent-vault backup verify vault.age --backup-passphrase-file ./backup.pass', 'agent-vault backup verify vault.age --identity ~/.config/age/key.txt']);
  const restore = program
    .command('restore')
    .description('fill a new, empty store (--store DIR) from a backup; the same owner passphrase and tokens then work')
    .argument('<file>', 'the backup file')
    .option('--identity <file>', 'a file with the AGE-SECRET-KEY-1… identity of a recipient backup')
    .option('--backup-passphrase-file <file>', 'read the backup passphrase from a file (else asked on a terminal)')
    .action((file: string, options: KeyOptions, cmd: Command) => runRestore(Context.of(io, cmd), file, options));
  examples(restore, [
    'agent-vault restore vault.age --store ~/.local/share/agent-vault-new',
    'agent-vault restore vault.age --store ./restored --identity key.txt --passphrase-file ./owner.pass',
  ]);
}

/** The backup passphrase: from its file, else asked on a terminal (twice for a new backup), else exit 2. */
async function backupPassphrase(ctx: Context, file: string | undefined, twice: boolean): Promise<string> {
  if (file) return readSecretFromFile(file, 'backup passphrase');
  if (!ctx.io.canPrompt()) throw new UsageError('the backup passphrase is needed and there is no terminal to ask on', 'pass --backup-passphrase-file F' + (twice ? ' or --recipient age1…' : ' or --identity FILE'));
  const prompter = await ctx.io.prompter();
  const passphrase = await prompter.password('Backup passphrase');
  if (passphrase === '') throw new UsageError('the backup passphrase is empty');
  if (twice && (await prompter.password('Repeat the backup passphrase')) !== passphrase) throw new UsageError('the backup passphrases do not match, no backup was written');
  return passphrase;
}

async function backupKey(ctx: Context, options: KeyOptions): Promise<BackupKey> {
  if (options.identity !== undefined) {
    const identities = readTextFile(options.identity, 'identity file')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('AGE-SECRET-KEY-'));
    if (identities.length === 0) throw new UsageError(`${options.identity} holds no AGE-SECRET-KEY-1… line`);
    return { identities };
  }
  return { passphrase: await backupPassphrase(ctx, options.backupPassphraseFile, false) };
}

function readBackup(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read the backup ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

export async function runBackup(ctx: Context, file: string, options: LockOptions): Promise<void> {
  if (options.recipient && options.backupPassphraseFile) throw new UsageError('give --recipient or --backup-passphrase-file, not both');
  const session = await ctx.session({ owner: 'making a backup' });
  await session.rootKey();
  const lock: BackupLock = options.recipient ? { recipients: options.recipient } : { passphrase: await backupPassphrase(ctx, options.backupPassphraseFile, true) };
  const refuse = (code: string | undefined): UsageError =>
    new UsageError(`cannot create ${file}: ${code === 'EEXIST' ? 'it already exists' : (code ?? 'error')}; no backup was written`, 'choose a new file name');
  // Checked before anything is read; the file itself is written whole at the end, and never over another.
  if (existsSync(file)) throw refuse('EEXIST');
  const { createBackup } = await import('../../app/backup.js');
  await createBackup(session, lock, (bytes) => {
    try {
      createFileWhole(file, bytes);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw code === 'EEXIST' || code === 'ENOENT' || code === 'EACCES' ? refuse(code) : err;
    }
  });
  if (ctx.mode.json) printJson(ctx.io, { backup: file });
  else notice(ctx.io, ctx.mode, `wrote the backup of ${session.store.location} to ${file}`);
}

export async function runBackupVerify(ctx: Context, file: string, options: KeyOptions): Promise<void> {
  const bytes = readBackup(file);
  const key = await backupKey(ctx, options);
  const { checkBackup } = await import('../../app/backup.js');
  const contents = await checkBackup(bytes, key);
  if (ctx.mode.json) printJson(ctx.io, { ok: true, agents: contents.agents, objects: contents.objects.length, audit_logs: contents.logs.length });
  else ctx.io.out(`ok: ${contents.objects.length} objects (${contents.agents.length} vaults), ${contents.logs.length} audit logs\n`);
}

export async function runRestore(ctx: Context, file: string, options: KeyOptions): Promise<void> {
  const bytes = readBackup(file);
  const key = await backupKey(ctx, options);
  const store = ctx.store();
  let passphrase: string | undefined;
  const ownerPassphrase = async (): Promise<string> => {
    passphrase = (await ctx.givenPassphrase()) ?? (ctx.io.canPrompt() ? await (await ctx.io.prompter()).password('Owner passphrase of the backed-up store') : undefined);
    if (passphrase === undefined) throw new UsageError('the owner passphrase is needed and there is no terminal to ask on', 'pass --passphrase-file F or --passphrase-stdin');
    return passphrase;
  };
  const { restoreBackup, recordRestore } = await import('../../app/backup.js');
  const contents = await restoreBackup(store, bytes, key, ownerPassphrase);
  await recordRestore(await openSession({ store, passphrase: passphrase!, now: () => ctx.io.now(), warn: (m) => ctx.warn(m) }));
  if (ctx.mode.json) printJson(ctx.io, { store: store.location, agents: contents.agents, restored: true });
  else notice(ctx.io, ctx.mode, `restored ${contents.agents.length} vaults into ${store.location}`);
}
