import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { Argument, Option, type Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { IMPORT_FORMATS, type ImportFormat, type ImportWarning } from '../../core/import/entry.js';
import type { PassFile } from '../../core/import/pass.js';
import { CONFLICT_POLICIES, clashError, type ConflictPolicy, type PlanRow } from '../../core/import/plan.js';
import type { ImportSource } from '../../app/import.js';
import { Context } from '../context.js';
import { examples, type Deps } from '../command-kit.js';
import { notice, printJson, printTable } from '../render.js';
import { decodeText, promptSecret, readSecretFromFile } from '../secret-input.js';

interface ImportOptions {
  onConflict?: (typeof CONFLICT_POLICIES)[number];
  dryRun?: boolean;
  kdbxPasswordFile?: string;
}

export function registerImport(program: Command, { io }: Deps): void {
  const command = program
    .command('import')
    .description("import another manager's export into a vault, in one atomic write (all or nothing)")
    .addArgument(new Argument('<format>', 'the input format').choices(IMPORT_FORMATS))
    .argument('<file>', 'the export file, or - for stdin; for pass, the password-store directory')
    .addOption(new Option('--on-conflict <policy>', 'for a key the vault already has: skip it, overwrite it, or rename the imported one KEY_2 (default: refuse and name the clashes)').choices(CONFLICT_POLICIES))
    .option('--dry-run', 'print the plan (key, type, action, source entry) and write nothing')
    .option('--kdbx-password-file <file>', 'kdbx: read the database password from a file (else it is asked for, masked)')
    .action((format: ImportFormat, file: string, options: ImportOptions, cmd: Command) => runImport(Context.of(io, cmd), format, file, options));
  examples(command, [
    'agent-vault import dotenv .env --agent researcher',
    'agent-vault import bitwarden-json bitwarden_export.json --agent me --dry-run',
    'agent-vault import keepassxc-csv export.csv --agent me --on-conflict rename',
    'agent-vault import kdbx Passwords.kdbx --agent me --kdbx-password-file ~/.kdbx-pass',
    'agent-vault import otpauth - --agent me < authenticator-uris.txt',
    'agent-vault import pass ~/.password-store --agent me',
    'agent-vault export --agent old --yes | agent-vault import json - --agent new',
  ]);
}

/** Reads an input file named on the command line as bytes, with a clear error if it cannot be. */
function readInputFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read the import file ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (code ?? 'error')}`);
  }
}

/** The `.gpg` files of a password store, as paths relative to it, sorted; dot-files and dot-directories (`.git`, `.gpg-id`) skipped. */
function passFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(dir, relative), { withFileTypes: true });
    } catch (err) {
      throw new UsageError(`cannot read the password store ${dir}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, 'give the password-store directory, e.g. ~/.password-store');
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.')) continue;
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.gpg') && (entry.isFile() || entry.isSymbolicLink())) found.push(path);
    }
  };
  walk('');
  return found;
}

/**
 * Decrypts the entries of a password store with the user's own gpg, four at a time.
 * Plaintext goes from gpg's stdout into memory only, never to a file; gpg gets no
 * AGENT_VAULT_* variable.
 */
async function readPassStore(dir: string, env: NodeJS.ProcessEnv): Promise<PassFile[]> {
  const paths = passFiles(dir);
  if (paths.length === 0) throw new UsageError(`no .gpg files in ${dir}`, 'give the password-store directory, e.g. ~/.password-store');
  const { spawn } = await import('node:child_process');
  const childEnv = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('AGENT_VAULT_')));
  const decrypt = (path: string): Promise<PassFile> =>
    new Promise((resolve, reject) => {
      const child = spawn('gpg', ['--batch', '--quiet', '--decrypt', '--', join(dir, path)], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? new UsageError('importing a password store needs gpg, and there is none on PATH', 'install GnuPG (gnupg)') : error),
      );
      child.on('close', (code) => {
        if (code === 0) {
          try {
            return resolve({ path: path.replace(/\.gpg$/, ''), text: decodeText(Buffer.concat(out), `the decrypted ${path}`) });
          } catch (error) {
            return reject(error);
          }
        }
        // gpg's own message names keys, not contents.
        const reason = Buffer.concat(err).toString('utf8').trim().split('\n').pop() ?? '';
        reject(new UsageError(`pass: gpg could not decrypt ${path} (exit ${code})${reason === '' ? '' : `: ${reason.slice(0, 200)}`}; nothing was imported`, 'check that your gpg key is available, e.g. with: pass show ENTRY'));
      });
    });
  const files: PassFile[] = new Array(paths.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < paths.length; i = next++) files[i] = await decrypt(paths[i]!);
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return files;
}

async function kdbxPassword(ctx: Context, options: ImportOptions): Promise<string> {
  if (options.kdbxPasswordFile) return readSecretFromFile(options.kdbxPasswordFile, 'kdbx password');
  return promptSecret(ctx.io, 'Password of the kdbx database', '--kdbx-password-file F');
}

async function readSource(ctx: Context, format: ImportFormat, file: string, options: ImportOptions): Promise<ImportSource> {
  if (options.kdbxPasswordFile !== undefined && format !== 'kdbx') throw new UsageError('--kdbx-password-file is for the kdbx format only');
  if (format === 'pass') {
    if (file === '-') throw new UsageError('pass reads a password-store directory, not stdin', 'give the directory, e.g. ~/.password-store');
    return { format, files: await readPassStore(file, ctx.io.env) };
  }
  const bytes = file === '-' ? await ctx.io.readStdin('the import file') : readInputFile(file);
  if (format === 'kdbx') return { format, bytes, password: await kdbxPassword(ctx, options) };
  return { format, text: decodeText(bytes, file === '-' ? 'the import file on stdin' : `the import file ${file}`) };
}

function actionText(row: PlanRow): string {
  return row.action === 'rename' ? `rename from ${row.from}` : row.action === 'clash' ? 'exists' : row.action;
}

export async function runImport(ctx: Context, format: ImportFormat, file: string, options: ImportOptions): Promise<void> {
  const session = await ctx.session();
  const agent = ctx.agent(session);
  const { parseImport, importCredentials } = await import('../../app/import.js');
  // The input is read and parsed before the vault is unlocked: a malformed file costs no passphrase.
  const parsed = await parseImport(await readSource(ctx, format, file, options));
  const policy: ConflictPolicy = options.onConflict ?? 'refuse';
  const dryRun = options.dryRun === true;
  const { rows, written } = await importCredentials(session, agent, parsed, { policy, dryRun });
  const clashes = clashError(rows, agent);
  if (clashes && !dryRun) throw clashes;
  await printPlan(ctx, agent, rows, parsed.warnings, { dryRun, written });
  if (clashes) throw clashes;
  const count = (action: PlanRow['action']): number => rows.filter((row) => row.action === action).length;
  const skipped = count('skip') > 0 ? `, ${count('skip')} skipped` : '';
  const imported = rows.length - count('skip');
  if (dryRun) notice(ctx.io, ctx.mode, `dry run: ${imported} credential(s) would be imported into the vault of ${agent}${skipped}; nothing was written`);
  else notice(ctx.io, ctx.mode, `imported ${imported} credential(s) into the vault of ${agent}${skipped}`);
}

async function printPlan(ctx: Context, agent: string, rows: PlanRow[], warnings: ImportWarning[], state: { dryRun: boolean; written: boolean }): Promise<void> {
  if (ctx.mode.json) {
    printJson(ctx.io, {
      agent,
      dry_run: state.dryRun,
      written: state.written,
      credentials: rows.map((row) => ({ key: row.key, type: row.type, action: row.action, source: row.source, ...(row.from === undefined ? {} : { from: row.from }) })),
      warnings,
    });
    return;
  }
  for (const warning of warnings) notice(ctx.io, ctx.mode, `warning: ${warning.source}: ${warning.message}`);
  await printTable(ctx.io, ctx.mode, rows, [
    { header: 'KEY', value: (row) => row.key },
    { header: 'TYPE', value: (row) => row.type },
    { header: 'ACTION', value: (row) => actionText(row) },
    { header: 'SOURCE', value: (row) => row.source },
  ]);
}
