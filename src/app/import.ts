/**
 * `import`: parse another manager's export (each parser loaded only when its format is
 * asked for), plan it against the vault, and write it in one atomic write of the vault,
 * all or nothing, with one `credential.import` audit event per key written.
 */
import { BusyError } from '../core/errors.js';
import type { ImportFormat, ParsedImport } from '../core/import/entry.js';
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
async function argon2Raw(params: Parameters<import('../core/import/kdbx.js').Argon2Fn>[0]): Promise<Uint8Array> {
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

/** Parses an input into entries; a malformed one is a usage error naming its line or entry. */
export async function parseImport(source: ImportSource): Promise<ParsedImport> {
  switch (source.format) {
    case 'dotenv':
      return (await import('../core/import/dotenv.js')).parseDotenvImport(source.text);
    case 'json':
      return (await import('../core/import/json.js')).parseJsonExport(source.text);
    case 'bitwarden-json':
      return (await import('../core/import/bitwarden.js')).parseBitwardenJson(source.text);
    case 'keepassxc-csv':
      return (await import('../core/import/keepassxc-csv.js')).parseKeepassxcCsv(source.text);
    case '1password-csv':
      return (await import('../core/import/onepassword-csv.js')).parseOnePasswordCsv(source.text);
    case 'otpauth':
      return (await import('../core/import/otpauth.js')).parseOtpauth(source.text);
    case 'kdbx':
      return (await import('../core/import/kdbx.js')).parseKdbx(source.bytes, source.password, argon2Raw);
    case 'pass':
      return (await import('../core/import/pass.js')).parsePassEntries(source.files);
  }
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
