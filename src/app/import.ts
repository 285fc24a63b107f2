/**
 * `import`: parse another manager's export (the parsers loaded only now), plan it
 * against the vault, and write it in one atomic write of the vault,
 * all or nothing, with one `credential.import` audit event per key written.
 */
import { AuthError, BusyError, UsageError } from '../core/errors.js';
import { isImportInputError, type ImportFormat, type ParsedImport } from '../core/import/entry.js';
import type { Argon2Fn } from '../core/import/kdbx.js';
import type { PassFile } from '../core/import/pass.js';
import { applyImport, type ConflictPolicy, type PlanRow } from '../core/import/plan.js';
import { modifySyncingGrants } from './grants.js';
import type { Session } from './session.js';

/** One input, as the CLI read it: text for most formats, bytes and a password for kdbx, decrypted files for pass. */
export type ImportSource =
  | { format: Exclude<ImportFormat, 'kdbx' | 'pass'>; text: string }
  | { format: 'kdbx'; bytes: Uint8Array; password: string }
  | { format: 'pass'; files: PassFile[] };

/** Argon2 for kdbx files, by the same native module that derives the owner key. */
async function argon2Raw(params: Parameters<Argon2Fn>[0]): Promise<Uint8Array> {
  const argon2 = await import('argon2');
  return argon2.hash(Buffer.from(params.password), {
    type: params.type === 'argon2d' ? argon2.argon2d : argon2.argon2id,
    raw: true,
    hashLength: params.length,
    salt: Buffer.from(params.salt),
    memoryCost: params.memoryKiB,
    timeCost: params.iterations,
    parallelism: params.parallelism,
    version: params.version,
  });
}

/**
 * Runs a parser or encoder from `core/import/parsers.ts`, turning the input errors it
 * throws into our own: a wrong kdbx password is exit 4, anything else wrong with the
 * input exit 2. (They are matched by mark, not class: in the CLI the parsers come from
 * a bundle of their own.)
 */
export async function withParsers<T>(use: (parsers: typeof import('../core/import/parsers.js')) => T | Promise<T>): Promise<T> {
  const parsers = await import('../core/import/parsers.js');
  try {
    return await use(parsers);
  } catch (err) {
    if (!isImportInputError(err)) throw err;
    throw err.kind === 'auth' ? new AuthError(err.message, err.hint) : new UsageError(err.message, err.hint);
  }
}

/** Parses an input into entries; a malformed one is a usage error naming its line or entry. */
export function parseImport(source: ImportSource): Promise<ParsedImport> {
  return withParsers((parsers) => {
    switch (source.format) {
      case 'dotenv':
        return parsers.parseDotenvImport(source.text);
      case 'json':
        return parsers.parseJsonExport(source.text);
      case 'bitwarden-json':
        return parsers.parseBitwardenJson(source.text);
      case 'keepassxc-csv':
        return parsers.parseKeepassxcCsv(source.text);
      case '1password-csv':
        return parsers.parseOnePasswordCsv(source.text);
      case 'otpauth':
        return parsers.parseOtpauth(source.text);
      case 'kdbx':
        return parsers.parseKdbx(source.bytes, source.password, argon2Raw);
      case 'pass':
        return parsers.parsePassEntries(source.files);
    }
  });
}

/** What an import did, or would do: the plan, and whether it was written. */
export interface ImportOutcome {
  rows: PlanRow[];
  written: boolean;
}

const plannedKeys = (rows: readonly PlanRow[]): string[] => rows.filter((row) => row.action !== 'skip').map((row) => row.key);

/**
 * Plans `parsed` against the vault of `agent` and, unless `dryRun` or the plan has
 * clashes (then `written` is false and the caller reports them), writes it. The plan is
 * made again on the payload read under the vault's lock; if another writer changed which
 * keys it would write in between, nothing is written (exit 7).
 */
export async function importCredentials(session: Session, agent: string, parsed: ParsedImport, options: { policy: ConflictPolicy; dryRun: boolean }): Promise<ImportOutcome> {
  const now = session.now().toISOString();
  const { payload } = await session.unlock(agent);
  const rows = applyImport(structuredClone(payload), parsed.entries, options.policy, now);
  const keys = plannedKeys(rows);
  if (options.dryRun || keys.length === 0 || rows.some((row) => row.action === 'clash')) return { rows, written: false };
  const written = await session.audit.audited(agent, 'credential.import', keys, (commit) =>
    modifySyncingGrants(
      session,
      agent,
      (vault) => {
        const fresh = applyImport(vault.payload, parsed.entries, options.policy, now);
        if (plannedKeys(fresh).join('\n') !== keys.join('\n') || fresh.some((row) => row.action === 'clash')) {
          throw new BusyError(`the vault of agent ${agent} changed while the import was planned; nothing was imported`, 'run the import again');
        }
        return fresh;
      },
      commit,
    ),
  );
  return { rows: written, written: true };
}
